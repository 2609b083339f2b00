// What the main thread and the ingest workers say to each other, and how they share the list of files.
import type { KnownPrice } from '../core/pricing.js';
import type { PriceWanted } from './prices.js';
import type { ReadRequest } from './read-file.js';

export interface WorkerSetup {
  dbPath: string;
  lock: SharedArrayBuffer;
  /** The files to read, largest first, shared with the other readers... */
  files: ReadRequest[];
  /** ...and the index of the next one not taken yet (an Int32 cell). */
  next: SharedArrayBuffer;
}

/** The next file no reader has taken, or null when all are taken. */
export function takeFile(files: ReadRequest[], next: Int32Array): ReadRequest | null {
  const i = Atomics.add(next, 0, 1);
  return i < files.length ? files[i]! : null;
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

