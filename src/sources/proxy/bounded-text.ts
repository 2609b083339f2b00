// A line of a stream (or a whole JSON body) that arrives in pieces, kept whole while it is small and as its two ends
// when it is large: an API answer can carry a whole output in one line (OpenAI's response.completed), and reading
// usage from it must take neither the memory nor the time that line is worth.
//
// What a large line is read for sits at its ends: `type`, `id` and `model` come first, `usage` comes last. A key is
// found by its bytes: inside a JSON string every quote is escaped, so `"key"` preceded by `{` or `,` and followed by
// `:` can only be a key. Buffer searches are native and linear; no large text is ever decoded or parsed.

/** A line up to this size is parsed as JSON; a larger one is read by its ends. */
export const PARSE_WHOLE_BYTES = 256 << 10;
/** Bytes kept of a large line's start (an OpenAI response's instructions and tools come before its model)… */
const HEAD_BYTES = 1 << 20;
/** …and of its end (usage is followed only by a few small fields). */
const TAIL_BYTES = 256 << 10;

type Json = Record<string, unknown>;

export class BoundedText {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  /** Bytes between head and tail that were let go. */
  private dropped = 0;
  length = 0;

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.length += piece.length;
    if (this.headLen < HEAD_BYTES) {
      const take = Math.min(piece.length, HEAD_BYTES - this.headLen);
      this.head.push(take < piece.length ? Buffer.from(piece.subarray(0, take)) : piece);
      this.headLen += take;
      piece = piece.subarray(take);
      if (piece.length === 0) return;
    }
    if (piece.length > TAIL_BYTES) {
      // A copy of its end: a view would keep the whole piece alive.
      this.dropped += this.tailLen + piece.length - TAIL_BYTES;
      this.tail = [Buffer.from(piece.subarray(piece.length - TAIL_BYTES))];
      this.tailLen = TAIL_BYTES;
      return;
    }
    this.tail.push(piece);
    this.tailLen += piece.length;
    while (this.tail.length > 1 && this.tailLen - this.tail[0]!.length >= TAIL_BYTES) {
      const gone = this.tail.shift()!;
      this.tailLen -= gone.length;
      this.dropped += gone.length;
    }
  }

  /** Bytes held: at most the head and tail sizes, however long the text. */
  get keptBytes(): number {
    return this.headLen + this.tailLen;
  }

  /** The whole text, when it is small enough to parse (null otherwise). */
  whole(): Buffer | null {
    if (this.length > PARSE_WHOLE_BYTES || this.dropped > 0) return null;
    if (this.head.length === 1 && this.tail.length === 0) return this.head[0]!;
    return Buffer.concat([...this.head, ...this.tail]);
  }

  /** Its first bytes and its last bytes (which may overlap the first). */
  ends(): { head: Buffer; tail: Buffer } {
    const head = Buffer.concat(this.head);
    const tail = this.dropped === 0 ? Buffer.concat([...this.head, ...this.tail]).subarray(-TAIL_BYTES) : Buffer.concat(this.tail);
    return { head, tail };
  }

  startsWith(prefix: Buffer): boolean {
    const first = this.head[0];
    return first !== undefined && first.length >= prefix.length ? first.subarray(0, prefix.length).equals(prefix)
      : Buffer.concat(this.head).subarray(0, prefix.length).equals(prefix);
  }

  includes(needle: Buffer): boolean {
    return this.head.some((b) => b.includes(needle)) || this.tail.some((b) => b.includes(needle))
      || (this.dropped === 0 && Buffer.concat([...this.head, ...this.tail]).includes(needle));
  }
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Whether the `"key"` found at `at` is a key of an object (not text inside a string). */
function keyAt(buf: Buffer, at: number, keyLen: number): number {
  let b = at - 1;
  while (b >= 0 && isSpace(buf[b])) b--;
  if (b < 0 || (buf[b] !== 0x7b && buf[b] !== 0x2c)) return -1; // { or ,
  let a = at + keyLen;
  while (a < buf.length && isSpace(buf[a])) a++;
  if (buf[a] !== 0x3a) return -1; // :
  a++;
  while (a < buf.length && isSpace(buf[a])) a++;
  return a < buf.length ? a : -1;
}

/** The end (exclusive) of the JSON string or object starting at `from`, or -1 if it is not complete in `buf`. */
function valueEnd(buf: Buffer, from: number): number {
  if (buf[from] === 0x22) {
    for (let i = from + 1; i < buf.length; i++) {
      if (buf[i] === 0x5c) i++;
      else if (buf[i] === 0x22) return i + 1;
    }
    return -1;
  }
  let depth = 0;
  let inString = false;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The first string value of `key` in `buf`, or null. */
export function firstString(buf: Buffer, key: string): string | null {
  const pat = Buffer.from(`"${key}"`);
  for (let i = buf.indexOf(pat); i >= 0; i = buf.indexOf(pat, i + 1)) {
    const v = keyAt(buf, i, pat.length);
    if (v < 0) continue;
    if (buf[v] !== 0x22) return null;
    const end = valueEnd(buf, v);
    return end < 0 ? null : (JSON.parse(buf.toString('utf8', v, end)) as string);
  }
  return null;
}

/** The last object value of `key` in `buf`, or null (also when that last value is not an object). */
export function lastObject(buf: Buffer, key: string): Json | null {
  const pat = Buffer.from(`"${key}"`);
  for (let i = buf.lastIndexOf(pat); i >= 0; i = i > 0 ? buf.lastIndexOf(pat, i - 1) : -1) {
    const v = keyAt(buf, i, pat.length);
    if (v < 0) continue;
    if (buf[v] !== 0x7b) return null;
    const end = valueEnd(buf, v);
    return end < 0 ? null : (JSON.parse(buf.toString('utf8', v, end)) as Json);
  }
  return null;
}

/**
 * What a large API event or body says about usage, in the shape of the small one: `type`, `object`, `id` and
 * `model` from its start, `usage` from its end, placed where the event's type keeps them.
 */
export function skeletonOf(text: BoundedText, skip = 0): Json {
  const { head, tail } = text.ends();
  const h = head.subarray(skip);
  const type = firstString(h, 'type');
  const core: Json = { id: firstString(h, 'id'), model: firstString(h, 'model'), object: firstString(h, 'object'), usage: lastObject(tail, 'usage') };
  if (type?.startsWith('response.')) return { type, response: { ...core, object: 'response' } };
  if (type === 'message_start') return { type, message: core };
  return { type, ...core };
}
