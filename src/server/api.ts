// The JSON API: a summary for status lines and dashboards, usage grouped by time or by dimension, 5-hour blocks.
import { buildBlocks } from '../core/blocks.js';
import { blocksReport } from '../core/blocks-report.js';
import { chooseLimit, LimitError } from '../core/limits.js';
import { cacheWrite, totalTokens, type TokenCounts } from '../core/event.js';
import { AGENTS, isToolFilter, TOOLS } from '../sources/registry.js';
import { startOfDay } from '../core/report.js';
import { addDays, DayKeyer, LOCAL_ZONE, dayOfNumber, offsetSegments, parseDateArg } from '../core/time.js';
import type { BreakdownKey, ViewStore, UsageFilter } from '../store/store.js';
import { budgetUseJson, type BudgetUse } from '../core/budgets.js';
import { addTo, zeroTotals, type LiveState, type Totals } from './live.js';
import { serverRows } from './servers.js';
import type { StatusData } from './status.js';

export class ApiError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

const MINUTE = 60_000;
const HOUR = 3600_000;
const DAY = 86_400_000;

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Epoch milliseconds from 2001 to 2286: ten to thirteen digits. */
const EPOCH_MS = /^\d{10,13}$/;

/**
 * An instant from a query parameter: epoch milliseconds, an ISO 8601 date-time, or a YYYY-MM-DD day (local
 * midnight). A date that is not on the calendar (2026-02-30, 2026-13-01) is refused, never rolled over.
 */
export function parseInstant(value: string | undefined, name: string, dayEnd = false): number | undefined {
  if (value === undefined || value === '') return undefined;
  const bad = (why: string) => new ApiError(`query parameter ${name}: "${value.slice(0, 40)}" ${why}`);
  if (EPOCH_MS.test(value)) return Number(value);
  const iso = ISO_TIME.exec(value);
  const day = iso?.[1] ?? (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null);
  if (!day) throw bad('is not a date (YYYY-MM-DD, ISO 8601 or epoch milliseconds)');
  try {
    parseDateArg(day, name);
  } catch {
    throw bad('is not a calendar date');
  }
  // A day as an end means the whole day, as the CLI's --until does: up to the next day's start.
  if (!iso) return startOfDay(dayEnd ? addDays(day, 1) : day, LOCAL_ZONE);
  if (Number(iso[2]) > 23 || Number(iso[3]) > 59 || Number(iso[4] ?? 0) > 59) throw bad('is not a time of day');
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw bad('is not a date (YYYY-MM-DD, ISO 8601 or epoch milliseconds)');
  return t;
}

type Query = Record<string, string | undefined>;

/** Longest filter value taken: names are short; a longer one is a mistake or an attack, not a name. */
const MAX_FILTER_CHARS = 1000;

function filterOf(q: Query, defaultSince: number | undefined): UsageFilter {
  const f: UsageFilter = { fromTs: parseInstant(q.since, 'since') ?? defaultSince, toTs: parseInstant(q.until, 'until', true) };
  if (f.fromTs !== undefined && f.toTs !== undefined && f.toTs <= f.fromTs) throw new ApiError('query parameters since and until: until is before since');
  for (const k of ['project', 'session', 'tool', 'model', 'host'] as const) {
    const v = q[k];
    if (v === undefined || v === '') continue;
    if (v.length > MAX_FILTER_CHARS) throw new ApiError(`query parameter ${k}: longer than ${MAX_FILTER_CHARS} characters`);
    f[k] = v;
  }
  if (f.tool !== undefined && !isToolFilter(f.tool)) {
    throw new ApiError(`query parameter tool: "${f.tool.slice(0, 40)}" is not a tool name (${TOOLS.join(', ')}, or an app's service.name)`);
  }
  return f;
}

/** Counts as the API shows them: cache writes also summed, and the token total. */
const withTotal = <T extends TokenCounts>(t: T) => ({ ...t, cacheWrite: cacheWrite(t), totalTokens: totalTokens(t) });

