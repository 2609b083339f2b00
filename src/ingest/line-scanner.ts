// Reads a log file from a byte offset in fixed chunks and hands over only the lines that contain a marker, so the
// bulk of a transcript (tool results, prompts) is never decoded or parsed. Memory stays at one chunk unless a single
// line is larger, and a line beyond `maxLineBytes` is skipped and reported rather than buffered.
import { closeSync, fstatSync, readSync } from 'node:fs';
import { openRegularFile } from './open-file.js';
import { fingerprint, FINGERPRINT_BYTES } from './fingerprint.js';

export interface ScanOptions {
  /** Bytes a line must contain (one of them) to be worth decoding (e.g. `"usage"`). */
  marker: Buffer | Buffer[];
  chunkBytes?: number;
  maxLineBytes?: number;
  /**
   * Hand lines over as latin1 text, one character per byte: several times cheaper to decode than UTF-8, and JSON's
   * structure (all ASCII) reads the same. The reader then decodes the values it keeps (see sources/latin1.ts).
   */
  latin1?: boolean;
  /**
   * The fingerprint the checkpoint kept of the bytes just before `fromOffset`: when they differ now, the file was
   * rewritten in place and nothing is read (the result says `rewritten`).
   */
  expectTail?: string;
}

/**
 * A line that holds a marker. Its bytes are `buf[start, end)`, valid only during the callback (the buffer is reused):
 * a reader that needs a few fields can take them from the bytes without decoding the whole line.
 */
export class CandidateLine {
  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
    /** Where the first marker in the line starts. */
    readonly hit: number,
    /** 1-based line number in the file. */
    readonly lineNo: number,
    /** Byte offset of the line's first byte. */
    readonly offset: number,
    /** True for the last line when it has no newline yet: it may still be half-written. */
    readonly unterminated: boolean,
    private readonly latin1: boolean,
  ) {}

  /** The whole line, decoded (see ScanOptions.latin1). */
  get text(): string {
    return this.buf.toString(this.latin1 ? 'latin1' : 'utf8', this.start, this.end);
  }
}

export interface ScanResult {
  /** Offset just past the last complete (newline-terminated) line: where the next scan starts. */
  offset: number;
  /** Number of complete lines up to `offset`. */
  lines: number;
  bytesRead: number;
  oversizedLines: number[];
  /** Fingerprint of the bytes just before `offset`, for the next scan's `expectTail`. */
  tailHash: string;
  /** The bytes before `fromOffset` are not those the checkpoint saw: the file must be read again from the start. */
  rewritten?: boolean;
}

const NEWLINE = 0x0a;
const DEFAULT_CHUNK = 1 << 20;
const DEFAULT_MAX_LINE = 64 << 20;

let spare: Buffer | null = null;

/**
 * The buffer a scan reads into, kept from one scan to the next: a fresh megabyte per file costs its page faults on
 * every read into it, which made reading three times slower than the disk cache.
 */
function chunkBuffer(size: number): Buffer {
  if (size !== DEFAULT_CHUNK) return Buffer.allocUnsafe(size);
  return (spare ??= Buffer.allocUnsafe(DEFAULT_CHUNK));
}

