// The normalized usage event: one record per API request, whatever tool or source reported it.
import { quoteValue } from './text.js';

/** The tool usage is recorded under: an agent's name from the source registry, or `api` (SDK scripts, direct calls). */
export type Tool = string;
export type Source = 'transcript' | 'otlp' | 'proxy' | 'hook';
export type Speed = 'standard' | 'fast';

/**
 * Token counts by kind, normalized the same way for every provider:
 * `input` never includes cache reads or writes (Anthropic's convention), and
 * `reasoning` is a part of `output`, never added to it.
 */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  reasoning: number;
}

export interface UsageEvent extends TokenCounts {
  /** Milliseconds since the epoch (UTC). */
  ts: number;
  tool: Tool;
  source: Source;
  host: string;
  sessionId: string;
  /** The working directory the tool ran in. */
  project: string;
  model: string;
  speed: Speed;
  /** A cost the log itself carries (Claude Code's old `costUSD`), else null. */
  reportedCost: number | null;
  /** Copies of one response collapse onto this key: the provider's message id where there is one. */
  dedupKey: string;
  /** The provider's request id (`request-id` header, transcript `requestId`), when known. */
  requestId: string | null;
  /** A copy seen in a side conversation (a subagent or a /btw replay): any main-chain copy wins over it. */
  isSidechain: boolean;
  /** The log named no model: priced as a documented fallback model, and flagged in reports. */
  modelFallback?: boolean;
  /**
   * Only a cost is known (a Crush session): the counts are not zero but unknown, and reports say so. Such a record
   * always carries its reported cost.
   */
  tokensUnknown?: boolean;
  /**
   * The agent's own billing unit for the request (Augment, Amp or Factory credits): kept beside the tokens, never
   * taken for USD, and never added across agents (each counts its own).
   */
  credits?: number | null;
  /**
   * A session's running totals standing in for per-call records that do not exist on disk (Droid), keyed
   * `sessionTotalKey(tool, session)`: counted only until per-call telemetry of the same tool and session arrives.
   */
  sessionTotal?: boolean;
}

/** The key of a session's running-totals record (see UsageEvent.sessionTotal). */
export const sessionTotalKey = (tool: string, session: string): string => `${tool}:total:${session}`;

export function emptyCounts(): TokenCounts {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0 };
}

/** Adds `c`'s counts into `into`. */
export function addCounts(into: TokenCounts, c: TokenCounts): void {
  into.input += c.input;
  into.output += c.output;
  into.cacheRead += c.cacheRead;
  into.cacheWrite5m += c.cacheWrite5m;
  into.cacheWrite1h += c.cacheWrite1h;
  into.reasoning += c.reasoning;
}

export function cacheWrite(c: TokenCounts): number {
  return c.cacheWrite5m + c.cacheWrite1h;
}

/** Billable tokens: reasoning is inside output, so it is not added again. */
export function totalTokens(c: TokenCounts): number {
  return c.input + c.output + c.cacheRead + cacheWrite(c);
}

/** Tokens of the prompt side of one request, which decides long-context billing. */
export function promptTokens(c: TokenCounts): number {
  return c.input + c.cacheRead + cacheWrite(c);
}

/**
 * Of two copies of one response, whether `candidate` should replace `current`: a main-chain copy wins over a
 * sidechain one; then the larger token total (streaming writes early partial snapshots); on a tie, the copy that
 * knows the request ran in fast mode, then the one that knows its project.
 */
export function shouldReplace(current: UsageEvent, candidate: UsageEvent): boolean {
  if (current.isSidechain !== candidate.isSidechain) return current.isSidechain;
  const a = totalTokens(current);
  const b = totalTokens(candidate);
  if (b !== a) return b > a;
  if (current.speed !== candidate.speed) return candidate.speed === 'fast';
  // Equal copies: the one that knows its project (a log's, over the proxy's or a usage log's without a cwd).
  return current.project === '' && candidate.project !== '';
}

/** Normalizes an OpenAI-style count pair (prompt including cached tokens) to uncached input and cache read. */
export function splitCachedInput(inputIncludingCache: number, cached: number): { input: number; cacheRead: number } {
  const cacheRead = Math.min(Math.max(cached, 0), Math.max(inputIncludingCache, 0));
  return { input: Math.max(inputIncludingCache - cacheRead, 0), cacheRead };
}

/** More tokens of one kind than any single request can have (the largest context windows are ~10^7): corrupt data. */
export const MAX_REQUEST_TOKENS = 1e10;
/** No tool this tracker reads logged usage before 2023. */
export const EARLIEST_EVENT_TS = Date.UTC(2023, 0, 1);
/** Clocks drift and zones get mixed up, but a request a day in the future is a bad record. */
export const MAX_FUTURE_MS = 86_400_000;

const COUNT_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'reasoning'] as const;

/**
 * Why a request's figures cannot be real, or null: a count that is not a whole number from 0 to 10^10, a timestamp
 * before 2023 or more than a day ahead of `now`, a cost that is not a finite non-negative number. Such a record is a
 * bad record of its source; storing it would poison every sum it joins.
 */
export function implausibility(e: TokenCounts & { ts: number; reportedCost?: number | null }, now: number): string | null {
  for (const k of COUNT_FIELDS) {
    const v = e[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${k} is ${quoteValue(v)}, expected a non-negative number`;
    if (v > MAX_REQUEST_TOKENS) return `${k} is ${v}, more than any request can have (10^10)`;
  }
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return `timestamp is ${quoteValue(e.ts)}, not a time`;
  if (e.ts < EARLIEST_EVENT_TS) return `timestamp ${isoOf(e.ts)} is before 2023`;
  if (e.ts > now + MAX_FUTURE_MS) return `timestamp ${isoOf(e.ts)} is more than a day ahead of this machine's clock`;
  const cost = e.reportedCost;
  if (cost !== undefined && cost !== null && (!Number.isFinite(cost) || cost < 0 || cost > MAX_REQUEST_TOKENS)) {
    return `reported cost is ${quoteValue(cost)}, expected a plausible number of USD`;
  }
  return null;
}

function isoOf(ts: number): string {
  const d = new Date(ts);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(ts);
}
