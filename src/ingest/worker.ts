// Ingest worker: reads, parses and prices whole files off the main thread and writes their events to its own staging
// file; the main thread only merges staging files into the index.
import { parentPort, workerData } from 'node:worker_threads';
import { PriceBook } from '../core/pricing.js';
import { SqliteStagingWriter } from '../store/sqlite-staging.js';
import { priceEvents } from './price-events.js';
import { readLogFile, type ReadRequest } from './read-file.js';

const port = parentPort!;
const writer = new SqliteStagingWriter((workerData as { stagingPath: string }).stagingPath);
const book = new PriceBook();

port.on('message', (msg: ReadRequest | 'close') => {
  if (msg === 'close') {
    writer.close();
    port.postMessage('closed');
    return;
  }
  const result = readLogFile(msg);
  writer.add(priceEvents(result.events, book, msg.fileId));
  port.postMessage({ ...result, events: [] });
});
