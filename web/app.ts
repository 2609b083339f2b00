// The dashboard: live token rates from /api/stream, totals and the window from /api/summary, history and breakdowns
// from /api/usage. Filters live in the URL; everything is fetched from the daemon that served the page.
import uPlot from 'uplot';
import { clock, compact, duration, thousands, usd } from './format.js';

type Counts = { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number; requests?: number; totalTokens?: number };
interface UsageEvent extends Counts { ts: string; tool: string; model: string; project: string; host: string; sessionId: string }

const TYPES = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
const LABELS: Record<(typeof TYPES)[number], string> = { input: 'input', output: 'output', cacheRead: 'cache read', cacheWrite: 'cache write' };
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const params = new URLSearchParams(location.search);
const state = {
  liveMinutes: Number(params.get('live') ?? 15),
  period: (params.get('period') ?? 'day') as 'day' | 'week' | 'month',
  days: Number(params.get('days') ?? 30),
  metric: (params.get('metric') ?? 'tokens') as 'tokens' | 'cost',
  breakdown: params.get('by') ?? 'model',
  utc: params.get('tz') === 'utc',
  sort: parseSort(params.get('sort')),
  theme: params.get('theme') as 'light' | 'dark' | null,
};

/** `sort=cost` (descending) or `sort=requests-asc`: the breakdown's order, kept in the URL like every other choice. */
function parseSort(v: string | null): { key: string; dir: number } {
  const m = /^([a-zA-Z]+?)(-asc)?$/.exec(v ?? '');
  return m ? { key: m[1]!, dir: m[2] ? 1 : -1 } : { key: 'cost', dir: -1 };
}
const FILTERS = ['tool', 'model', 'project', 'host', 'since', 'until'] as const;
const filters: Record<string, string> = {};
for (const f of FILTERS) if (params.get(f)) filters[f] = params.get(f)!;

/** Per-second sums of the live window, keyed by second; what the live chart draws (also read by the browser tests). */
const seconds = new Map<number, Counts>();
const debug = { liveTotal: 0, events: 0, frames: 0, histLabels: [] as string[] };
(window as unknown as { tokenmeter: unknown }).tokenmeter = { seconds, debug, state };

function syncUrl(): void {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
  if (state.liveMinutes !== 15) p.set('live', String(state.liveMinutes));
  if (state.period !== 'day') p.set('period', state.period);
  if (state.days !== 30) p.set('days', String(state.days));
  if (state.metric !== 'tokens') p.set('metric', state.metric);
  if (state.breakdown !== 'model') p.set('by', state.breakdown);
  if (state.utc) p.set('tz', 'utc');
  if (state.sort.key !== 'cost' || state.sort.dir !== -1) p.set('sort', `${state.sort.key}${state.sort.dir > 0 ? '-asc' : ''}`);
  if (state.theme) p.set('theme', state.theme);
  history.replaceState(null, '', `${location.pathname}${p.size ? `?${p}` : ''}`);
}

function query(extra: Record<string, string | number>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v && k !== 'since' && k !== 'until') p.set(k, v);
  for (const [k, v] of Object.entries(extra)) p.set(k, String(v));
  return p.toString();
}

async function api<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  if (r.status === 401) needsToken();
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as T;
}

/** Set once a request was refused for want of the token: what the status says then, whatever else fails after. */
let tokenNeeded = false;

/** A daemon started with --token answers 401 until the page has traded the token for a session. */
function needsToken(): void {
  tokenNeeded = true;
  const status = $('connection');
  status.textContent = 'this daemon asks for its token: open the address tokenmeter serve printed (…/#token=…)';
  status.className = 'connection down';
}

/**
 * The address `tokenmeter serve --token` prints carries the token in its fragment, which is never sent to a server
 * or kept in its logs: the page trades it once for a session cookie (HttpOnly, SameSite=Strict) and drops it from the
 * address bar and the history.
 */
