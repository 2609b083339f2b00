// A small pool of ingest workers pulling files from one queue, so the cores finish together. Workers read, parse
// and price; this thread only writes to the store.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PricedReadResult, ReadRequest } from './read-file.js';

/** The bundled worker sits beside the bundled CLI; when running from sources there is none and reading stays in-process. */
export function workerScript(): string | null {
  const path = fileURLToPath(new URL('./ingest-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/** Reads every request in `workers` threads; `onResult` runs on this thread as each file finishes, one at a time. */
export async function readInWorkers(
  script: string,
  requests: ReadRequest[],
  workers: number,
  onResult: (r: PricedReadResult) => Promise<void>,
): Promise<void> {
  const queue = [...requests];
  let chain = Promise.resolve();
  let failure: unknown;
  // Two files in flight per worker, so a worker never waits while this thread is busy writing.
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(script);
      let inFlight = 0;
      const next = () => {
        const req = queue.shift();
        if (req) {
          inFlight++;
          w.postMessage(req);
        } else if (inFlight === 0) {
          void w.terminate().then(() => resolve());
        }
      };
      w.on('message', (r: PricedReadResult) => {
        inFlight--;
        chain = chain.then(() => onResult(r)).catch((e: unknown) => {
          failure ??= e;
        });
        next();
      });
      w.on('error', reject);
      next();
      next();
    });
  await Promise.all(Array.from({ length: workers }, runWorker));
  await chain;
  if (failure) throw failure;
}
