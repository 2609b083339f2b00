// Bytes of a log to text. Most logs are ASCII, which decodes as latin1 (a copy) several times faster than UTF-8 (a
// validation): checking that bytes are ASCII costs a small fraction of either.
import { isAscii } from 'node:buffer';

export function decodeText(buf: Buffer, start: number, end: number): string {
  return buf.toString(isAscii(buf.subarray(start, end)) ? 'latin1' : 'utf8', start, end);
}
