// A transcript path handed over by Claude Code (status line, hooks), looked at without ever blocking: the look runs
// off the main thread and is given up after a while, so a path on a stale network mount cannot hold the command,
// and anything but a regular file (a FIFO, a device) is not read at all.
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';

export async function probeTranscript(path: string, timeoutMs: number): Promise<{ path: string; stat: Stats } | null> {
  const look = (async () => {
    const real = await realpath(path);
    const st = await stat(real);
    return st.isFile() ? { path: real, stat: st } : null;
  })().catch(() => null);
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([look, givenUp]);
  } finally {
    clearTimeout(timer);
  }
}
