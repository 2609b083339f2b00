// What a status line shows, computed from a store: the session's and today's cost and tokens, the burn rate, and the
// 5-hour window's use (Claude Code's official figure when it sent one, else our estimate). The daemon answers it from
// its index; without a daemon, `tokenmeter statusline` computes it itself. Official readings sent with the
// status-line input are recorded here, with the local figures of the same window, to calibrate later estimates.
import { BLOCK_MS, buildBlocks, burnRate, type BlockEntry } from '../core/blocks.js';
import { coversClaudeSession, type Budget } from '../core/budgets.js';
import { totalTokens } from '../core/event.js';
import { chooseLimit, estimateWindow, limitTokens, timeToLimit, type LimitChoice, type PlanName } from '../core/limits.js';
import { startOfDay } from '../core/report.js';
import { DayKeyer, LOCAL_ZONE, QUARTER_HOUR_MS } from '../core/time.js';
import type { UsageFilter, ViewStore } from '../store/store.js';

const thousands = (v: number) => String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Claude Code's status-line input, as far as we read it. */
export interface StatusInput {
  session_id?: string;
  transcript_path?: string;
  model?: { id?: string; display_name?: string };
  cost?: { total_cost_usd?: number };
  /** How full the session's context window is, as Claude Code computes it. */
  context_window?: { used_percentage?: number };
  cwd?: string;
  workspace?: { current_dir?: string };
  rate_limits?: {
    five_hour?: { used_percentage?: number; resets_at?: number };
    seven_day?: { used_percentage?: number; resets_at?: number };
  };
}

export interface StatusData {
  model: string | null;
  session: { cost: number; tokens: number } | null;
  today: { cost: number; tokens: number };
  /** Tokens per minute and dollars per hour over the last 10 minutes. */
  rate: { tokensPerMinute: number; costPerHour: number };
  window: {
    usedPercent: number;
    resetsAt: number;
    source: 'official' | 'estimated' | 'limit';
    tokens: number;
    cost: number;
    /** When the limit is reached at the window's burn rate, if it will be before the reset. */
    limitAt: number | null;
    /** What the percentage is measured against: the tool's own figure, a calibration, or a token limit and its source. */
    basis: string;
  } | null;
  weekly: { usedPercent: number; resetsAt: number; source: 'official' | 'estimated' | 'limit' } | null;
  /** The context window's use in percent, from the input (null when Claude Code did not send it). */
  context: number | null;
  /** The most used budget that covers this session, if any. */
  budget: { name: string; ratio: number; spent: boolean } | null;
}

const RATE_MS = 10 * 60_000;
const WEEK_MS = 7 * 86_400_000;
export const LOOKBACK_MS = 48 * 3600_000;
const P90_DAYS_MS = 8 * 86_400_000;
/** A reading is recorded again only when it changed or this long after the last one. */
const READING_EVERY_MS = 5 * 60_000;

/**
 * Windows from the rollup's quarter hours rather than from single requests: a status line has milliseconds, and a
 * heavy user makes thousands of requests a day. Blocks start at whole hours, so their starts and sums are exact; a
 * gap is measured to within a quarter hour.
 */
export async function quarterHourEntries(store: ViewStore, from: number, now: number, tool: string): Promise<BlockEntry[]> {
  return (await store.timeBuckets({ fromTs: from, toTs: now + QUARTER_HOUR_MS, tool }, QUARTER_HOUR_MS))
    .map((b) => ({ ...b, ts: Math.max(b.t, from), model: '' }));
}

/** Requests, tokens and cost of the usage a filter selects, from the rollup. */
export async function sumOver(store: ViewStore, filter: UsageFilter): Promise<{ requests: number; tokens: number; cost: number }> {
  const rows = await store.breakdown(filter, 'tool');
  return rows.reduce((a, r) => ({ requests: a.requests + r.requests, tokens: a.tokens + totalTokens(r), cost: a.cost + r.cost }), { requests: 0, tokens: 0, cost: 0 });
}

