// A small pool of ingest workers pulling files from one queue, so the cores finish together.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PriceBook } from '../core/pricing.js';
import type { ReadRequest, ReadResult } from './read-file.js';
import type { PriceQuestion, WorkerDone, WorkerSetup } from './worker.js';

/**
 * Small heaps: without limits V8 lets each worker's heap grow to several times what it holds between collections,
 * and a cold index of 1 GB peaked near 240 MB; with them it stays near 150 MB, for ~10% more time spent collecting.
 * 256 MB of old space still holds the events of a transcript of several GB.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

/** The bundled worker sits beside the bundled CLI; when running from sources there is none and reading stays in-process. */
export function workerScript(): string | null {
  const path = fileURLToPath(new URL('./ingest-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * Reads and stores every request in `workers` threads; `onResult` gets each file's figures as it finishes, and
 * `prices` answers the workers' questions for prices. Returns the quarter hours the workers wrote to.
 */
export async function readInWorkers(
  script: string,
  setup: WorkerSetup,
  requests: ReadRequest[],
  workers: number,
  onResult: (r: ReadResult) => void,
  prices: () => Promise<PriceBook>,
): Promise<number[]> {
  const queue = [...requests];
  const touched: number[] = [];
  // Two files in flight per worker, so a worker never waits for the next one to be handed over.
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(script, { workerData: setup, resourceLimits: WORKER_LIMITS });
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
      let finished = false;
      w.on('message', (msg: ReadResult | WorkerDone | PriceQuestion) => {
        if ('priceQuestion' in msg) {
          prices()
            .then((book) => w.postMessage({ priceAnswer: msg.priceQuestion, known: msg.wanted.map((p) => book.entry(p.model, p.ts, p.speed)) }))
            .catch(reject);
          return;
        }
        if ('done' in msg) {
          finished = true;
          touched.push(...msg.touched);
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
      // A worker that dies without an error event (out of memory, killed) must not leave the index waiting forever.
      w.on('exit', (code) => {
        if (!finished) reject(new Error(`an ingest worker stopped (exit code ${code}) before finishing its files`));
      });
      next();
      next();
    });
  await Promise.all(Array.from({ length: workers }, runWorker));
  return touched;
}