export class Api {
  constructor(
    private readonly store: ViewStore,
    private readonly live: LiveState,
    private readonly info: { version: string; host: string; startedAt: number },
    /** A tool's window as the status line sees it: the official or calibrated percentage, its reset, the limit time. */
    private readonly status?: (tool: string) => Promise<StatusData>,
    /** Each budget's use this period (GET /api/budgets). */
    private readonly budgetUses?: () => Promise<BudgetUse[]>,
  ) {}

  async budgets() {
    const uses = (await this.budgetUses?.()) ?? [];
    return { budgets: uses.map(budgetUseJson) };
  }

  /** `tool`: today, the session and the window of that tool only (the dashboard's filter); every tool's totals alike. */
  async summary(q: Query = {}, now = Date.now()) {
    const only = q.tool || undefined;
    if (only !== undefined && !isToolFilter(only)) throw new ApiError(`query parameter tool: "${only.slice(0, 40)}" is not a tool name (${TOOLS.join(', ')}, or an app's service.name)`);
    const all = zeroTotals();
    const byTool = new Map<string, Totals>();
    for (const r of await this.live.totals()) {
      addTo(all, r);
      let t = byTool.get(r.tool);
      if (!t) byTool.set(r.tool, (t = zeroTotals()));
      addTo(t, r);
    }
    const todayKey = new DayKeyer(LOCAL_ZONE).day(now);
    const today = zeroTotals();
    for (const r of await this.store.breakdown({ fromTs: startOfDay(todayKey, LOCAL_ZONE), tool: only }, 'tool')) addTo(today, r);
    const recent = this.live.recentEvents().filter((e) => !only || e.tool === only);
    const last = recent.at(-1);
    let session = null;
    if (last) {
      const t = zeroTotals();
      for (const r of await this.store.breakdown({ session: last.sessionId }, 'session')) addTo(t, r);
      session = { id: last.sessionId, tool: last.tool, project: last.project, model: last.model, lastActivity: new Date(last.ts).toISOString(), ...withTotal(t) };
    }
    // Each tool has its own window (Claude's counts Claude usage, Codex's comes from its rollouts): every tool used in
    // the last five hours, or with an official reading that has not reset, gets its own.
    const tools = new Set((await this.store.breakdown({ fromTs: now - 5 * HOUR }, 'tool')).map((r) => r.key));
    for (const r of await this.store.limitReadings('5h', now - 5 * HOUR)) if (r.resetsAt > now) tools.add(r.tool);
    const order = (t: string) => (t === 'claude-code' ? 0 : t === 'codex' ? 1 : 2);
    const windows = [];
    for (const tool of [...tools].sort((a, b) => order(a) - order(b) || a.localeCompare(b))) {
      const st = await this.status?.(tool);
      if (st?.window || st?.weekly) windows.push({ tool, limit: limitJson(st.window), weekly: weeklyJson(st.weekly) });
    }
    const main = windows.find((w) => w.tool === 'claude-code') ?? windows[0];
    // The window card's tool is the gauge's: the filter's, else Claude Code's (else the first with a window).
    const windowTool = only ?? main?.tool;
    const window = await this.live.window(windowTool);
    return {
      updatedAt: new Date(now).toISOString(),
      version: this.info.version,
      host: this.info.host,
      uptimeSeconds: Math.round((now - this.info.startedAt) / 1000),
      totals: withTotal(all),
      byTool: Object.fromEntries([...byTool].map(([k, v]) => [k, withTotal(v)])),
      today: { date: todayKey, ...withTotal(today) },
      session,
      window: window && {
        ...window, start: new Date(window.start).toISOString(), reset: new Date(window.reset).toISOString(),
        tokens: withTotal(window.tokens),
      },
      rate: this.live.recentRate(),
      // Claude Code's window (else the first tool's), as before; every tool's in `windows`.
      limit: main?.limit ?? null,
      weekly: main?.weekly ?? null,
      windows,
      windowTool: windowTool ?? null,
    };
  }

