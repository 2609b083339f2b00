import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress bar', () => {
  it('draws on a terminal once indexing has taken long enough, and clears itself', () => {
    const { writes, stream } = fakeStream(true);
    const bar = progressBar(stream, 0);
    bar.update(512 << 20, 1024 << 20);
    bar.done();
    expect(writes[0]).toMatch(/^\r\x1b\[2KIndexing █{15}░{15} 50% 512\/1024 MB$/);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('stays silent off a terminal, and before its delay', () => {
    const off = fakeStream(false);
    const bar = progressBar(off.stream, 0);
    bar.update(1, 2);
    bar.done();
    expect(off.writes).toEqual([]);
    const early = fakeStream(true);
    const slow = progressBar(early.stream, 60_000);
    slow.update(1, 2);
    slow.done();
    expect(early.writes).toEqual([]);
  });
});
