// Turns interpreted telemetry into store writes: cumulative series become deltas (a series that restarts is a reset,
// never a negative delta), token metric points of one export become one usage record per session and model, and
// everything received in one turn of the event loop is committed in one transaction (group commit).
import { cacheWrite, emptyCounts, type Tool, type UsageEvent } from '../core/event.js';
import type { PriceBook } from '../core/pricing.js';
import { nanosToMs, type Temporality } from '../sources/otlp/flatten.js';
import type { Interpretation, MetricUsagePoint } from '../sources/otlp/interpret.js';
import { metricKey, type Batch, type CounterValue, type MetricTotals, type SeriesState, type Store } from '../store/store.js';
import { priceEvents } from './prices.js';


export interface TelemetryOptions {
  store: Store;
  /** The host token metrics are attributed to (they do not name one). */
  host: string;
  priceBook: () => Promise<PriceBook>;
  /** Runs a store write so that it never overlaps another writer of this process (the file indexer). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called after each commit; the store's rollup still has to be settled. */
  onCommit?: () => void;
}

interface Pending {
  interp: Interpretation;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class TelemetryIngest {
  private series = new Map<string, SeriesState>();
  private loaded: Promise<void> | undefined;
  private queue: Pending[] = [];
  private scheduled = false;
  /** Records stored since start by source ('otlp', 'hook'), for /metrics; token metric records count as 'otlp'. */
  received: Record<string, number> = {};

  constructor(private readonly opts: TelemetryOptions) {}

  /** Resolves once what was given is committed: an OTLP sender is told "accepted" only for stored data. */
  accept(interp: Interpretation): Promise<void> {
    if (interp.events.length === 0 && interp.usage.length === 0 && interp.counters.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ interp, resolve, reject });
      // Everything that arrived in this turn of the event loop shares one transaction: under load, many requests.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  async flush(): Promise<void> {
    this.scheduled = false;
    const pending = this.queue;
    this.queue = [];
    if (pending.length === 0) return;
    try {
      this.loaded ??= this.opts.store.loadSeries().then((rows) => {
        for (const r of rows) this.series.set(r.key, r);
      });
      await this.loaded;
      const batch = await this.batchOf(pending.map((p) => p.interp));
      // The rollup is brought up to date by the caller (onCommit), at its own pace: under load, once per many commits.
      await this.opts.exclusive(() => this.opts.store.commit(batch));
      this.opts.onCommit?.();
      for (const p of pending) p.resolve();
    } catch (e) {
      // Cumulative state may have advanced for data that was not stored: read it again from the store.
      this.series.clear();
      this.loaded = undefined;
      for (const p of pending) p.reject(e);
    }
  }

  /** The change a point brings: its value for a delta series, the increase since the last point for a cumulative one. */
  private delta(key: string, temporality: Temporality, startNano: string, value: number, changed: Map<string, SeriesState>): number {
    if (temporality !== 'cumulative') return value;
    const last = changed.get(key) ?? this.series.get(key);
    const state = { key, startNano, value };
    changed.set(key, state);
    this.series.set(key, state);
    if (!last || last.startNano !== startNano || value < last.value) return value; // a new or restarted series
    return value - last.value;
  }

  private async batchOf(interps: Interpretation[]): Promise<Batch> {
    const changed = new Map<string, SeriesState>();
    const events: UsageEvent[] = [];
    const counters = new Map<string, CounterValue>();
    const grouped = new Map<string, { event: UsageEvent; withCache: number; tool: number }>();
    const totals = new Map<string, MetricTotals>();
    for (const interp of interps) {
      for (const e of interp.events) events.push(e);
      for (const c of interp.counters) {
        const d = c.seriesKey ? this.delta(c.seriesKey, c.temporality, c.startNano, c.value, changed) : c.value;
        if (d === 0) continue;
        const key = `${c.name}\u0000${JSON.stringify(c.labels)}`;
        const acc = counters.get(key);
        if (acc) acc.value += d;
        else counters.set(key, { name: c.name, labels: c.labels, value: d });
      }
      for (const p of interp.usage) {
        const d = this.delta(p.seriesKey, p.temporality, p.startNano, p.value, changed);
        if (d === 0) continue;
        addUsage(grouped, p, d);
      }
    }
    const metricEvents: UsageEvent[] = [];
    for (const g of grouped.values()) {
      // Gemini's input metric includes cached and tool-use prompt tokens are input too.
      if (g.withCache > 0) g.event.input += Math.max(g.withCache - g.event.cacheRead, 0);
      g.event.input += g.tool;
      g.event.output += g.event.reasoning && g.event.tool === 'gemini' ? g.event.reasoning : 0;
      g.event.host = this.opts.host;
      metricEvents.push(g.event);
      addToTotals(totals, g.event);
    }
    for (const e of [...events, ...metricEvents]) this.received[e.source] = (this.received[e.source] ?? 0) + 1;
    const book = events.length + metricEvents.length > 0 ? await this.opts.priceBook() : undefined;
    return {
      replacedFileIds: [],
      checkpoints: [],
      events: book ? await priceEvents(events, book) : [],
      metricEvents: book ? await priceEvents(metricEvents, book) : [],
      metricTotals: [...totals.values()],
      counters: [...counters.values()],
      series: [...changed.values()],
    };
  }
}

function addUsage(grouped: Map<string, { event: UsageEvent; withCache: number; tool: number }>, p: MetricUsagePoint, d: number): void {
  const session = p.sessionId || 'unknown';
  const key = metricKey(session, `${p.tool}\u0001${p.model}\u0001${p.variant}\u0001${p.timeNano}`);
  let g = grouped.get(key);
  if (!g) {
    const event: UsageEvent = {
      ...emptyCounts(), ts: nanosToMs(p.timeNano), tool: p.tool as Tool, source: 'otlp', host: '', sessionId: session,
      project: '', model: p.model, speed: p.variant.includes('speed=fast') ? 'fast' : 'standard', reportedCost: null,
      dedupKey: key, requestId: null, isSidechain: false,
    };
    grouped.set(key, (g = { event, withCache: 0, tool: 0 }));
  }
  const n = Math.round(d);
  const e = g.event;
  switch (p.kind) {
    case 'input': e.input += n; break;
    case 'output': e.output += n; break;
    case 'cacheRead': e.cacheRead += n; break;
    case 'cacheWrite': e.cacheWrite5m += n; break;
    case 'reasoning': e.reasoning += n; break;
    case 'inputWithCache': g.withCache += n; break;
    case 'tool': g.tool += n; break;
    case 'cost': e.reportedCost = (e.reportedCost ?? 0) + d; break;
  }
}

/** What token metrics said per session, kept to compare with the session's per-request records (doctor). */
function addToTotals(totals: Map<string, MetricTotals>, e: UsageEvent): void {
  const key = `${e.sessionId}\u0000${e.tool}`;
  let t = totals.get(key);
  if (!t) totals.set(key, (t = { sessionId: e.sessionId, tool: e.tool, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, lastTs: 0 }));
  t.input += e.input;
  t.output += e.output;
  t.cacheRead += e.cacheRead;
  t.cacheWrite += cacheWrite(e);
  t.cost += e.reportedCost ?? 0;
  t.lastTs = Math.max(t.lastTs, e.ts);
}
