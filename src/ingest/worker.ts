// Ingest worker: reads, parses and prices whole files and writes them into the index itself, taking turns with the
// other writers through a shared lock. Files come from one list shared by every reader: each takes the next one
// from a shared counter, so no reader waits for another to hand it work. The main thread answers for prices (the
// price database is not loaded here) and settles the index at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { PriceBook, priceKey, type KnownPrice } from '../core/pricing.js';
import { takeFile, type PriceAnswer, type PriceQuestion, type WorkerDone, type WorkerSetup } from './worker-protocol.js';
import { SqliteStore } from '../store/sqlite.js';
import { BatchWriter } from './batch-writer.js';
import type { PriceFill } from './prices.js';
import { readLogFile, type ReadResult } from './read-file.js';
import { WriteLock } from './write-lock.js';

const port = parentPort!;
const setup = workerData as WorkerSetup;
// A bulk load may have dropped secondary indexes on purpose: this connection must not recreate them.
const store = new SqliteStore(setup.dbPath, { cacheMb: 8, ensureIndexes: false });
const book = new PriceBook();
const asked = new Map<number, (known: KnownPrice[]) => void>();
let questions = 0;
const askMain: PriceFill = async (into, missing) => {
  const id = ++questions;
  const wanted = [...new Map(missing.map((e) => [`${e.model}\u0000${priceKey(e.ts, e.speed)}`, { model: e.model, ts: e.ts, speed: e.speed }])).values()];
  const known = await new Promise<KnownPrice[]>((resolve) => {
    asked.set(id, resolve);
    port.postMessage({ priceQuestion: id, wanted } satisfies PriceQuestion);
  });
  asked.delete(id);
  into.seed(known);
};
const writer = new BatchWriter(store, async () => book, new WriteLock(setup.lock), askMain);
// Answers arrive while a batch waits for them (see BatchWriter.flush).
port.on('message', (msg: PriceAnswer) => asked.get(msg.priceAnswer)?.(msg.known));

const next = new Int32Array(setup.next);
for (let req = takeFile(setup.files, next); req; req = takeFile(setup.files, next)) {
  const result = readLogFile(req);
  await writer.add(req, result);
  const summary: ReadResult = { ...result, events: [] };
  port.postMessage(summary);
}
await writer.flush();
port.postMessage({ done: true, touched: store.takeTouched() } satisfies WorkerDone);
await store.close();
port.close();
