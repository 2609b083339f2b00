// A small pool of ingest workers pulling files from one queue, so the cores finish together. Each worker writes
// events to its own staging file and reports per-file results (checkpoints, counts, problems) back.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReadRequest, ReadResult } from './read-file.js';

/** The bundled worker sits beside the bundled CLI; when running from sources there is none and reading stays in-process. */
export function workerScript(): string | null {
  const path = fileURLToPath(new URL('./ingest-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/** Reads every request in one worker per staging path; `onResult` runs on this thread as each file finishes. */
export async function readInWorkers(
  script: string,
  requests: ReadRequest[],
  stagingPaths: string[],
  onResult: (r: ReadResult) => void,
): Promise<void> {
  const queue = [...requests];
  // Two files in flight per worker, so a worker never waits for the main thread to hand it the next one.
  const runWorker = (stagingPath: string) =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(script, { workerData: { stagingPath } });
      let inFlight = 0;
      let closing = false;
      const next = () => {
        const req = queue.shift();
        if (req) {
          inFlight++;
          w.postMessage(req);
        } else if (inFlight === 0 && !closing) {
          closing = true;
          w.postMessage('close');
        }
      };
      w.on('message', (msg: ReadResult | 'closed') => {
        if (msg === 'closed') {
          void w.terminate().then(() => resolve());
          return;
        }
        inFlight--;
        try {
          onResult(msg);
        } catch (e) {
          reject(e);
        }
        next();
      });
      w.on('error', reject);
      next();
      next();
    });
  await Promise.all(stagingPaths.map(runWorker));
}
