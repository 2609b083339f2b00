import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanLines } from '../../src/ingest/line-scanner.js';
import { tempDir } from '../helpers/transcript.js';

const marker = Buffer.from('"usage"');
let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.cleanup());

function scan(path: string, from = 0, line = 0, chunkBytes?: number, maxLineBytes?: number) {
  const seen: Array<{ text: string; lineNo: number; offset: number; unterminated: boolean }> = [];
  // A line's bytes are only valid during the callback: the test keeps its text.
  const result = scanLines(path, from, line, { marker, chunkBytes, maxLineBytes }, (l) =>
    seen.push({ text: l.text, lineNo: l.lineNo, offset: l.offset, unterminated: l.unterminated }));
  return { result, seen };
}

describe('scanLines', () => {
  it('hands over only lines with the marker, with their numbers and offsets', () => {
    dir = tempDir();
    const f = join(dir.path, 'a.jsonl');
    const lines = ['{"type":"user"}', '{"usage":1}', '{"x":2}', '{"usage":3}'];
    writeFileSync(f, lines.join('\n') + '\n');
    const { result, seen } = scan(f);
    expect(seen.map((l) => [l.text, l.lineNo, l.offset])).toEqual([
      ['{"usage":1}', 2, 16],
      ['{"usage":3}', 4, 36],
    ]);
    expect(result).toMatchObject({ offset: 48, lines: 4 });
  });

  it('finds lines across chunk borders and lines larger than a chunk', () => {
    dir = tempDir();
    const f = join(dir.path, 'a.jsonl');
    const big = `{"usage":${JSON.stringify('x'.repeat(5000))}}`;
    const lines = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? big : `{"n":${i},"pad":"${'y'.repeat(i % 50)}"}`));
    writeFileSync(f, lines.join('\n') + '\n');
    const { result, seen } = scan(f, 0, 0, 64);
    expect(seen.map((l) => l.lineNo)).toEqual(lines.flatMap((l, i) => (l === big ? [i + 1] : [])));
    expect(seen.every((l) => l.text === big)).toBe(true);
    expect(result.lines).toBe(300);
  });

  it('leaves a half-written last line for later, then reads it once complete', () => {
    dir = tempDir();
    const f = join(dir.path, 'a.jsonl');
    writeFileSync(f, '{"usage":1}\n{"usage":2,"half');
    const first = scan(f);
    expect(first.result).toMatchObject({ offset: 12, lines: 1 });
    expect(first.seen.map((l) => [l.lineNo, l.unterminated])).toEqual([[1, false], [2, true]]);
    appendFileSync(f, '":true}\n');
    const second = scan(f, first.result.offset, first.result.lines);
    expect(second.seen.map((l) => [l.text, l.lineNo, l.unterminated])).toEqual([['{"usage":2,"half":true}', 2, false]]);
    expect(second.result.offset).toBe(36);
  });

  it('skips and reports a line beyond the size limit, and goes on', () => {
    dir = tempDir();
    const f = join(dir.path, 'a.jsonl');
    writeFileSync(f, `{"usage":1}\n{"usage":"${'z'.repeat(10_000)}"}\n{"usage":3}\n`);
    const { result, seen } = scan(f, 0, 0, 256, 1024);
    expect(result.oversizedLines).toEqual([2]);
    expect(seen.map((l) => l.text)).toEqual(['{"usage":1}', '{"usage":3}']);
    expect(result.lines).toBe(3);
  });

  it('reads nothing from an empty file', () => {
    dir = tempDir();
    const f = join(dir.path, 'a.jsonl');
    writeFileSync(f, '');
    expect(scan(f).result).toMatchObject({ offset: 0, lines: 0, bytesRead: 0 });
  });
});
