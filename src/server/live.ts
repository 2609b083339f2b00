// The daemon's read model: what every output (metrics, API, stream, snapshot) shows, computed from the store after
// each write and kept in memory, so that a poll once a second costs a lookup, not a query.
import { BLOCK_MS, buildBlocks, burnRate, project, type Block, type BlockEntry } from '../core/blocks.js';
import { addCounts, emptyCounts, totalTokens, type TokenCounts } from '../core/event.js';
import type { EventRow, ViewStore, TotalsRow } from '../store/store.js';

/** How far back the current window's chain of requests is looked for. */
const WINDOW_LOOKBACK_MS = 48 * 3600_000;
/**
 * The events of that span are kept in memory and extended as events arrive; they are read again from the store this
 * often, to follow copies that replaced others.
 */
const WINDOW_RELOAD_MS = 5 * 60_000;
/** Per-second sums kept for rates. */
const RECENT_MS = 60 * 60_000;
const RATE_WINDOW_MS = 10 * 60_000;
/** The last events kept whole (the current session, the dashboard's list); older ones live on in the per-second sums. */
const RECENT_EVENTS = 2000;

export interface WindowView {
  start: number;
  /** When the window resets (start + 5 h). */
  reset: number;
  isActive: boolean;
  tokens: TokenCounts;
  totalTokens: number;
  cost: number;
  requests: number;
  burnRate: { tokensPerMinute: number; costPerHour: number } | null;
  projection: { totalTokens: number; totalCost: number; remainingMinutes: number } | null;
}

export interface Totals extends TokenCounts {
  requests: number;
  cost: number;
  totalTokens: number;
  /** Requests whose cost is unknown: the cost is a lower bound, shown with "?". */
  unpriced: number;
}

export function zeroTotals(): Totals {
  return { ...emptyCounts(), requests: 0, cost: 0, totalTokens: 0, unpriced: 0 };
}

export function addTo(t: Totals, r: TokenCounts & { cost: number; requests?: number; unpriced?: number }): void {
  addCounts(t, r);
  t.cost += r.cost;
  t.requests += r.requests ?? 1;
  t.unpriced += r.unpriced ?? 0;
  t.totalTokens = totalTokens(t);
}

type Listener = (kind: 'usage', event: EventRow) => void;

export class LiveState {
  private lastId = 0;
  private recent: EventRow[] = [];
  /** Sums by second of event time over the last hour, so rates stay exact however many events arrive. */
  private seconds = new Map<number, Totals>();
  private totalsCache: TotalsRow[] | undefined;
  /** The last window computed, per tool ('' for every tool's requests together). */
  private windowCache = new Map<string, { at: number; view: WindowView | null }>();
  private windowRows: { loadedAt: number; rows: Array<BlockEntry & { tool: string }> } | undefined;
  private listeners = new Set<Listener>();
  /** When the newest event was stored, and how old its own timestamp was then (the ingest lag). */
  lastStoredAt = 0;
  lastLagMs = 0;
  version = 0;

  constructor(private readonly store: ViewStore, private readonly now: () => number = Date.now) {}

  private started = false;

  async start(): Promise<void> {
    const lastId = await this.store.lastEventId();
    const recent = await this.store.eventsSince(this.now() - RECENT_MS);
    this.lastId = lastId;
    for (const e of recent) this.remember(e, this.now());
    this.started = true;
  }