async function takeToken(): Promise<void> {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  const r = await fetch('/api/session', {
    method: 'POST', body: '{}',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${decodeURIComponent(m[1]!)}` },
  });
  if (r.status === 401) needsToken();
}

const matches = (e: UsageEvent) => (['tool', 'model', 'project', 'host'] as const).every((k) => !filters[k] || e[k] === filters[k]);

// ---- live chart ----
let liveChart: uPlot | undefined;
let summaryDue = false;

/** Bucket size (s) for a live range: about 90 bars across, whatever the range. */
const bucketOf = (minutes: number) => (minutes <= 5 ? 5 : minutes <= 15 ? 10 : 30);
/** Token rates are a 1-minute moving sum, the cost rate a 5-minute one: a burst reads as a rate, not as a needle. */
const TOKEN_RATE_S = 60;
const COST_RATE_S = 300;

function liveData(): uPlot.AlignedData {
  const bucket = bucketOf(state.liveMinutes);
  const now = Math.floor(Date.now() / 1000 / bucket) * bucket;
  const from = now - state.liveMinutes * 60;
  const xs: number[] = [];
  const stacks: number[][] = TYPES.map(() => []);
  const cost: number[] = [];
  // Prefix sums per second over the range and the longest rate window before it, so each point is one subtraction.
  const start = from - COST_RATE_S;
  const len = now - start + bucket;
  const sums = TYPES.map(() => new Float64Array(len + 1));
  const costSum = new Float64Array(len + 1);
  for (let i = 0; i < len; i++) {
    const c = seconds.get(start + i);
    TYPES.forEach((k, j) => (sums[j]![i + 1] = sums[j]![i]! + (c ? c[k] : 0)));
    costSum[i + 1] = costSum[i]! + (c ? c.cost : 0);
  }
  const trailing = (arr: Float64Array, end: number, span: number) => arr[end - start]! - arr[Math.max(end - span - start, 0)]!;
  for (let t = from; t <= now; t += bucket) {
    const end = t + bucket; // the bucket's rates cover the seconds up to its end
    xs.push(t);
    let acc = 0;
    // Stacked: each series is the sum of itself and the ones below it, drawn top first; in tokens per minute.
    TYPES.forEach((_k, j) => {
      acc += trailing(sums[j]!, Math.min(end, now + bucket), TOKEN_RATE_S) * (60 / TOKEN_RATE_S);
      stacks[j]!.push(acc);
    });
    cost.push(trailing(costSum, Math.min(end, now + bucket), COST_RATE_S) * (3600 / COST_RATE_S));
  }
  return [xs, ...[...stacks].reverse(), cost];
}

/** Axis labels that differ: with seconds when the ticks are less than a minute apart. */
const timeLabels = (ts: number[]) => {
  const step = ts.length > 1 ? ts[1]! - ts[0]! : 60;
  return ts.map((t) => clock(t * 1000, state.utc, step < 60));
};

/** Labels with as many decimals as it takes to tell ticks apart ($0.5, $1.0, $1.5, not $1, $1, $2). */
function stepLabels(v: number[], fmt: (x: number, decimals: number) => string): string[] {
  const step = v.length > 1 ? Math.abs(v[1]! - v[0]!) : 1;
  // The fewest decimals that write the step exactly (2.5 → 1, 0.25 → 2), so that no two ticks read alike.
  let decimals = 0;
  while (decimals < 4 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-9) decimals++;
  return v.map((x) => fmt(x, decimals));
}

/** An axis as wide as its longest label: none is cut at the edge. */
const fitAxis = (_u: uPlot, values: string[] | null) => 22 + 8 * Math.max(3, ...(values ?? []).map((x) => x.length));

function drawLive(): void {
  const el = $('live-chart');
  const data = liveData();
  const width = el.clientWidth || 600;
  if (!liveChart) {
    const colors = [...TYPES].reverse().map((k) => css(`--${k === 'cacheRead' ? 'cache-read' : k === 'cacheWrite' ? 'cache-write' : k}`));
    liveChart = new uPlot({
      width, height: 260,
      // From zero, and with room for whole tokens when there are none yet (no 0, 0, 1, 1 ticks).
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? Math.max(max * 1.1, 10) : 10] }, usd: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: css('--muted'), grid: { stroke: css('--border') }, values: (_u, ts) => timeLabels(ts) },
        { stroke: css('--muted'), grid: { stroke: css('--border') }, values: (_u, v) => v.map(compact), size: fitAxis },
        { side: 1, scale: 'usd', stroke: css('--cost'), grid: { show: false }, values: (_u, v) => stepLabels(v, (x, d) => `${usd(x, d)}/h`), size: fitAxis },
      ],
      series: [
        { value: (_u, t) => (t === null ? '' : clock(t * 1000, state.utc, true)) },
        ...[...TYPES].reverse().map((k, i) => ({ label: LABELS[k], stroke: colors[i], fill: colors[i], width: 1, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '' : `${compact(v)}/min`) })),
        { label: 'cost rate (5 min)', scale: 'usd', stroke: css('--cost'), width: 2, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '' : `${usd(v)}/h`) },
      ],
      hooks: { setCursor: [idleLegend] },
    }, data, el);
    idleLegend(liveChart);
  } else {
    liveChart.setData(data);
  }
  debug.frames++;
}

/** The legend's values show while the cursor is on the chart; away from it, only the series' names. */
function idleLegend(u: uPlot): void {
  u.root.classList.toggle('idle', u.cursor.idx === null || u.cursor.idx === undefined);
}

function addEvent(e: UsageEvent): void {
  if (!matches(e)) return;
  const t = Math.floor(Date.parse(e.ts) / 1000);
  let c = seconds.get(t);
  if (!c) seconds.set(t, (c = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 }));
  for (const k of TYPES) c[k] += e[k];
  c.cost += e.cost;
  debug.liveTotal += e.input + e.output + e.cacheRead + e.cacheWrite;
  debug.events++;
  // The totals follow at the next tick.
  summaryDue = true;
}

async function loadLive(): Promise<void> {
  seconds.clear();
  debug.liveTotal = 0;
  const since = Date.now() - 60 * 60_000;
  const r = await api<{ rows: Array<Counts & { t: string }> }>(`/api/usage?${query({ group: 'second', since })}`);
  for (const row of r.rows) {
    seconds.set(Math.floor(Date.parse(row.t) / 1000), { input: row.input, output: row.output, cacheRead: row.cacheRead, cacheWrite: row.cacheWrite, cost: row.cost });
    debug.liveTotal += row.input + row.output + row.cacheRead + row.cacheWrite;
  }
  drawLive();
}

// ---- summary cards ----
interface Summary {
  totals: Counts & { totalTokens: number };
  today: Counts & { totalTokens: number; requests: number; unpriced?: number };
  session: (Counts & { id: string; totalTokens: number; model: string; unpriced?: number }) | null;
  windowTool: string | null;
  window: { start: string; reset: string; isActive: boolean; totalTokens: number; cost: number; burnRate: { tokensPerMinute: number; costPerHour: number } | null } | null;
  limit: Limit | null;
  /** Each tool's own window: Claude's counts Claude usage, Codex's comes from its rollouts. */
  windows: Array<{ tool: string; limit: Limit | null }>;
  rate: { tokensPerMinute: number; costPerHour: number };
}
type Limit = { usedPercent: number; resetsAt: string; source: string; limitAt: string | null; basis: string };

/** An official figure as it is; an estimate with ~, and past 100 % only as ">100%" (as the status line says it). */
const pctText = (l: Limit) => (l.source === 'official' ? `${l.usedPercent.toFixed(0)}%` : l.usedPercent > 100 ? '>100%' : `~${l.usedPercent.toFixed(0)}%`);

function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

let agentsListed = false;
/** The empty state's list of agents, from the daemon's source registry; `where` marks paths with backticks. */
async function listAgents(): Promise<void> {
  if (agentsListed) return;
  agentsListed = true;
  const r = await api<{ agents: Array<{ name: string; where: string; env: string[] }> }>('/api/sources');
  const items = r.agents.map((a) => {
    const li = document.createElement('li');
    const name = document.createElement('b');
    name.textContent = a.name;
    li.append(name, ': ');
    a.where.split('`').forEach((part, i) => {
      if (i % 2 === 0) return li.append(part);
      const code = document.createElement('code');
      code.textContent = part;
      li.append(code);
    });
    if (a.env.length) li.append(` (moved by ${a.env.join(', ')})`);
    return li;
  });
  $('empty-agents').querySelector('ul')!.replaceChildren(...items);
}