/** Cost and tokens from a time on, by quarter hour. */
const sumFrom = (store: ViewStore, from: number) => sumOver(store, { fromTs: from });

/** The P90 limit moves slowly: it is computed at most once an hour, per tool, and kept in the store. */
async function cachedLimit(store: ViewStore, plan: string | undefined, limit: string | undefined, now: number, tool: string): Promise<LimitChoice> {
  if (plan && plan !== 'custom' && limit === undefined) return chooseLimit(plan, undefined, [], now);
  if (limit !== undefined && limit !== 'p90') return chooseLimit(undefined, limit, [], now);
  const key = tool === 'claude-code' ? 'p90_limit' : `p90_limit:${tool}`;
  const kept = JSON.parse((await store.getMeta(key)) ?? 'null') as { tokens: number; at: number } | null;
  if (kept && now - kept.at < 3600_000) return { tokens: kept.tokens, source: 'p90' };
  const blocks = buildBlocks(await quarterHourEntries(store, now - P90_DAYS_MS, now, tool), now);
  const tokens = chooseLimit(undefined, 'p90', blocks, now).tokens;
  await store.setMeta(key, JSON.stringify({ tokens, at: now }));
  return { tokens, source: 'p90' };
}

/** What a window's percentage is measured against, in words a person reads beside it. */
function basisOf(source: 'official' | 'estimated' | 'limit', limit: LimitChoice): string {
  if (source === 'official') return 'the figure the tool itself reports';
  if (source === 'estimated') return 'the cost per percent of recent official readings';
  const what = limit.source === 'p90' ? 'the P90 of past windows' : limit.source === 'max' ? 'the largest past window' : limit.source === 'custom' ? 'your limit' : limit.source;
  return `${thousands(limit.tokens)} tokens (${what})`;
}

async function recordReadings(store: ViewStore, input: StatusInput, now: number): Promise<void> {
  const windows = [['5h', input.rate_limits?.five_hour, BLOCK_MS], ['7d', input.rate_limits?.seven_day, 7 * 86_400_000]] as const;
  for (const [window, r, length] of windows) {
    if (!r || typeof r.used_percentage !== 'number' || typeof r.resets_at !== 'number') continue;
    const resetsAt = r.resets_at * 1000;
    const last = (await store.limitReadings(window, now - READING_EVERY_MS)).at(-1);
    if (last && last.usedPercent === r.used_percentage && last.resetsAt === resetsAt) continue;
    const local = await sumFrom(store, resetsAt - length);
    await store.addLimitReading({ at: now, tool: 'claude-code', window, usedPercent: r.used_percentage, resetsAt, localCost: local.cost, localTokens: local.tokens });
  }
}

