// Budgets: what the user allows a period (a day, a week, a month, a 5-hour window) to cost, in USD, tokens or a share
// of the official window, over all usage or a tool's, a project's, a model's or a host's. Pure: the views sum usage
// over the period this gives them and hand it back to `budgetUse`.
import { startOfDay } from './report.js';
import { addDays, DayKeyer, monthOf, weekStart } from './time.js';

export type BudgetPeriod = 'day' | 'week' | 'month' | '5h';
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month', '5h'];

export interface Budget {
  name: string;
  period: BudgetPeriod;
  usd?: number;
  tokens?: number;
  /** A share of the tool's official window (its 5-hour window for `5h`, its week for `week`), as the tool reports it. */
  percent?: number;
  tool?: string;
  project?: string;
  model?: string;
  host?: string;
  /** Percentages of the budget at which to alert, once each per period. */
  alertAt: number[];
  /** The guard stops new prompts once it is spent. */
  enforce: boolean;
}

export const DEFAULT_ALERT_AT = [80, 100];
const SCOPES = ['tool', 'project', 'model', 'host'] as const;
const FIELDS = new Set(['name', 'period', 'usd', 'tokens', 'percent', ...SCOPES, 'alertAt', 'enforce']);

/** The config's `budgets`, or an error saying which one is wrong and why. */
export function parseBudgets(raw: unknown, where: string): Budget[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error(`${where}: "budgets" must be a list of budgets`);
  const names = new Set<string>();
  return raw.map((b, i) => {
    const at = `${where}: budgets[${i}]`;
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Error(`${at} must be an object`);
    const o = b as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !FIELDS.has(k));
    if (unknown.length) throw new Error(`${at}: unknown field ${unknown.join(', ')}`);
    if (typeof o.name !== 'string' || !/^[\w.-]{1,64}$/.test(o.name)) throw new Error(`${at}.name must be a name of letters, digits, . _ - (at most 64)`);
    if (names.has(o.name)) throw new Error(`${at}.name: "${o.name}" is named twice`);
    names.add(o.name);
    if (!BUDGET_PERIODS.includes(o.period as BudgetPeriod)) throw new Error(`${at}.period must be one of ${BUDGET_PERIODS.join(', ')}`);
    const out: Budget = { name: o.name, period: o.period as BudgetPeriod, alertAt: DEFAULT_ALERT_AT, enforce: false };
    for (const k of ['usd', 'tokens', 'percent'] as const) {
      if (o[k] === undefined) continue;
      const n = o[k];
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || (k === 'percent' && n > 100)) throw new Error(`${at}.${k} must be a positive number${k === 'percent' ? ' up to 100' : ''}, got ${JSON.stringify(n)}`);
      out[k] = n;
    }
    if (out.usd === undefined && out.tokens === undefined && out.percent === undefined) throw new Error(`${at} sets no limit: give usd, tokens or percent`);
    if (out.percent !== undefined && out.period !== '5h' && out.period !== 'week') throw new Error(`${at}.percent is a share of the official 5-hour or weekly window: use period 5h or week`);
    for (const k of SCOPES) {
      if (o[k] === undefined) continue;
      if (typeof o[k] !== 'string' || !o[k]) throw new Error(`${at}.${k} must be a non-empty string`);
      out[k] = o[k] as string;
    }
    if (o.alertAt !== undefined) {
      if (!Array.isArray(o.alertAt) || o.alertAt.some((p) => typeof p !== 'number' || !(p > 0) || p > 1000)) throw new Error(`${at}.alertAt must be a list of percentages, such as [50, 80, 100]`);
      out.alertAt = [...new Set(o.alertAt as number[])].sort((a, b) => a - b);
    }
    if (o.enforce !== undefined) {
      if (typeof o.enforce !== 'boolean') throw new Error(`${at}.enforce must be true or false`);
      out.enforce = o.enforce;
    }
    return out;
  });
}

/**
 * Whether a budget covers a Claude Code session working in `cwd` on `host`: its tool unset or Claude Code's, its
 * project that folder (or a folder name of it), its host this one. A model-scoped budget does: the model of the next
 * request is not known.
 */
export function coversClaudeSession(b: Budget, cwd: string, host: string): boolean {
  if (b.tool && b.tool !== 'claude-code') return false;
  if (b.host && b.host !== host) return false;
  if (b.project && cwd !== b.project && !cwd.endsWith(`/${b.project}`)) return false;
  return true;
}

/** A budget as the config file keeps it: defaults left out. */
export function budgetJson(b: Budget): Record<string, unknown> {
  const { alertAt, enforce, ...rest } = b;
  return { ...rest, ...(alertAt.join() !== DEFAULT_ALERT_AT.join() ? { alertAt } : {}), ...(enforce ? { enforce } : {}) };
}