const money = (cost: number, unpriced?: number) => `${usd(cost)}${unpriced ? '?' : ''}`;

interface BudgetRow { name: string; period: string; ratio: number; spent: boolean; usd: number; tokens: number; percent: number | null; limits: { usd?: number; tokens?: number; percent?: number }; enforce: boolean }

/** Each budget's use this period, as `budget list` says it: a bar per budget, red once spent. */
async function loadBudgets(): Promise<void> {
  const { budgets } = await api<{ budgets: BudgetRow[] }>('/api/budgets');
  $('budgets-card').hidden = budgets.length === 0;
  $('budgets').replaceChildren(...budgets.map((b) => {
    const li = document.createElement('li');
    const label = document.createElement('div');
    const limit = b.limits.usd !== undefined ? `${usd(b.usd)} of ${usd(b.limits.usd)}` : b.limits.tokens !== undefined ? `${thousands(b.tokens)} of ${thousands(b.limits.tokens)} tokens` : `${b.percent === null ? '?' : Math.round(b.percent)}% of ${b.limits.percent}%`;
    label.textContent = `${b.name} (${b.period}${b.enforce ? ', enforced' : ''}): ${b.spent ? 'spent' : `${Math.round(b.ratio * 100)}%`} · ${limit}`;
    const bar = document.createElement('div');
    bar.className = 'gauge';
    const fill = document.createElement('div');
    fill.className = `gauge-bar${b.spent ? ' over' : ''}`;
    fill.style.width = `${Math.min(b.ratio, 1) * 100}%`;
    bar.append(fill);
    li.append(label, bar);
    return li;
  }));
}

