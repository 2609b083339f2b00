// A JSON document without the string values of its bulk keys (a conversation's text), cut out before it is decoded.
// Decoding and parsing a whole thread of a few hundred KB cost ~20 times its usage records' worth: V8 builds strings
// that large in memory of their own, touched afresh each time. What is cut is only ever text the reader skips.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where the string that opens at `open` (a quote) ends: its closing quote, or -1 when the document ends first. */
function closingQuote(buf: Buffer, open: number): number {
  for (let q = buf.indexOf(QUOTE, open + 1); q >= 0; q = buf.indexOf(QUOTE, q + 1)) {
    let backslashes = 0;
    while (buf[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}

let out = Buffer.allocUnsafe(1 << 16);

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * `buf` with the string value of every `"<key>":` of these keys (given as `"<key>":`) emptied to `""`, as a view of a
 * buffer reused by the next call; `buf` itself when there is nothing to cut. A match is always a key: inside a string,
 * its quotes would be escaped. A value that is not a string stays. A document that ends inside a cut string is
 * returned whole, for the parser to reject.
 */
export function withoutBulk(buf: Buffer, keys: Buffer[]): Buffer {
  const cuts: Array<[number, number]> = [];
  for (const key of keys) {
    for (let at = buf.indexOf(key); at >= 0; at = buf.indexOf(key, at)) {
      let open = at + key.length;
      while (isSpace(buf[open])) open++;
      at = open;
      if (buf[open] !== QUOTE) continue;
      const close = closingQuote(buf, open);
      if (close < 0) return buf;
      if (close > open + 1) cuts.push([open + 1, close]);
      at = close + 1;
    }
  }
  if (cuts.length === 0) return buf;
  cuts.sort((a, b) => a[0] - b[0]);
  if (out.length < buf.length) out = Buffer.allocUnsafe(buf.length);
  let n = 0;
  let from = 0;
  for (const [start, end] of cuts) {
    n += buf.copy(out, n, from, start);
    from = end;
  }
  n += buf.copy(out, n, from, buf.length);
  return out.subarray(0, n);
}
