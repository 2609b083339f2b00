// Plan limits per 5-hour window, the P90 limit learned from past windows, and the official figures Claude Code and
// Codex report (rate_limits), which win whenever they are fresh; when they are missing, the cost per percent seen in
// the latest official readings estimates the percentage.
import type { Block } from './blocks.js';

/** Tokens that count against a plan's limit: input and output (cache traffic is not limited the same way). */
export function limitTokens(t: { input: number; output: number }): number {
  return t.input + t.output;
}

export type PlanName = 'pro' | 'max5' | 'max20' | 'custom';

export interface PlanLimits {
  tokens: number;
  cost: number;
  messages: number;
}

/** Per 5-hour window, as Claude-Code-Usage-Monitor sets them (see ../shared/reference/peers.md). */
export const PLANS: Record<Exclude<PlanName, 'custom'>, PlanLimits> = {
  pro: { tokens: 19_000, cost: 18, messages: 250 },
  max5: { tokens: 88_000, cost: 35, messages: 1_000 },
  max20: { tokens: 220_000, cost: 140, messages: 2_000 },
};

/** The limits a P90 window counts as "hit" when it reaches 95 % of them. */
const KNOWN_TOKEN_LIMITS = [19_000, 88_000, 220_000, 880_000];
const P90_LOOKBACK_MS = 8 * 86_400_000;
const P90_FLOOR = 19_000;

/**
 * The 90th percentile of the limit tokens of completed, non-gap blocks of the last 8 days, taken over the blocks that
 * came within 95 % of a known limit (over all of them when none did); never below 19k.
 */
export function p90Limit(blocks: Block[], now: number): number {
  const done = blocks.filter((b) => !b.isGap && !b.isActive && b.entries > 0 && now - b.start <= P90_LOOKBACK_MS).map((b) => limitTokens(b.tokens));
  if (done.length === 0) return P90_FLOOR;
  const hit = done.filter((t) => KNOWN_TOKEN_LIMITS.some((l) => t >= l * 0.95));
  const pool = (hit.length > 0 ? hit : done).sort((a, b) => a - b);
  const p90 = pool[Math.min(pool.length - 1, Math.ceil(0.9 * pool.length) - 1)]!;
  return Math.max(p90, P90_FLOOR);
}

/** An official reading of a window, as the client reported it. */
export interface OfficialReading {
  /** When it was read (ms). */
  at: number;
  usedPercent: number;
  /** When the window resets (ms). */
  resetsAt: number;
  /** Local cost (USD) of the same window when it was read, to learn cost per percent. */
  localCost: number;
}

/** An official reading is used as it is while younger than this (Claude Code sends one with every status line). */
export const FRESH_MS = 10 * 60_000;

export interface WindowEstimate {
  usedPercent: number;
  resetsAt: number;
  source: 'official' | 'estimated' | 'limit';
}

/**
 * The window's used percentage: the official reading when fresh and for this window; else the local cost over the
 * cost per percent of recent official readings (their median); else local limit tokens over the limit.
 */
export function estimateWindow(opts: {
  now: number;
  windowStart: number;
  windowEnd: number;
  localCost: number;
  localTokens: number;
  tokenLimit: number | null;
  readings: OfficialReading[];
}): WindowEstimate | null {
  const { now, readings } = opts;
  const latest = readings.filter((r) => r.resetsAt > now).sort((a, b) => b.at - a.at)[0];
  if (latest && now - latest.at <= FRESH_MS) return { usedPercent: latest.usedPercent, resetsAt: latest.resetsAt, source: 'official' };
  const rates = readings.filter((r) => r.usedPercent >= 2 && r.localCost > 0).map((r) => r.localCost / r.usedPercent).sort((a, b) => a - b);
  if (rates.length > 0) {
    const costPerPercent = rates[Math.floor(rates.length / 2)]!;
    return { usedPercent: Math.min(opts.localCost / costPerPercent, 999), resetsAt: latest?.resetsAt ?? opts.windowEnd, source: 'estimated' };
  }
  if (opts.tokenLimit && opts.tokenLimit > 0) return { usedPercent: (opts.localTokens / opts.tokenLimit) * 100, resetsAt: opts.windowEnd, source: 'limit' };
  return null;
}

/** When the limit is reached at `tokensPerMinute` from `used` (null when the rate is zero or the limit already passed). */
export function timeToLimit(used: number, limit: number, tokensPerMinute: number, now: number): number | null {
  if (tokensPerMinute <= 0 || used >= limit) return null;
  return now + ((limit - used) / tokensPerMinute) * 60_000;
}

export interface LimitChoice {
  tokens: number;
  source: string;
  /** A plan's cost (USD) and message limits per window, beside its tokens (Claude-Code-Usage-Monitor's three bars). */
  cost?: number;
  messages?: number;
}

export class LimitError extends Error {}

/** The limit in force: `limit` (tokens, p90 or max) wins over `plan`; with neither, P90 of past windows. */
export function chooseLimit(plan: string | undefined, limit: string | undefined, blocks: Block[], now: number): LimitChoice {
  if (limit === undefined && plan && plan !== 'custom') {
    const p = PLANS[plan as Exclude<PlanName, 'custom'>];
    if (!p) throw new LimitError(`plan: expected pro, max5, max20 or custom, got "${plan}"`);
    return { tokens: p.tokens, source: `plan ${plan}`, cost: p.cost, messages: p.messages };
  }
  if (limit === undefined || limit === 'p90') return { tokens: p90Limit(blocks, now), source: 'p90' };
  if (limit === 'max') {
    const max = Math.max(0, ...blocks.filter((b) => !b.isGap).map((b) => limitTokens(b.tokens)));
    return { tokens: max || p90Limit(blocks, now), source: 'max' };
  }
  const n = Number(limit);
  if (!Number.isFinite(n) || n <= 0) throw new LimitError(`limit: expected a number of tokens, p90 or max, got "${limit}"`);
  return { tokens: n, source: 'custom' };
}
