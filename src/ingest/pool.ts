// A small pool of ingest workers pulling files from one queue, largest first, so the cores finish together.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readLogFile, type ReadRequest, type ReadResult } from './read-file.js';

/** The bundled worker sits beside the bundled CLI; when running from sources there is none and reading stays in-process. */
export function workerScript(): string | null {
  const path = fileURLToPath(new URL('./ingest-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * Reads every request, in `workers` threads when more than one is asked for and a worker script exists, and hands
 * each result to `onResult` on the calling thread, in completion order. `onResult` may be async; results are applied
 * one at a time.
 */
export async function readAll(
  requests: ReadRequest[],
  workers: number,
  onResult: (r: ReadResult) => Promise<void>,
): Promise<void> {
  const script = workers > 1 ? workerScript() : null;
  if (!script) {
    for (const req of requests) await onResult(readLogFile(req));
    return;
  }
  const queue = [...requests];
  let chain = Promise.resolve();
  let failure: unknown;
  // Two files in flight per worker, so a worker never waits while the main thread is busy writing.
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
      w.on('message', (r: ReadResult) => {
        inFlight--;
        chain = chain.then(() => onResult(r)).catch((e) => {
          failure ??= e;
        });
        next();
      });
      w.on('error', reject);
      next();
      next();
    });
  await Promise.all(Array.from({ length: Math.min(workers, requests.length) }, runWorker));
  await chain;
  if (failure) throw failure;
}
