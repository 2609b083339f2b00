import type { UsageEvent } from '../core/event.js';
import type { PriceBook } from '../core/pricing.js';
import type { PricedEvent } from '../store/store.js';

export function priceEvents(events: UsageEvent[], book: PriceBook, fileId: number | null): PricedEvent[] {
  return events.map((e) => ({ ...e, calcCost: book.cost(e.model, e.ts, e.speed, e), fileId }));
}