  private remember(e: EventRow, now: number): void {
    if (now - e.ts > RECENT_MS || e.ts - now > 60_000) return;
    this.recent.push(e);
    if (this.recent.length > RECENT_EVENTS * 2) this.recent = this.recent.slice(-RECENT_EVENTS);
    const sec = Math.floor(e.ts / 1000);
    let t = this.seconds.get(sec);
    if (!t) this.seconds.set(sec, (t = zeroTotals()));
    addTo(t, e);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Picks up what was stored since the last call (after any write), and tells subscribers. */
  async pull(): Promise<number> {
    // A pooled store unreachable when the daemon started: the read model starts when it is back.
    if (!this.started) await this.start();
    this.totalsCache = undefined;
    this.windowCache.clear();
    this.version++;
    let n = 0;
    for (;;) {
      const rows = await this.store.eventsAfter(this.lastId, 5000);
      if (rows.length === 0) break;
      const now = this.now();
      for (const e of rows) {
        this.lastId = e.id;
        this.remember(e, now);
        if (this.windowRows && now - e.ts <= WINDOW_LOOKBACK_MS) this.windowRows.rows.push(toEntry(e));
        this.lastLagMs = Math.max(now - e.ts, 0);
        for (const l of this.listeners) l('usage', e);
      }
      this.lastStoredAt = now;
      n += rows.length;
    }
    if (n > 0) this.recent.sort((a, b) => a.ts - b.ts);
    const cutoff = Math.floor((this.now() - RECENT_MS) / 1000);
    for (const sec of this.seconds.keys()) if (sec < cutoff) this.seconds.delete(sec);
    return n;
  }

  async totals(): Promise<TotalsRow[]> {
    return (this.totalsCache ??= await this.store.totals());
  }

  /** The latest events of the last hour (up to a few thousand), oldest first. */
  recentEvents(): EventRow[] {
    return this.recent;
  }

  /** Sums of the events whose time is within the last `ms` (at one-second resolution). */
  recentTotals(ms: number): Totals {
    const t = zeroTotals();
    const from = Math.floor((this.now() - ms) / 1000);
    for (const [sec, s] of this.seconds) if (sec >= from) addTo(t, s);
    return t;
  }

  /** Tokens per minute and dollars per hour over the last 10 minutes. */
  recentRate(): { tokensPerMinute: number; costPerHour: number } {
    const t = this.recentTotals(RATE_WINDOW_MS);
    return { tokensPerMinute: t.totalTokens / (RATE_WINDOW_MS / 60_000), costPerHour: t.cost * (3600_000 / RATE_WINDOW_MS) };
  }

  /** The current (or last) 5-hour window; recomputed after a write or when a minute has passed. */
  /** The current 5-hour window of one tool's requests, or of all of them. */
  async window(tool?: string): Promise<WindowView | null> {
    const now = this.now();
    const cached = this.windowCache.get(tool ?? '');
    if (cached && now - cached.at < 60_000) return cached.view;
    if (!this.windowRows || now - this.windowRows.loadedAt > WINDOW_RELOAD_MS) {
      this.windowRows = { loadedAt: now, rows: (await this.store.eventsSince(now - WINDOW_LOOKBACK_MS)).map(toEntry) };
    }
    const rows = this.windowRows.rows.filter((r) => r.ts >= now - WINDOW_LOOKBACK_MS && r.ts <= now).sort((a, b) => a.ts - b.ts);
    this.windowRows.rows = rows;
    const blocks = buildBlocks(tool ? rows.filter((r) => r.tool === tool) : rows, now);
    const last = blocks.filter((b) => !b.isGap).at(-1);
    const view = last ? windowView(last, now) : null;
    this.windowCache.set(tool ?? '', { at: now, view });
    return view;
  }
}

export function toEntry(r: EventRow): BlockEntry & { tool: string } {
  return { ts: r.ts, tool: r.tool, model: r.model, cost: r.cost, input: r.input, output: r.output, cacheRead: r.cacheRead,
    cacheWrite5m: r.cacheWrite5m, cacheWrite1h: r.cacheWrite1h, reasoning: r.reasoning };
}

export function windowView(b: Block, now: number): WindowView {
  const rate = burnRate(b);
  return {
    start: b.start, reset: b.start + BLOCK_MS, isActive: b.isActive, tokens: b.tokens, totalTokens: b.totalTokens,
    cost: b.cost, requests: b.entries, burnRate: rate, projection: project(b, rate, now),
  };
}
