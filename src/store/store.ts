// The one interface every store implements (embedded SQLite now, PostgreSQL for fleets). Writes are idempotent on the
// event's dedup key: of two copies the one with more tokens stays, so re-reading anything converges to the same totals.
import type { Speed, TokenCounts, UsageEvent } from '../core/event.js';

export interface PricedEvent extends UsageEvent {
  /** Cost computed from the price database, or null when the model has no known price. */
  calcCost: number | null;
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
}

export interface FileCommit {
  checkpoint: Checkpoint;
  events: PricedEvent[];
  /** The file was truncated or replaced: drop what it contributed before, then store `events`. */
  replace: boolean;
}

export interface UsageFilter {
  fromTs?: number;
  toTs?: number;
  /** A project's path, or the last segment of it. */
  project?: string;
}

export type Grouping = 'quarter-hour' | 'session';

/** Sums over the events of one group and model. */
export interface UsageRow extends TokenCounts {
  /** Quarter-hour index (ts / 15 min) or session id, by grouping. */
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
  fastRequests: number;
}

export interface PricingInput extends TokenCounts {
  dedupKey: string;
  ts: number;
  model: string;
  speed: Speed;
}

export interface Store {
  checkpoints(): Promise<Map<string, Checkpoint>>;
  /** A new file id for a path seen for the first time. */
  registerFile(path: string): Promise<number>;
  /** Stores a file's new events and its checkpoint atomically: a crash never leaves the checkpoint ahead of the data. */
  commitFile(commit: FileCommit): Promise<void>;
  /** Marks sidechain replays whose message also exists as a main-chain copy under another request id. */
  resolveSidechains(): Promise<void>;
  usage(filter: UsageFilter, grouping: Grouping): Promise<UsageRow[]>;
  eventCount(): Promise<number>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Recomputes every stored calculated cost (after the price database or rules changed). */
  reprice(price: (e: PricingInput) => number | null): Promise<number>;
  close(): Promise<void>;
}