  async usage(q: Query, now = Date.now()) {
    const group = q.group ?? 'day';
    if (group === 'second' || group === 'minute' || group === 'hour') {
      const step = group === 'second' ? 1000 : group === 'minute' ? MINUTE : HOUR;
      const f = filterOf(q, now - (group === 'hour' ? 48 * HOUR : 60 * MINUTE));
      if (group === 'second' && (f.toTs ?? now) - (f.fromTs ?? 0) > 61 * MINUTE) throw new ApiError('group=second covers at most an hour: narrow since/until');
      const rows = await this.store.timeBuckets(f, step);
      return { group, since: iso(f.fromTs), until: iso(f.toTs), rows: rows.map((r) => ({ ...withTotal(r), t: new Date(r.t).toISOString() })) };
    }
    if (group === 'day') {
      const f = filterOf(q, now - 30 * DAY);
      const from = f.fromTs ?? 0;
      const to = f.toTs ?? now + DAY;
      const rows = await this.store.usage(f, { by: 'day', offsets: offsetSegments(LOCAL_ZONE, from - DAY, to + DAY) });
      const byDay = new Map<number, Totals>();
      for (const r of rows) {
        let t = byDay.get(r.group as number);
        if (!t) byDay.set(r.group as number, (t = zeroTotals()));
        addTo(t, { ...r, cost: r.autoCost, unpriced: r.autoUnknown });
      }
      const out = [...byDay].sort((a, b) => a[0] - b[0]).map(([d, t]) => ({ day: dayOfNumber(d), ...withTotal(t) }));
      return { group, since: iso(f.fromTs), until: iso(f.toTs), rows: out };
    }
    const keys: BreakdownKey[] = ['model', 'project', 'session', 'tool', 'host'];
    if (!keys.includes(group as BreakdownKey)) throw new ApiError(`query parameter group: "${group.slice(0, 40)}" is not one of second, minute, hour, day, ${keys.join(', ')}`);
    const f = filterOf(q, undefined);
    const rows = await this.store.breakdown(f, group as BreakdownKey);
    return { group, since: iso(f.fromTs), until: iso(f.toTs), rows: rows.map((r) => ({ ...withTotal(r), lastActivity: new Date(r.lastTs).toISOString() })) };
  }

  /** Each host's window and lifetime figures (GET /api/servers). */
  async servers() {
    return { servers: await serverRows(this.store) };
  }

  /** The agents whose logs are read, and where from (GET /api/sources: the dashboard's empty state). */
  sources() {
    return { agents: AGENTS.map((a) => ({ tool: a.tool, name: a.name, where: a.where, env: a.env })), tools: TOOLS };
  }

  /** 5-hour blocks in ccusage's JSON shape, with the share of the limit (`plan`, `limit` as for the CLI). */
  async blocks(q: Query, now = Date.now()) {
    const since = parseInstant(q.since, 'since') ?? now - 7 * DAY;
    // Claude Code's windows unless another tool (or all) is asked for, as `tokenmeter blocks` does.
    const tool = q.tool ?? 'claude-code';
    if (tool !== 'all' && !isToolFilter(tool)) throw new ApiError(`query parameter tool: "${tool.slice(0, 40)}" is not a tool name (${TOOLS.join(', ')}, an app's service.name, or all)`);
    const rows = (await this.store.eventsSince(0)).filter((r) => r.ts <= now && (tool === 'all' || r.tool === tool));
    const all = buildBlocks(rows, now);
    let limit;
    try {
      limit = chooseLimit(q.plan, q.limit, all, now);
    } catch (e) {
      if (e instanceof LimitError) throw new ApiError(`query parameter ${e.message}`);
      throw e;
    }
    let blocks = all.filter((b) => b.end >= since);
    if (q.active === '1' || q.active === 'true') blocks = blocks.filter((b) => b.isActive);
    const readings = (await this.store.limitReadings('5h', since - DAY)).filter((r) => tool === 'all' || r.tool === tool).map((r) => ({ at: r.at, usedPercent: r.usedPercent, resetsAt: r.resetsAt, localCost: r.localCost }));
    return { tool, ...blocksReport(blocks, { now, limit, readings }) };
  }
}

function limitJson(w: StatusData['window']) {
  return w ? { ...w, resetsAt: new Date(w.resetsAt).toISOString(), limitAt: w.limitAt && new Date(w.limitAt).toISOString() } : null;
}

function weeklyJson(w: StatusData['weekly']) {
  return w ? { ...w, resetsAt: new Date(w.resetsAt).toISOString() } : null;
}

function iso(ts: number | undefined): string | null {
  return ts === undefined ? null : new Date(ts).toISOString();
}

