// The one interface every store implements (embedded SQLite now, PostgreSQL for fleets). Writes are idempotent on the
// event's dedup key: of two copies the one core's shouldReplace prefers stays, so re-reading converges to the same totals.
import type { Speed, TokenCounts, UsageEvent } from '../core/event.js';
import type { KnownPrice } from '../core/pricing.js';
import type { OffsetSegment } from '../core/time.js';
import type { DirListings, ListingChanges } from '../sources/discovery.js';

export interface PricedEvent extends UsageEvent {
  /** Cost computed from the price database, or null when the model has no known price. */
  calcCost: number | null;
  /** The file the event was read from, if any: a replaced file takes its events with it. */
  fileId: number | null;
}

export interface Checkpoint {
  fileId: number;
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Offset just past the last complete line read. */
  offset: number;
  lines: number;
  /** Fingerprint of the file's first bytes, to notice a file rewritten in place. */
  headHash: string;
  /** Fingerprint of the bytes just before `offset`: a rewrite that keeps the head is noticed too ('' when unknown). */
  tailHash: string;
  /** When the file was looked at for this checkpoint (ms since the epoch; 0: unknown). */
  checkedAt: number;
  /** The source parser's state after the last read (Codex's running total and model), if it keeps one. */
  state?: string | null;
}

/** What planning looks at first: enough to tell that a file has not changed since its checkpoint. */
export type FileStamp = Pick<Checkpoint, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'checkedAt'>;

export interface Batch {
  /** Files that were truncated or replaced: what they contributed before is dropped first. */
  replacedFileIds: number[];
  /** Per-request events (transcripts, telemetry log events, the proxy). */
  events: PricedEvent[];
  /** Where each file of the batch has been read up to. */
  checkpoints: Checkpoint[];
  /** Official window readings found in logs (Codex's rate_limits). */
  readings?: Array<{ tool: string; window: string; at: number; usedPercent: number; resetsAt: number }>;
  /** Lines that could not be read, by file. */
  problems?: Array<{ fileId: number; line: number; message: string }>;
  /**
   * Usage derived from token metrics (keys start with METRIC_KEY_PREFIX): stored only for sessions no per-request
   * source covers, and dropped when one starts to.
   */
  metricEvents?: PricedEvent[];
  metricTotals?: MetricTotals[];
  counters?: CounterValue[];
  /** The last value of each cumulative metric series, saved with the deltas computed from it. */
  series?: SeriesState[];
}

/** Dedup keys of usage derived from token metrics: `m:<session>\u0001…`, so a session's are one key range. */
export const METRIC_KEY_PREFIX = 'm:';
export const metricKey = (sessionId: string, rest: string) => `${METRIC_KEY_PREFIX}${sessionId}\u0001${rest}`;