export function scanLines(
  path: string,
  fromOffset: number,
  fromLine: number,
  opts: ScanOptions,
  onLine: (line: CandidateLine) => void,
): ScanResult {
  const markers = Array.isArray(opts.marker) ? opts.marker : [opts.marker];
  /**
   * Where each marker next occurs in the buffer (-1: not in the rest of it). A marker is searched for again only once
   * the scan has passed its last position, so a marker absent from a chunk costs one search per chunk, not per line.
   */
  const nextOf = new Array<number>(markers.length).fill(-1);
  const findHits = (b: Buffer, from: number, limit: number): void => {
    for (let k = 0; k < markers.length; k++) {
      const i = b.indexOf(markers[k]!, from);
      nextOf[k] = i >= 0 && i < limit ? i : -1;
    }
  };
  /** The first place at or after `from` where any marker starts, or -1. */
  const nextHit = (b: Buffer, from: number, limit: number): number => {
    let best = -1;
    for (let k = 0; k < markers.length; k++) {
      let i = nextOf[k]!;
      if (i >= 0 && i < from) {
        i = b.indexOf(markers[k]!, from);
        nextOf[k] = i = i >= 0 && i < limit ? i : -1;
      }
      if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
  };
  const latin1 = opts.latin1 ?? false;
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  let buf = chunkBuffer(opts.chunkBytes ?? DEFAULT_CHUNK);
  const fd = openRegularFile(path);
  const oversizedLines: number[] = [];
  let lines = fromLine;
  let committed = fromOffset; // file offset of buf[0]
  let filled = 0; // valid bytes in buf
  let filePos = fromOffset;
  let skipping = false; // inside an oversized line, discarding until its newline
  let bytesRead = 0;
  // The last bytes before `committed`, kept as lines are passed, for the new checkpoint's fingerprint.
  const tail = Buffer.allocUnsafe(FINGERPRINT_BYTES);
  let tailLen = 0;
  const keepTail = (from: Buffer, start: number, stop: number) => {
    const n = stop - start;
    if (n >= FINGERPRINT_BYTES) {
      from.copy(tail, 0, stop - FINGERPRINT_BYTES, stop);
      tailLen = FINGERPRINT_BYTES;
      return;
    }
    const keep = Math.min(tailLen, FINGERPRINT_BYTES - n);
    tail.copy(tail, 0, tailLen - keep, tailLen);
    from.copy(tail, keep, start, stop);
    tailLen = keep + n;
  };
  try {
    if (fromOffset > 0) {
      const before = Buffer.alloc(Math.min(fromOffset, FINGERPRINT_BYTES));
      const got = readSync(fd, before, 0, before.length, fromOffset - before.length);
      if (opts.expectTail && fingerprint(before.subarray(0, got)) !== opts.expectTail) {
        return { offset: fromOffset, lines: fromLine, bytesRead: 0, oversizedLines, tailHash: opts.expectTail, rewritten: true };
      }
      keepTail(before, 0, got);
    }
    const end = fstatSync(fd).size;
    while (filePos < end) {
      if (filled === buf.length) {
        // One line fills the whole buffer: grow, or give the line up.
        if (buf.length * 2 <= maxLine) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, filled);
          buf = bigger;
        } else {
          oversizedLines.push(lines + 1);
          skipping = true;
          keepTail(buf, 0, filled);
          committed += filled;
          filled = 0;
        }
      }
      const n = readSync(fd, buf, filled, Math.min(buf.length - filled, end - filePos), filePos);
      if (n <= 0) break;
      filePos += n;
      bytesRead += n;
      filled += n;

      let pos = 0;
      if (skipping) {
        const nl = buf.indexOf(NEWLINE, 0);
        if (nl < 0 || nl >= filled) {
          keepTail(buf, 0, filled);
          committed += filled;
          filled = 0;
          continue;
        }
        skipping = false;
        lines++;
        pos = nl + 1;
      }
      findHits(buf, pos, filled);
      let hit = nextHit(buf, pos, filled);
      for (;;) {
        const nl = buf.indexOf(NEWLINE, pos);
        if (nl < 0 || nl >= filled) break;
        lines++;
        if (hit >= 0 && hit < nl) {
          onLine(new CandidateLine(buf, pos, nl, hit, lines, committed + pos, false, latin1));
          hit = nextHit(buf, nl + 1, filled);
        }
        pos = nl + 1;
      }
      // Keep the unfinished tail for the next read.
      if (pos > 0) {
        keepTail(buf, 0, pos);
        buf.copy(buf, 0, pos, filled);
        committed += pos;
        filled -= pos;
      }
    }
    if (filled > 0 && !skipping) {
      findHits(buf, 0, filled);
      const hit = nextHit(buf, 0, filled);
      if (hit >= 0) onLine(new CandidateLine(buf, 0, filled, hit, lines + 1, committed, true, latin1));
    }
  } finally {
    closeSync(fd);
  }
  return { offset: committed, lines, bytesRead, oversizedLines, tailHash: fingerprint(tail.subarray(0, tailLen)) };
}