async function loadSummary(): Promise<void> {
  void loadBudgets().catch(() => undefined);
  // Today, the session and the window follow the tool filter; whether there is any usage at all does not.
  const s = await api<Summary>(`/api/summary${filters.tool ? `?tool=${encodeURIComponent(filters.tool)}` : ''}`);
  // Nothing yet: how to get data in, instead of blank charts.
  const empty = (s.totals.requests ?? 0) === 0;
  $('empty').hidden = !empty;
  if (empty) void listAgents();
  $('content').hidden = empty;
  setText('today-tokens', `${thousands(s.today.totalTokens)} tokens`);
  setText('today-cost', `${money(s.today.cost, s.today.unpriced)} · ${thousands(s.today.requests)} requests`);
  setText('session-tokens', s.session ? `${thousands(s.session.totalTokens)} tokens` : '–');
  setText('session-cost', s.session ? `${money(s.session.cost, s.session.unpriced)} · ${s.session.model}` : 'no recent session');
  const w = s.window?.isActive ? s.window : null;
  const windows = (s.windows ?? []).filter((x) => x.limit);
  const shown = windows.find((x) => x.tool === (filters.tool ?? s.windowTool)) ?? (filters.tool ? undefined : windows[0]);
  setText('window-title', `5-hour window${s.windowTool ? ` · ${s.windowTool}` : ''}`);
  setText('window-tokens', w ? `${thousands(w.totalTokens)} tokens` : 'no active window');
  // One reset time on the page: the window's, as the gauge says it (the official one when the tool sent it).
  const reset = shown?.limit ? Date.parse(shown.limit.resetsAt) : w ? Date.parse(w.reset) : null;
  setText('window-cost', w && reset ? `${usd(w.cost)} · resets ${clock(reset, state.utc)} (in ${duration(reset - Date.now())})` : '–');
  // The gauge shows the filtered tool's window, else Claude Code's (else the first); the others are named below it.
  const bar = $('gauge-bar');
  setText('gauge-title', shown ? `Window used · ${shown.tool}` : 'Window used');
  if (shown?.limit) {
    const l = shown.limit;
    bar.style.width = `${Math.min(l.usedPercent, 100)}%`;
    bar.className = `gauge-bar${l.usedPercent >= 80 ? ' bad' : l.usedPercent >= 60 ? ' warn' : ''}`;
    setText('gauge-pct', `${pctText(l)}${l.source === 'official' ? ' (official)' : ''}`);
    const burn = w?.burnRate ? `${compact(w.burnRate.tokensPerMinute)} tok/min, ${usd(w.burnRate.costPerHour)}/h` : 'idle';
    // What the percentage is measured against, always said: an estimate is only as good as that.
    setText('gauge-detail', `of ${l.basis} · ${burn}${l.limitAt ? ` · limit at ${clock(Date.parse(l.limitAt), state.utc)}` : ''}`);
  } else {
    bar.style.width = '0';
    setText('gauge-pct', '–');
    setText('gauge-detail', 'no active window');
  }
  setText('gauge-others', windows.filter((x) => x !== shown).map((x) => `${x.tool} ${pctText(x.limit!)}`).join(' · '));
  setText('live-rate', `${compact(s.rate.tokensPerMinute)} tok/min · ${usd(s.rate.costPerHour)}/h over 10 min`);
}

