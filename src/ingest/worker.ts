// Ingest worker: reads, parses and prices whole files and writes them into the index itself, taking turns with the
// other workers through a shared lock. The main thread only hands out files and settles the index at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { lookupPrice } from '../core/price-database.js';
import { overriddenLookup, PriceBook, type PriceConfig } from '../core/pricing.js';
import { SqliteStore } from '../store/sqlite.js';
import { BatchWriter } from './batch-writer.js';
import { readLogFile, type ReadRequest, type ReadResult } from './read-file.js';
import { WriteLock } from './write-lock.js';

export interface WorkerSetup {
  dbPath: string;
  lock: SharedArrayBuffer;
  /** The user's own prices, as the main thread has them. */
  priceConfig: PriceConfig;
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
const book = new PriceBook(overriddenLookup(lookupPrice, setup.priceConfig));
const writer = new BatchWriter(store, async () => book, new WriteLock(setup.lock));
let queue = Promise.resolve();

port.on('message', (msg: ReadRequest | 'close') => {
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
