// Prices for the events being written, without loading the price database when every price needed was resolved in
// an earlier run: resolved prices are kept in the store, and the database module (~40 ms to load) is imported only
// for a model or day not seen before.
import type { UsageEvent } from '../core/event.js';
import { PriceBook } from '../core/pricing.js';
import { priceLookup } from './price-config.js';
import type { PricedEvent, Store } from '../store/store.js';

export async function openPriceBook(store: Store): Promise<PriceBook> {
  const book = new PriceBook();
  book.seed(await store.loadPrices());
  return book;
}

/** A price wanted for a request: its model, time and speed. */
export type PriceWanted = Pick<UsageEvent, 'model' | 'ts' | 'speed'>;

/**
 * Makes a book able to price what it does not know yet. By default it loads the price database; an ingest worker
 * asks the main thread instead, so the database is loaded once per process rather than once per thread.
 */
export type PriceFill = (book: PriceBook, missing: PriceWanted[]) => Promise<void>;

export const loadDatabase: PriceFill = async (book) => book.useLookup(await priceLookup());

/** The events whose price the book does not know yet. */
export function unpriced(events: UsageEvent[], book: PriceBook): UsageEvent[] {
  return events.filter((e) => !e.tokensUnknown && !book.knows(e.model, e.ts, e.speed));
}

/** Adds the calculated cost to each event, in place: every price must be known to the book (see unpriced). */
export function priceKnown(events: PricedEvent[], book: PriceBook): void {
  for (const e of events) {
    // Whole milliseconds: the rollup's quarter-hour buckets are integer divisions of the stored time, and a file's
    // mtime (a session's time where its records carry none) has a fraction.
    e.ts = Math.floor(e.ts);
    // A record that knows only its cost (its tokens unknown) has no cost to calculate.
    e.calcCost = e.tokensUnknown ? null : book.cost(e.model, e.ts, e.speed, e);
  }
}

/**
 * Adds the calculated cost to each event of no file (telemetry, pushed usage), in place: the events are the caller's
 * own. Files' events are priced by the BatchWriter, which loads missing prices while it reads.
 */
export async function priceEvents(events: UsageEvent[], book: PriceBook): Promise<PricedEvent[]> {
  const missing = unpriced(events, book);
  if (missing.length > 0) await loadDatabase(book, missing);
  for (const e of events as PricedEvent[]) e.fileId = null;
  priceKnown(events as PricedEvent[], book);
  return events as PricedEvent[];
}
