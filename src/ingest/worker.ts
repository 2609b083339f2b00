// Ingest worker: reads, parses and prices whole files off the main thread, which only writes to the store.
import { parentPort } from 'node:worker_threads';
import { PriceBook } from '../core/pricing.js';
import { priceEvents } from './price-events.js';
import { readLogFile, type PricedReadResult, type ReadRequest } from './read-file.js';

const port = parentPort!;
const book = new PriceBook();

port.on('message', (req: ReadRequest) => {
  const result = readLogFile(req);
  const priced: PricedReadResult = { ...result, events: priceEvents(result.events, book, req.fileId) };
  port.postMessage(priced);
});
