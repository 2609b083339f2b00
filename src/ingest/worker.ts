// Ingest worker: reads, parses and prices whole files and writes them into the index itself, taking turns with the
// other workers through a shared lock. The main thread hands out files, answers for prices and settles the index at
// the end. The price database is not loaded here: the main thread's book resolves what this one does not know.
import { parentPort, workerData } from 'node:worker_threads';
import { PriceBook, type KnownPrice } from '../core/pricing.js';
import { SqliteStore } from '../store/sqlite.js';
import { BatchWriter } from './batch-writer.js';
import type { PriceFill, PriceWanted } from './prices.js';
import { readLogFile, type ReadRequest, type ReadResult } from './read-file.js';
import { WriteLock } from './write-lock.js';

export interface WorkerSetup {
  dbPath: string;
  lock: SharedArrayBuffer;
}

/** A worker asks the main thread for the prices its book lacks... */
export interface PriceQuestion {
  priceQuestion: number;
  wanted: PriceWanted[];
}

/** ...and is answered with them. */
export interface PriceAnswer {
  priceAnswer: number;
  known: KnownPrice[];
}

/** What a worker says when it is done: the quarter hours it wrote to, for the main thread's rollup. */
export interface WorkerDone {
  done: true;
  touched: number[];
}

const port = parentPort!;
const setup = workerData as WorkerSetup;
// A bulk load may have dropped secondary indexes on purpose: this connection must not recreate them.
const store = new SqliteStore(setup.dbPath, { cacheMb: 8, ensureIndexes: false });
const book = new PriceBook();
const asked = new Map<number, (known: KnownPrice[]) => void>();
let questions = 0;
const askMain: PriceFill = async (into, missing) => {
  const id = ++questions;
  const wanted = [...new Map(missing.map((e) => [`${e.model}\u0000${Math.floor(e.ts / 86_400_000)}\u0000${e.speed}`, { model: e.model, ts: e.ts, speed: e.speed }])).values()];
  const known = await new Promise<KnownPrice[]>((resolve) => {
    asked.set(id, resolve);
    port.postMessage({ priceQuestion: id, wanted } satisfies PriceQuestion);
  });
  asked.delete(id);
  into.seed(known);
};
const writer = new BatchWriter(store, async () => book, new WriteLock(setup.lock), askMain);
let queue = Promise.resolve();

port.on('message', (msg: ReadRequest | 'close' | PriceAnswer) => {
  // An answer is awaited by the file being written: it must not queue behind it.
  if (typeof msg === 'object' && 'priceAnswer' in msg) {
    asked.get(msg.priceAnswer)?.(msg.known);
    return;
  }
  queue = queue.then(async () => {
    if (msg === 'close') {
      await writer.flush();
      const done: WorkerDone = { done: true, touched: store.takeTouched() };
      await store.close();
      port.postMessage(done);
      return;
    }
    const result = readLogFile(msg);
    await writer.add(msg, result);
    const summary: ReadResult = { ...result, events: [] };
    port.postMessage(summary);
  });
});
