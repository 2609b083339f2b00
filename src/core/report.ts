// Turns stored sums into report rows (day, week, month or session, each with a per-model breakdown). Pure: the
// store has already summed events by quarter hour or session and model; this maps those to calendar periods.
import { cacheWrite, totalTokens } from './event.js';
import type { UsageRow } from '../store/store.js';
import { DayKeyer, dayOfNumber, monthOf, weekStart, type Weekday } from './time.js';

export type CostMode = 'auto' | 'calculate' | 'display';
export type Period = 'daily' | 'weekly' | 'monthly' | 'session';

export interface ReportOptions {
  period: Period;
  mode: CostMode;
  timeZone: string;
  startOfWeek: Weekday;
  order: 'asc' | 'desc';
}

/** Token and cost sums, with ccusage's field names plus the finer split. */
export interface Sums {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
  cacheCreation5mTokens: number;
  cacheCreation1hTokens: number;
  reasoningTokens: number;
  requests: number;
  /** True when some requests used a model without a known price: their cost is not in totalCost. */
  costUnknown: boolean;
  /** True when some records knew only their cost (Crush's sessions): the token counts are a lower bound. */
  tokensUnknown: boolean;
  /** The agents' own billing credits: meaningful per tool only (each agent its own unit), see ToolBreakdown. */
  credits: number;
}

export interface ModelBreakdown extends Omit<Sums, 'totalCost'> {
  modelName: string;
  cost: number;
}

export interface ToolBreakdown extends Omit<Sums, 'totalCost'> {
  tool: string;
  cost: number;
}

export interface ReportRow extends Sums {
  /** The day, week start, month or session id. */
  key: string;
  toolBreakdowns: ToolBreakdown[];
  /** Some requests were priced as a fallback model because their log named none (Codex before its first turn_context). */
  modelFallback: boolean;
  projectPath?: string;
  /** Sessions: the day of the last request, in the report's zone… */
  lastActivity?: string;
  /** …and its time (ISO 8601, UTC). */
  lastActivityAt?: string;
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
}

export interface Report {
  period: Period;
  rows: ReportRow[];
  totals: Sums;
  /** Models that had no price, for the warning on stderr. */
  unknownModels: string[];
}

export function emptySums(): Sums {
  return {
    inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, totalCost: 0,
    cacheCreation5mTokens: 0, cacheCreation1hTokens: 0, reasoningTokens: 0, requests: 0, costUnknown: false, tokensUnknown: false, credits: 0,
  };
}

function costOf(row: UsageRow, mode: CostMode): { cost: number; unknown: boolean } {
  switch (mode) {
    case 'calculate':
      return { cost: row.calcCost, unknown: row.calcUnknown > 0 };
    case 'display':
      return { cost: row.reportedCost, unknown: false };
    default:
      return { cost: row.autoCost, unknown: row.autoUnknown > 0 };
  }
}

function addRow(s: Sums, row: UsageRow, cost: number, unknown: boolean): void {
  const write = cacheWrite(row);
  s.inputTokens += row.input;
  s.outputTokens += row.output;
  s.cacheCreationTokens += write;
  s.cacheReadTokens += row.cacheRead;
  s.totalTokens += totalTokens(row);
  s.totalCost += cost;
  s.cacheCreation5mTokens += row.cacheWrite5m;
  s.cacheCreation1hTokens += row.cacheWrite1h;
  s.reasoningTokens += row.reasoning;
  s.requests += row.requests;
  s.costUnknown ||= unknown;
  s.tokensUnknown ||= (row.unknownTokenRequests ?? 0) > 0;
  s.credits += row.credits ?? 0;
}

const SUM_KEYS = Object.keys(emptySums()).filter((k) => k !== 'costUnknown' && k !== 'tokensUnknown') as Array<Exclude<keyof Sums, 'costUnknown' | 'tokensUnknown'>>;

/** Adds the sums of `s` (a Sums or anything that extends it, such as a report row) into `into`. */
export function addSums(into: Sums, s: Sums): void {
  for (const k of SUM_KEYS) into[k] += s[k];
  into.costUnknown ||= s.costUnknown;
  into.tokensUnknown ||= s.tokensUnknown;
}

export function buildReport(rows: UsageRow[], opts: ReportOptions): Report {
  const days = new DayKeyer(opts.timeZone);
  const groups = new Map<string, { row: ReportRow; models: Map<string, Sums>; tools: Map<string, Sums>; lastTs: number }>();
  const unknownModels = new Set<string>();
  for (const r of rows) {
    let key: string;
    if (opts.period === 'session') key = String(r.group);
    else {
      const day = dayOfNumber(Number(r.group));
      key = opts.period === 'daily' ? day : opts.period === 'weekly' ? weekStart(day, opts.startOfWeek) : monthOf(day);
    }
    let g = groups.get(key);
    if (!g) {
      g = { row: { key, ...emptySums(), modelsUsed: [], modelBreakdowns: [], toolBreakdowns: [], modelFallback: false }, models: new Map(), tools: new Map(), lastTs: 0 };
      groups.set(key, g);
    }
    if (r.fallbackRequests > 0) g.row.modelFallback = true;
    let t = g.tools.get(r.tool);
    if (!t) g.tools.set(r.tool, (t = emptySums()));
    const { cost, unknown } = costOf(r, opts.mode);
    if (unknown) unknownModels.add(r.model);
    addRow(g.row, r, cost, unknown);
    if (r.lastTs >= g.lastTs) {
      g.lastTs = r.lastTs;
      if (opts.period === 'session') g.row.projectPath = r.project;
    }
    let m = g.models.get(r.model);
    if (!m) g.models.set(r.model, (m = emptySums()));
    addRow(m, r, cost, unknown);
    addRow(t, r, cost, unknown);
  }

  const out: ReportRow[] = [];
  const totals = emptySums();
  for (const g of groups.values()) {
    const breakdowns = [...g.models].map(([modelName, { totalCost, ...rest }]): ModelBreakdown => ({ modelName, ...rest, cost: totalCost }));
    breakdowns.sort((a, b) => b.cost - a.cost || b.totalTokens - a.totalTokens);
    g.row.modelBreakdowns = breakdowns;
    g.row.modelsUsed = breakdowns.map((b) => b.modelName).sort();
    g.row.toolBreakdowns = [...g.tools].map(([tool, { totalCost, ...rest }]): ToolBreakdown => ({ tool, ...rest, cost: totalCost }))
      .sort((a, b) => b.cost - a.cost || b.totalTokens - a.totalTokens);
    if (opts.period === 'session') {
      g.row.lastActivity = days.day(g.lastTs);
      g.row.lastActivityAt = new Date(g.lastTs).toISOString();
    }
    addSums(totals, g.row);
    out.push(g.row);
  }
  // Periods in calendar order; sessions by their last activity.
  if (opts.period === 'session') out.sort((a, b) => groups.get(a.key)!.lastTs - groups.get(b.key)!.lastTs);
  else out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (opts.order === 'desc') out.reverse();
  return { period: opts.period, rows: out, totals, unknownModels: [...unknownModels].sort() };
}

/** The first instant (ms) of `day` in `timeZone`. */
export function startOfDay(day: string, timeZone: string): number {
  const keyer = new DayKeyer(timeZone);
  const step = 15 * 60 * 1000;
  // Offsets lie within ±14 h of UTC: walk quarter hours from the earliest candidate to the first one on `day`.
  let ts = Date.parse(`${day}T00:00:00Z`) - 14 * 3600 * 1000;
  const limit = ts + 30 * 3600 * 1000;
  while (ts < limit && keyer.day(ts) < day) ts += step;
  return ts;
}