// ---- history ----
let histChart: uPlot | undefined;

function periodKey(day: string): string {
  if (state.period === 'day') return day;
  if (state.period === 'month') return day.slice(0, 7);
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7)); // weeks from Monday
  return d.toISOString().slice(0, 10);
}

/** The period keys (days, weeks or months, as `periodKey` makes them) from one day to another. */
function periodsBetween(from: string, to: string): string[] {
  const out = new Set<string>();
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end && out.size < 1000; t += 86_400_000) {
    out.add(periodKey(new Date(t).toISOString().slice(0, 10)));
  }
  return [...out];
}

async function loadHistory(): Promise<void> {
  const since = filters.since ?? new Date(Date.now() - state.days * 86_400_000).toISOString().slice(0, 10);
  const r = await api<{ rows: Array<Counts & { day: string }> }>(`/api/usage?${query({ group: 'day', since, ...(filters.until ? { until: filters.until } : {}) })}`);
  const groups = new Map<string, Counts>();
  for (const row of r.rows) {
    const k = periodKey(row.day);
    const g = groups.get(k) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
    for (const t of TYPES) g[t] += row[t];
    g.cost += row.cost;
    groups.set(k, g);
  }
  // Every period of the range, those without usage as zero: a quiet day is a gap in the bars, not a missing bar.
  for (const k of periodsBetween(since, filters.until ?? new Date().toISOString().slice(0, 10))) if (!groups.has(k)) groups.set(k, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
  const keys = [...groups.keys()].sort();
  // Periods are categories, one bar each, labelled by their first day (or month).
  const xs = keys.map((_k, i) => i);
  const label = (i: number) => {
    const k = keys[Math.round(i)];
    return k === undefined ? '' : state.period === 'month' ? k : k.slice(5);
  };
  // A period without usage draws no bar at all (null), rather than a sliver at zero.
  let series: Array<Array<number | null>>;
  let labels: string[];
  let colors: string[];
  if (state.metric === 'cost') {
    series = [keys.map((k) => groups.get(k)!.cost || null)];
    labels = ['cost'];
    colors = [css('--cost')];
  } else {
    const stacks = TYPES.map(() => [] as Array<number | null>);
    for (const k of keys) {
      let acc = 0;
      TYPES.forEach((t, i) => stacks[i]!.push((acc += groups.get(k)![t]) || null));
    }
    series = [...stacks].reverse();
    labels = [...TYPES].reverse().map((t) => LABELS[t]);
    colors = [...TYPES].reverse().map((k) => css(`--${k === 'cacheRead' ? 'cache-read' : k === 'cacheWrite' ? 'cache-write' : k}`));
  }
  histChart?.destroy();
  const el = $('hist-chart');
  const bars = uPlot.paths.bars!({ size: [0.7, 60] });
  histChart = new uPlot({
    width: el.clientWidth || 600, height: 260,
    scales: { x: { time: false, range: [-0.5, Math.max(keys.length - 0.5, 0.5)] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [
      { stroke: css('--muted'), grid: { show: false }, values: (_u, v) => v.map((i) => (Number.isInteger(i) ? label(i) : '')) },
      {
        stroke: css('--muted'), grid: { stroke: css('--border') }, size: fitAxis,
        // Kept for the browser tests: uPlot draws tick labels on the canvas.
        values: (_u, v) => (debug.histLabels = state.metric === 'cost' ? stepLabels(v, (x, d) => (x >= 1000 ? `$${compact(x)}` : usd(x, d))) : v.map(compact)),
      },
    ],
    hooks: { setCursor: [idleLegend] },
    series: [
      { value: (_u, i) => (i === null ? '' : keys[i] ?? '') },
      ...labels.map((label, i) => ({ label, fill: colors[i], stroke: colors[i], paths: bars, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '' : state.metric === 'cost' ? usd(v) : thousands(v)) })),
    ],
  }, [xs, ...series], el);
  idleLegend(histChart);
}

// ---- breakdown ----
type Row = Counts & { key: string; requests: number; totalTokens: number; lastActivity: string; unpriced?: number; tokensUnknown?: number };
let rows: Row[] = [];

async function loadBreakdown(): Promise<void> {
  const extra: Record<string, string> = { group: state.breakdown };
  if (filters.since) extra.since = filters.since;
  if (filters.until) extra.until = filters.until;
  rows = (await api<{ rows: Row[] }>(`/api/usage?${query(extra)}`)).rows;
  renderBreakdown();
}

const COLUMNS: Array<[keyof Row | 'share', string]> = [['key', ''], ['requests', 'requests'], ['input', 'input'], ['output', 'output'], ['cacheRead', 'cache read'], ['cacheWrite', 'cache write'], ['totalTokens', 'tokens'], ['cost', 'cost'], ['share', 'share of cost']];

function renderBreakdown(): void {
  const table = $('breakdown') as HTMLTableElement;
  const total = rows.reduce((s, r) => s + r.cost, 0) || 1;
  const head = document.createElement('tr');
  for (const [k, label] of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = k === 'key' ? state.breakdown : label;
    const sortKey = k === 'share' ? 'cost' : k;
    if (state.sort.key === k) th.setAttribute('aria-sort', state.sort.dir > 0 ? 'ascending' : 'descending');
    th.addEventListener('click', () => {
      state.sort = { key: sortKey, dir: state.sort.key === sortKey ? -state.sort.dir : -1 };
      syncUrl();
      renderBreakdown();
    });
    head.append(th);
  }
  table.tHead!.replaceChildren(head);
  const sorted = [...rows].sort((a, b) => {
    const x = a[state.sort.key as keyof Row];
    const y = b[state.sort.key as keyof Row];
    return (typeof x === 'string' ? String(x).localeCompare(String(y)) : (x as number) - (y as number)) * state.sort.dir;
  });
  const body = sorted.map((r) => {
    const tr = document.createElement('tr');
    for (const [k] of COLUMNS) {
      const td = document.createElement('td');
      if (k === 'key') {
        td.textContent = r.key || '(none)';
        td.title = r.key;
      } else if (k === 'share') {
        const bar = document.createElement('span');
        bar.className = 'share';
        bar.style.width = `${Math.round((r.cost / total) * 60)}px`;
        td.append(bar, `${((r.cost / total) * 100).toFixed(1)}%`);
      } else if (k === 'cost') td.textContent = money(r.cost, r.unpriced);
      // Counts that leave out records known only by their cost (Crush's sessions): a lower bound, never a plain 0.
      else if (k !== 'requests' && r.tokensUnknown) {
        td.textContent = `${thousands(r[k] as number)}?`;
        td.title = 'tokens not recorded by this agent (only its cost)';
      } else td.textContent = thousands(r[k] as number);
      tr.append(td);
    }
    return tr;
  });
  table.tBodies[0]!.replaceChildren(...body);
}

// ---- filters and controls ----
async function loadFilterOptions(): Promise<void> {
  const form = $('filters') as HTMLFormElement;
  for (const key of ['tool', 'model', 'project', 'host']) {
    const select = form.elements.namedItem(key) as HTMLSelectElement;
    const r = await api<{ rows: Array<{ key: string }> }>(`/api/usage?group=${key}`);
    const current = filters[key] ?? '';
    select.replaceChildren(new Option('all', ''), ...r.rows.map((x) => new Option(x.key || '(none)', x.key)));
    select.value = current;
  }
  for (const key of ['since', 'until']) (form.elements.namedItem(key) as HTMLInputElement).value = filters[key] ?? '';
}

function pressed(groupId: string, attr: string, value: string): void {
  for (const b of $(groupId).querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset[attr] === value));
}

function bindControls(): void {
  $('filters').addEventListener('change', (ev) => {
    const el = ev.target as HTMLInputElement | HTMLSelectElement;
    if (el.value) filters[el.name] = el.value;
    else delete filters[el.name];
    syncUrl();
    void refreshAll();
  });
  const seg = (id: string, attr: string, apply: (v: string) => void) =>
    $(id).addEventListener('click', (ev) => {
      const b = (ev.target as HTMLElement).closest('button');
      if (!b) return;
      apply(b.dataset[attr]!);
      pressed(id, attr, b.dataset[attr]!);
      syncUrl();
    });
  seg('live-range', 'min', (v) => {
    state.liveMinutes = Number(v);
    drawLive();
  });
  seg('hist-period', 'p', (v) => {
    state.period = v as typeof state.period;
    void loadHistory();
  });
  seg('hist-days', 'd', (v) => {
    state.days = Number(v);
    void loadHistory();
  });
  seg('hist-metric', 'm', (v) => {
    state.metric = v as typeof state.metric;
    void loadHistory();
  });
  seg('bd-key', 'k', (v) => {
    state.breakdown = v;
    void loadBreakdown();
  });
  pressed('live-range', 'min', String(state.liveMinutes));
  pressed('hist-period', 'p', state.period);
  pressed('hist-days', 'd', String(state.days));
  pressed('hist-metric', 'm', state.metric);
  pressed('bd-key', 'k', state.breakdown);
  const tz = $('tz');
  tz.textContent = state.utc ? 'UTC' : 'local time';
  tz.addEventListener('click', () => {
    state.utc = !state.utc;
    tz.textContent = state.utc ? 'UTC' : 'local time';
    syncUrl();
    liveChart?.destroy();
    liveChart = undefined;
    drawLive();
    void loadSummary();
  });
  // The URL's theme first (a link shows what it showed), then the last one chosen, then the system's.
  const stored = state.theme ?? localStorage.getItem('tokenmeter-theme');
  const dark = stored ? stored === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  $('theme').addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem('tokenmeter-theme', next);
    state.theme = next;
    syncUrl();
    // Charts take their colours when built.
    liveChart?.destroy();
    liveChart = undefined;
    drawLive();
    void loadHistory();
  });
  let resize: number | undefined;
  addEventListener('resize', () => {
    clearTimeout(resize);
    resize = window.setTimeout(() => {
      liveChart?.setSize({ width: $('live-chart').clientWidth, height: 260 });
      histChart?.setSize({ width: $('hist-chart').clientWidth, height: 260 });
    }, 100);
  });
}