export async function statusData(store: ViewStore, input: StatusInput, opts: { now?: number; plan?: PlanName; limit?: string; tool?: string; budgets?: Budget[]; host?: string } = {}): Promise<StatusData> {
  // Official readings are the active tool's own: Claude Code's for its status line, Codex's when Codex is in use.
  const tool = opts.tool ?? 'claude-code';
  const now = opts.now ?? Date.now();
  await recordReadings(store, input, now);

  let session: StatusData['session'] = null;
  if (input.session_id) {
    const t = await store.breakdown({ session: input.session_id }, 'session');
    session = t.length ? { cost: t[0]!.cost, tokens: totalTokens(t[0]!) } : { cost: 0, tokens: 0 };
  }
  const todayStart = startOfDay(new DayKeyer(LOCAL_ZONE).day(now), LOCAL_ZONE);
  const { cost: todayCost, tokens: todayTokens } = await sumFrom(store, todayStart);
  const today = { cost: todayCost, tokens: todayTokens };
  const recent = await store.sumSince(now - RATE_MS);
  const rate = { tokensPerMinute: totalTokens(recent) / (RATE_MS / 60_000), costPerHour: recent.cost * (3600_000 / RATE_MS) };

  // A tool's window counts that tool's usage only: Claude's 5 hours are not filled by Gemini's requests.
  const block = buildBlocks(await quarterHourEntries(store, now - LOOKBACK_MS, now, tool), now).filter((b) => !b.isGap).at(-1);
  const active = block?.isActive ? block : undefined;
  const readings = (await store.limitReadings('5h', now - 7 * 86_400_000)).filter((r) => r.tool === tool).map((r) => ({ at: r.at, usedPercent: r.usedPercent, resetsAt: r.resetsAt, localCost: r.localCost }));
  const official = readings.at(-1);
  let window: StatusData['window'] = null;
  if (active || (official && official.resetsAt > now)) {
    const limitChoice = await cachedLimit(store, opts.plan, opts.limit, now, tool);
    const tokenLimit = limitChoice.tokens;
    const tokens = active ? limitTokens(active.tokens) : 0;
    const cost = active?.cost ?? 0;
    const est = estimateWindow({
      now, windowStart: active?.start ?? now, windowEnd: active ? active.start + BLOCK_MS : now + BLOCK_MS,
      localCost: cost, localTokens: tokens, tokenLimit, readings,
    });
    if (est) {
      let at: number | null;
      if (est.source === 'limit') {
        const r = active ? burnRate(active) : null;
        const limitRate = r && active ? (r.tokensPerMinute * tokens) / Math.max(active.totalTokens, 1) : 0;
        at = timeToLimit(tokens, tokenLimit, limitRate, now);
      } else {
        // In percent: the pace since the official window began, carried on to 100 %.
        const elapsedMin = (now - (est.resetsAt - BLOCK_MS)) / 60_000;
        at = elapsedMin > 0 ? timeToLimit(est.usedPercent, 100, est.usedPercent / elapsedMin, now) : null;
      }
      window = { ...est, tokens, cost, limitAt: at !== null && at < est.resetsAt ? at : null, basis: basisOf(est.source, limitChoice) };
    }
  }
  // The week: Claude's 7-day figure while fresh, else an estimate from the 7-day readings' cost per percent over the
  // local cost since the window began.
  const weekReadings = (await store.limitReadings('7d', now - 14 * 86_400_000)).filter((r) => r.tool === tool).map((r) => ({ at: r.at, usedPercent: r.usedPercent, resetsAt: r.resetsAt, localCost: r.localCost }));
  const weekEnd = weekReadings.filter((r) => r.resetsAt > now).at(-1)?.resetsAt;
  let weekly: StatusData['weekly'] = null;
  if (weekEnd) {
    const est = estimateWindow({
      now, windowStart: weekEnd - WEEK_MS, windowEnd: weekEnd, localCost: (await sumFrom(store, weekEnd - WEEK_MS)).cost,
      localTokens: 0, tokenLimit: null, readings: weekReadings,
    });
    if (est) weekly = { usedPercent: est.usedPercent, resetsAt: est.resetsAt, source: est.source };
  }
  const used = input.context_window?.used_percentage;
  const context = typeof used === 'number' && Number.isFinite(used) ? Math.min(Math.max(used, 0), 100) : null;
  const cwd = input.workspace?.current_dir ?? input.cwd ?? '';
  const covering = (opts.budgets ?? []).filter((b) => coversClaudeSession(b, typeof cwd === 'string' ? cwd : '', opts.host ?? ''));
  const { budgetUses } = await import('./budgets.js');
  const most = covering.length ? (await budgetUses(store, covering, { now, timeZone: LOCAL_ZONE })).sort((a, b) => b.ratio - a.ratio)[0]! : null;
  const budget = most ? { name: most.name, ratio: most.ratio, spent: most.spent } : null;
  return { model: input.model?.display_name ?? input.model?.id ?? null, session, today, rate, window, weekly, context, budget };
}
