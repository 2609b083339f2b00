// Fingerprints of a file's bytes at both ends of what was read: its head, and the bytes just before the checkpoint
// offset. A file rewritten in place (truncated and written again, or edited) changes one or the other even when it
// keeps its size growing, so it is read again from the start instead of being taken for an append.
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from './open-file.js';

/** Bytes fingerprinted at each end. */
export const FINGERPRINT_BYTES = 1024;

/** `${length}:${sha1}` of these bytes. */
export function fingerprint(bytes: Buffer): string {
  // Loaded when first needed: a report over an unchanged index hashes nothing, and crypto is slow to load.
  return `${bytes.length}:${process.getBuiltinModule('node:crypto').createHash('sha1').update(bytes).digest('hex')}`;
}

/** The fingerprint of bytes [from, to) of an open file (fewer if the file is shorter). */
export function fingerprintRange(fd: number, from: number, to: number): string {
  const buf = Buffer.alloc(Math.max(to - from, 0));
  const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, from) : 0;
  return fingerprint(buf.subarray(0, n));
}

/** The fingerprint of a file's first bytes (at most 1 KB, and at most `size`), or '' when it cannot be read. */
export function headHash(path: string, size: number): string {
  let fd: number | undefined;
  try {
    fd = openRegularFile(path);
    return fingerprintRange(fd, 0, Math.min(FINGERPRINT_BYTES, size));
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
