// The status line's text: segments filled from the status data and joined in the order a template gives.
import type { StatusData } from '../server/status.js';
import { printable } from '../core/text.js';

export const DEFAULT_FORMAT = '{model} | {cost} | {tokens} | {context} | {rate} | {window}';

export interface FormatOptions {
  format?: string;
  emoji?: boolean;
  color?: boolean;
  /** Percent at which the light turns yellow, then red. */
  thresholds?: [number, number];
  now?: number;
}

/** 54,231: by hand, because toLocaleString loads ICU data (~10 ms) on a path that has ~20 ms in all. */
export const thousands = (v: number) => String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const n = thousands;
const usd = (v: number) => `$${v < 10 ? v.toFixed(2) : v.toFixed(1)}`;

function until(ms: number): string {
  const m = Math.max(Math.round(ms / 60_000), 0);
  if (m >= 48 * 60) return `${Math.floor(m / 1440)}d${Math.floor((m % 1440) / 60)}h`;
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m`;
}

function clock(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * An official figure as it is; an estimate with `~`, and past 100 % only as ">100%": what it is measured against (a
 * P90 of short windows, say) does not make a larger number believable.
 */
export function windowPercent(w: { usedPercent: number; source: string }): string {
  if (w.source === 'official') return `${Math.round(w.usedPercent)}%`;
  return w.usedPercent > 100 ? '>100%' : `~${Math.round(w.usedPercent)}%`;
}

const KNOWN = new Set(['model', 'cost', 'session_cost', 'today_cost', 'tokens', 'context', 'rate', 'cost_rate', 'window', 'weekly', 'budget']);

const ANSI = { green: '\x1b[32m', yellow: '\x1b[33m', red: '\x1b[31m', reset: '\x1b[0m' };

export function formatStatusLine(d: StatusData, o: FormatOptions = {}): string {
  const emoji = o.emoji ?? true;
  const now = o.now ?? Date.now();
  const [yellow, red] = o.thresholds ?? [60, 80];
  const e = (symbol: string) => (emoji ? `${symbol} ` : '');
  const segments: Record<string, string> = {};
  if (d.model) segments.model = `${e('🤖')}${printable(d.model)}`;
  segments.cost = d.session ? `${e('💰')}${usd(d.session.cost)} session / ${usd(d.today.cost)} today` : `${e('💰')}${usd(d.today.cost)} today`;
  segments.session_cost = d.session ? `${e('💰')}${usd(d.session.cost)} session` : '';
  segments.today_cost = `${e('💰')}${usd(d.today.cost)} today`;
  segments.tokens = `${e('📊')}${n(d.session?.tokens ?? d.today.tokens)} tokens`;
  segments.rate = d.rate.tokensPerMinute > 0 ? `${e('🔥')}${n(d.rate.tokensPerMinute)} tok/min` : '';
  segments.cost_rate = d.rate.costPerHour > 0 ? `${e('💸')}${usd(d.rate.costPerHour)}/h` : '';
  /** A percentage coloured by the thresholds, after its light or its own symbol. */
  const gauge = (p: number, text: string, symbol?: string) => {
    const level = p >= red ? 'red' : p >= yellow ? 'yellow' : 'green';
    const light = e(symbol ?? { green: '🟢', yellow: '🟡', red: '🔴' }[level]);
    return light + (o.color ? `${ANSI[level]}${text}${ANSI.reset}` : text);
  };
  segments.window = d.window
    ? gauge(d.window.usedPercent, `${windowPercent(d.window)} 5h (${until(d.window.resetsAt - now)})${d.window.limitAt ? ` limit ${clock(d.window.limitAt)}` : ''}`)
    : '';
  segments.context = d.context !== null && d.context !== undefined ? gauge(d.context, `${Math.round(d.context)}% context`, '🧠') : '';
  segments.budget = d.budget ? gauge(d.budget.ratio * 100, `${printable(d.budget.name)} ${d.budget.spent ? 'spent' : `${Math.round(d.budget.ratio * 100)}%`}`, '🎯') : '';
  segments.weekly = d.weekly ? `${e('📅')}${d.weekly.source === 'official' ? '' : '~'}${Math.round(d.weekly.usedPercent)}% 7d (${until(d.weekly.resetsAt - now)})` : '';
  // Text before the first placeholder and after the last is kept; text between two is a separator, shown only
  // between two segments that have something to show.
  const parts = (o.format ?? DEFAULT_FORMAT).split(/(\{[a-z_]+\})/);
  const suffix = parts.length > 1 ? parts.pop()! : '';
  let out = parts[0]!;
  let sep = '';
  let shown = false;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!.slice(1, -1);
    // A known segment without data disappears; an unknown name stays as written, so a typo shows.
    const value = KNOWN.has(name) ? segments[name] ?? '' : parts[i]!;
    if (!value) continue;
    out += (shown ? sep : '') + value;
    shown = true;
    sep = parts[i + 1] ?? '';
  }
  return (out + suffix).trimEnd();
}
