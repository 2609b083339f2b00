// A small pool of ingest workers pulling files from one queue, so the cores finish together.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PriceBook } from '../core/pricing.js';
import type { ReadRequest, ReadResult } from './read-file.js';
import { takeFile, type PriceQuestion, type WorkerDone, type WorkerSetup } from './worker-protocol.js';

/**
 * Small heaps: without limits V8 lets each worker's heap grow to several times what it holds between collections,
 * and a cold index of 1 GB peaked near 240 MB; with them it stays near 150 MB, for ~10% more time spent collecting.
 * 256 MB of old space still holds the events of a transcript of several GB.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

/** The bundled worker sits beside the bundled CLI; when running from sources there is none and reading stays in-process. */
export function workerScript(): string | null {
  const path = fileURLToPath(new URL('./ingest-worker.mjs', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * Reads and stores every request in `workers` threads and, when `local` is given, on this thread too, all taking
 * files from one shared list; `onResult` gets each file's figures as it finishes, and `prices` answers the workers'
 * questions for prices. Returns the quarter hours the workers wrote to.
 */
export async function readInWorkers(
  script: string,
  setup: Pick<WorkerSetup, 'dbPath' | 'lock'>,
  requests: ReadRequest[],
  workers: number,
  onResult: (r: ReadResult) => void,
  prices: () => Promise<PriceBook>,
  local?: (req: ReadRequest) => Promise<ReadResult>,
): Promise<number[]> {
  const { Worker } = await import('node:worker_threads');
  const shared: WorkerSetup = { ...setup, files: requests, next: new SharedArrayBuffer(4) };
  const next = new Int32Array(shared.next);
  const touched: number[] = [];
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(script, { workerData: shared, resourceLimits: WORKER_LIMITS });
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
          resolve();
          return;
        }
        try {
          onResult(msg);
        } catch (e) {
          reject(e);
        }
      });
      w.on('error', reject);
      // A worker that dies without an error event (out of memory, killed) must not leave the index waiting forever.
      w.on('exit', (code) => {
        if (!finished) reject(new Error(`an ingest worker stopped (exit code ${code}) before finishing its files`));
      });
    });
  // This thread reads while the workers start (a worker takes ~0.1 s to load), and between files lets their
  // messages in: results, and questions for prices it answers.
  const runLocal = async () => {
    for (let req = takeFile(requests, next); req; req = takeFile(requests, next)) {
      onResult(await local!(req));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all([...Array.from({ length: workers }, runWorker), ...(local ? [runLocal()] : [])]);
  return touched;
}
