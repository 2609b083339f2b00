// Ingest worker: reads and parses whole files off the main thread, which only writes to the store.
import { parentPort } from 'node:worker_threads';
import { readLogFile, type ReadRequest } from './read-file.js';

parentPort?.on('message', (req: ReadRequest) => {
  parentPort!.postMessage(readLogFile(req));
});