function showAlert(text: string): void {
  const box = $('alerts');
  const item = document.createElement('div');
  item.className = 'alert';
  item.textContent = text.replace(/^tokenmeter: /, '');
  const close = document.createElement('button');
  close.textContent = '×';
  close.title = 'dismiss';
  close.addEventListener('click', () => item.remove());
  item.append(close);
  box.prepend(item);
  box.hidden = false;
}

// ---- stream ----
function connect(): void {
  const status = $('connection');
  const es = new EventSource('/api/stream');
  es.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'connection live';
    // What happened while away: the live window is read again.
    void loadLive();
    void loadSummary();
  });
  es.addEventListener('usage', (m) => addEvent(JSON.parse((m as MessageEvent).data) as UsageEvent));
  // A budget crossed one of its thresholds: said at the top until dismissed.
  es.addEventListener('alert', (m) => showAlert((JSON.parse((m as MessageEvent).data) as { text: string }).text));
  es.addEventListener('error', () => {
    if (tokenNeeded) return needsToken();
    status.textContent = 'disconnected, retrying…';
    status.className = 'connection down';
  });
}

function tick(): void {
  drawLive();
  if (summaryDue) {
    summaryDue = false;
    void loadSummary().catch(() => undefined);
  }
}

async function refreshAll(): Promise<void> {
  await Promise.all([loadLive(), loadSummary(), loadHistory(), loadBreakdown()]);
}

async function main(): Promise<void> {
  await takeToken().catch(() => undefined);
  bindControls();
  await loadFilterOptions().catch(() => undefined);
  await refreshAll().catch(() => undefined);
  connect();
  // One redraw a second, whatever the event rate: the chart has 1-second resolution. Totals follow the stream at
  // most once a second, and every 10 s regardless (the window's clock runs on).
  setInterval(tick, 1000);
  setInterval(() => {
    summaryDue = true;
  }, 10_000);
}

void main();