export interface CounterValue {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface SeriesState {
  key: string;
  startNano: string;
  value: number;
}

/** What token metrics said about a session, kept to compare with its per-request records. */
export interface MetricTotals {
  sessionId: string;
  tool: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
  lastTs: number;
}

/** An event as the live views and the API see it. */
export interface EventRow extends TokenCounts {
  id: number;
  ts: number;
  tool: string;
  source: string;
  /** Every source that saw the request, comma-separated. */
  sources: string;
  host: string;
  sessionId: string;
  project: string;
  model: string;
  /** Reported cost where the log has one, else the calculated one (0 when neither is known). */
  cost: number;
}

export interface TotalsRow extends TokenCounts {
  tool: string;
  model: string;
  host: string;
  requests: number;
  cost: number;
}

export type BreakdownKey = 'model' | 'project' | 'session' | 'tool' | 'host';

export interface BreakdownRow extends TokenCounts {
  key: string;
  requests: number;
  cost: number;
  lastTs: number;
  /** Requests whose cost is unknown (no price, none reported): the cost is a lower bound, shown with "?". */
  unpriced?: number;
  /** Records whose tokens are unknown (only their cost is: Crush): the counts are a lower bound, shown with "?". */
  tokensUnknown?: number;
}

export interface TimeBucketRow extends TokenCounts {
  /** Start of the bucket, ms since the epoch. */
  t: number;
  requests: number;
  cost: number;
}

/** Lifetime figures of one host, imported from the seeds' usage-tracking.json. */
export interface ImportedHost {
  host: string;
  tokens: number;
  input: number;
  output: number;
  requests: number;
  sessions: number;
  firstSeen: number | null;
  lastSeen: number | null;
  source: string;
}

/** One host's figures from the index. */
export interface HostFigures {
  host: string;
  tokens: number;
  requests: number;
  sessions: number;
  cost: number;
  /** Requests whose cost is unknown. */
  unpriced?: number;
  lastActivity: number;
  windowTokens: number;
  /** Pooled store only: when the host's daemon last reported, and the changes it had not shipped then. */
  lastSeen?: number | null;
  backlog?: number | null;
}

/** An official reading of a usage window (Claude Code's `rate_limits`), with the local figures of that window. */
export interface LimitReading {
  at: number;
  tool: string;
  /** '5h' or '7d'. */
  window: string;
  usedPercent: number;
  resetsAt: number;
  localCost: number;
  localTokens: number;
}

/** One request as each source that saw it counted it, when the counts differ. */
export interface RequestDisagreement {
  requestId: string;
  sessionId: string;
  model: string;
  ts: number;
  copies: Array<{ source: string; input: number; output: number; cacheRead: number; cacheWrite: number }>;
}

/** A session whose token metrics and per-request records differ. */
export interface SessionDisagreement {
  sessionId: string;
  tool: string;
  metrics: { input: number; output: number; cacheRead: number; cacheWrite: number };
  requests: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

/** Time bounds are applied at quarter-hour resolution, which every time zone's day boundaries fall on. */
export interface UsageFilter {
  fromTs?: number;
  toTs?: number;
  /** A project's path, or the last segment of it. */
  project?: string;
  session?: string;
  tool?: string;
  model?: string;
  host?: string;
}

/** By local day (the zone's offsets over the range asked for), or by session. */
export type Grouping = { by: 'day'; offsets: OffsetSegment[] } | { by: 'session' };

/** Sums over the events of one group and model. */
export interface UsageRow extends TokenCounts {
  /** Local day number (days since the epoch) or session id, by grouping. */
  group: string | number;
  model: string;
  project: string;
  lastTs: number;
  requests: number;
  calcCost: number;
  calcUnknown: number;
  reportedCost: number;
  /** Cost in auto mode: the reported cost where the log has one, else the calculated one. */
  autoCost: number;
  autoUnknown: number;
  /** Requests priced as a fallback model because their log named none. */
  fallbackRequests: number;
  /** Records whose tokens are unknown (only their cost is): the counts beside them are a lower bound. */
  unknownTokenRequests: number;
  /** The agent's own billing credits (one tool's unit: only its tool's rows are summed together in reports). */
  credits: number;
  tool: string;
}

export interface PricingInput extends TokenCounts {
  ts: number;
  model: string;
  speed: Speed;
}

/** What the views read (reports, the daemon's read model, API, metrics, status line): the pooled PostgreSQL store serves it too. */
export type ViewStore = Pick<Store,
  'usage' | 'timeRange' | 'eventsAfter' | 'eventsSince' | 'lastEventId' | 'totals' | 'breakdown' | 'timeBuckets' | 'sumSince'
  | 'hostFigures' | 'importedHosts' | 'limitReadings' | 'addLimitReading' | 'getMeta' | 'setMeta' | 'counters' | 'eventCount'>;

/** An event as it leaves the local index for the pooled store. */
export interface ShippedEvent extends TokenCounts {
  dedupKey: string;
  ts: number;
  tool: string;
  source: string;
  sources: string | null;
  host: string;
  sessionId: string;
  project: string;
  model: string;
  speed: string;
  reportedCost: number | null;
  calcCost: number | null;
  isSidechain: number;
  requestId: string | null;
  modelFallback: number;
  tokensUnknown: number;
  credits: number | null;
}

/**
 * What the local index holds that the pooled store has not acknowledged, oldest change first: rows to upsert (their
 * current copy) and tombstones of rows deleted locally. `seqs` are acknowledged once the pooled store committed.
 */
export interface Shipment {
  seqs: number[];
  rows: ShippedEvent[];
  tombstones: Array<{ dedupKey: string; host: string }>;
}

export interface Store {
  checkpoints(): Promise<Map<string, Checkpoint>>;
  /** Every file's stamp: several times cheaper to load than whole checkpoints, and most files have not changed. */
  fileStamps(): Promise<Map<string, FileStamp>>;
  /** The checkpoints of these paths only (a status line reads one file, in an index of thousands). */
  checkpointsOf(paths: string[]): Promise<Map<string, Checkpoint>>;
  /** Folder listings kept by discovery, so that an unchanged folder is not read again. */
  dirListings(): Promise<DirListings>;
  saveDirListings(changes: ListingChanges): Promise<void>;
  /** File ids for paths seen for the first time, in order. */
  registerFiles(paths: string[]): Promise<number[]>;
  /** Stores events and checkpoints atomically: a crash never leaves a checkpoint ahead of the data. */
  commit(batch: Batch): Promise<void>;
  /**
   * Before a large first load: secondary indexes are dropped and rebuilt once at the end, which is several times
   * faster than maintaining them row by row. Opening the store rebuilds them if a bulk load was cut short.
   */
  beginBulkLoad(): Promise<void>;
  endBulkLoad(): Promise<void>;
  /**
   * After writes: brings the report rollup up to date, including for the quarter hours (`touchedElsewhere`) that
   * other connections wrote to.
   */
  settle(touchedElsewhere?: number[]): Promise<void>;
  /** A location other connections (ingest workers) may open to write into this store themselves, if any. */
  sharedLocation?(): string | null;
  usage(filter: UsageFilter, grouping: Grouping): Promise<UsageRow[]>;
  /** First and last event times, or null when there are none. */
  timeRange(filter: UsageFilter): Promise<{ from: number; to: number } | null>;
  eventCount(): Promise<number>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Prices resolved in earlier runs, so that pricing new events rarely needs the price database. */
  loadPrices(): Promise<KnownPrice[]>;
  savePrices(prices: KnownPrice[]): Promise<void>;
  /** Live views: events stored after the one with this id, oldest first. */
  eventsAfter(id: number, limit: number): Promise<EventRow[]>;
  /** Events from this time on, oldest first (windows and burn rates). */
  eventsSince(ts: number): Promise<EventRow[]>;
  lastEventId(): Promise<number>;
  /** All-time totals by tool, model and host. */
  totals(): Promise<TotalsRow[]>;
  breakdown(filter: UsageFilter, by: BreakdownKey): Promise<BreakdownRow[]>;
  /** Totals per fixed-size time bucket (a minute, an hour) over a range. */
  timeBuckets(filter: UsageFilter, bucketMs: number): Promise<TimeBucketRow[]>;
  counters(): Promise<CounterValue[]>;
  loadSeries(): Promise<SeriesState[]>;
  /** Requests counted by each combination of sources that saw them. */
  requestsBySources(): Promise<Array<{ sources: string; requests: number }>>;
  requestDisagreements(limit: number): Promise<RequestDisagreement[]>;
  sessionDisagreements(limit: number): Promise<SessionDisagreement[]>;
  /** Sums of the events from this time on (over the time index: for short spans). */
  sumSince(ts: number): Promise<TokenCounts & { requests: number; cost: number }>;
  /** Unreadable lines recorded at ingest, with their file's path, and how many there are in all. */
  fileProblems(limit: number): Promise<{ total: number; first: Array<{ path: string; line: number; message: string }> }>;
  /** Models of stored requests that no price is known for, with how many requests. */
  unpricedModels(): Promise<Array<{ model: string; requests: number }>>;
  /** Stores (replaces) imported lifetime figures per host. */
  importHosts(hosts: ImportedHost[]): Promise<void>;
  importedHosts(): Promise<ImportedHost[]>;
  /** Per host: lifetime and since `windowStart` figures from the index. */
  hostFigures(windowStart: number): Promise<HostFigures[]>;
  addLimitReading(r: LimitReading): Promise<void>;
  /** Readings of a window taken since `since`, oldest first. */
  limitReadings(window: string, since: number): Promise<LimitReading[]>;
  /** Recomputes every stored calculated cost (after the price database or rules changed); forgets kept prices. */
  reprice(price: (e: PricingInput) => number | null): Promise<number>;
  close(): Promise<void>;
}