/** The calendar period around `now` in the user's zone: a day, an ISO week (from Monday), a month. */
export function calendarPeriod(period: 'day' | 'week' | 'month', now: number, timeZone: string): { start: number; end: number } {
  const today = new DayKeyer(timeZone).day(now);
  let first: string;
  let next: string;
  if (period === 'day') {
    first = today;
    next = addDays(today, 1);
  } else if (period === 'week') {
    first = weekStart(today, 'monday');
    next = addDays(first, 7);
  } else {
    first = `${monthOf(today)}-01`;
    const [y, m] = first.split('-').map(Number) as [number, number];
    next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  }
  return { start: startOfDay(first, timeZone), end: startOfDay(next, timeZone) };
}

export interface BudgetUse {
  name: string;
  period: BudgetPeriod;
  /** The period's bounds (ms); a 5-hour window with no usage yet starts now. */
  start: number;
  end: number;
  usd: number;
  tokens: number;
  /** The official window's used share, where the budget has a percent limit and the tool has reported one. */
  percent: number | null;
  limits: { usd?: number; tokens?: number; percent?: number };
  /** The largest share of any of its limits used (1 = spent). */
  ratio: number;
  spent: boolean;
  scope: { tool?: string; project?: string; model?: string; host?: string };
  alertAt: number[];
  enforce: boolean;
}

/** A budget's use as JSON carries it (the API, `budget list --json`, MCP): times as ISO 8601. */
export const budgetUseJson = (u: BudgetUse) => ({ ...u, start: new Date(u.start).toISOString(), end: new Date(u.end).toISOString() });

export function budgetUse(b: Budget, period: { start: number; end: number }, used: { usd: number; tokens: number; percent: number | null }): BudgetUse {
  const ratios = [
    b.usd !== undefined ? used.usd / b.usd : null,
    b.tokens !== undefined ? used.tokens / b.tokens : null,
    b.percent !== undefined && used.percent !== null ? used.percent / b.percent : null,
  ].filter((r): r is number => r !== null);
  const ratio = ratios.length ? Math.max(...ratios) : 0;
  const scope = Object.fromEntries(SCOPES.filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));
  return {
    name: b.name, period: b.period, start: period.start, end: period.end, usd: used.usd, tokens: used.tokens,
    percent: b.percent !== undefined ? used.percent : null,
    limits: { ...(b.usd !== undefined ? { usd: b.usd } : {}), ...(b.tokens !== undefined ? { tokens: b.tokens } : {}), ...(b.percent !== undefined ? { percent: b.percent } : {}) },
    ratio, spent: ratio >= 1, scope, alertAt: b.alertAt, enforce: b.enforce,
  };
}

/** An alert: a budget (or an official window) crossing one of its thresholds in a period. */
export interface BudgetAlert {
  budget: string;
  period: BudgetPeriod;
  /** The period's start: an alert is sent once per budget, period and threshold. */
  periodStart: number;
  threshold: number;
  /** The share used when it was noticed, in percent. */
  percent: number;
  usd: number;
  tokens: number;
  limit: { usd?: number; tokens?: number; percent?: number };
  /** One line a person reads (a Slack or Discord incoming webhook shows it as is). */
  text: string;
}

const WORDS: Record<BudgetPeriod, string> = { day: 'today', week: 'this week', month: 'this month', '5h': 'in this 5-hour window' };

/**
 * What a budget's use calls for: the thresholds reached and not alerted yet this period (`reached`, all to be kept
 * as sent), and the one alert that says so (for the highest of them: a jump from 50 % to 120 % says one thing).
 */
export function newAlerts(u: BudgetUse, sent: ReadonlySet<number>): { reached: number[]; alert: BudgetAlert | null } {
  const percent = u.ratio * 100;
  const reached = u.alertAt.filter((t) => percent >= t && !sent.has(t));
  if (reached.length === 0) return { reached, alert: null };
  const parts = [
    u.limits.usd !== undefined ? `$${u.usd.toFixed(2)} of $${u.limits.usd.toFixed(2)}` : null,
    u.limits.tokens !== undefined ? `${Math.round(u.tokens).toLocaleString('en-US')} of ${u.limits.tokens.toLocaleString('en-US')} tokens` : null,
    u.limits.percent !== undefined && u.percent !== null ? `${u.percent.toFixed(0)}% of the window, ${u.limits.percent}% allowed` : null,
  ].filter(Boolean).join(', ');
  return {
    reached,
    alert: {
      budget: u.name, period: u.period, periodStart: u.start, threshold: Math.max(...reached), percent, usd: u.usd, tokens: u.tokens, limit: u.limits,
      text: `tokenmeter: budget "${u.name}" is at ${Math.round(percent)}% ${WORDS[u.period]} (${parts})${u.spent && u.enforce ? '; the guard now stops new prompts' : ''}`,
    },
  };
}

/** The official 5-hour window's own alerts (Claude's reading), at these percentages. */
export const WINDOW_ALERT_AT = [80, 95];
