import type { UsageEvent } from '../core/event.js';
import type { PriceBook } from '../core/pricing.js';
import type { PricedEvent } from '../store/store.js';

/** Adds the calculated cost and the source file to each event, in place: the events are the caller's own. */
export function priceEvents(events: UsageEvent[], book: PriceBook, fileId: number | null): PricedEvent[] {
  for (const e of events as PricedEvent[]) {
    e.calcCost = book.cost(e.model, e.ts, e.speed, e);
    e.fileId = fileId;
  }
  return events as PricedEvent[];
}
