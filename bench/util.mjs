// What the benchmarks share: a free loopback port, and waiting for a daemon to have its index current.
import { createServer } from 'node:net';

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

export async function waitIndexed(port) {
  for (;;) {
    try {
      const h = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
      if (h.indexing === false) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
