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
  sort: { key: 'cost', dir: -1 },
};
const FILTERS = ['tool', 'model', 'project', 'host', 'since', 'until'] as const;
const filters: Record<string, string> = {};
for (const f of FILTERS) if (params.get(f)) filters[f] = params.get(f)!;

/** Per-second sums of the live window, keyed by second; what the live chart draws (also read by the browser tests). */
const seconds = new Map<number, Counts>();
const debug = { liveTotal: 0, events: 0, frames: 0 };
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

/** A daemon started with --token answers 401 until the page has traded the token for a session. */
function needsToken(): void {
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

function liveData(): uPlot.AlignedData {
  const now = Math.floor(Date.now() / 1000);
  const from = now - state.liveMinutes * 60;
  const xs: number[] = [];
  const stacks: number[][] = TYPES.map(() => []);
  const cost: number[] = [];
  for (let t = from; t <= now; t++) {
    xs.push(t);
    const c = seconds.get(t);
    let acc = 0;
    // Stacked: each series is the sum of itself and the ones below it, drawn top first.
    TYPES.forEach((k, i) => {
      acc += c ? c[k] : 0;
      stacks[i]!.push(acc);
    });
    cost.push(c ? c.cost * 3600 : 0);
  }
  return [xs, ...[...stacks].reverse(), cost];
}

function drawLive(): void {
  const el = $('live-chart');
  const data = liveData();
  const width = el.clientWidth || 600;
  if (!liveChart) {
    const colors = [...TYPES].reverse().map((k) => css(`--${k === 'cacheRead' ? 'cache-read' : k === 'cacheWrite' ? 'cache-write' : k}`));
    liveChart = new uPlot({
      width, height: 260,
      scales: { x: { time: true }, usd: { auto: true } },
      axes: [
        { stroke: css('--muted'), grid: { stroke: css('--border') }, values: (_u, ts) => ts.map((t) => clock(t * 1000, state.utc)) },
        { stroke: css('--muted'), grid: { stroke: css('--border') }, values: (_u, v) => v.map(compact), size: 50 },
        { side: 1, scale: 'usd', stroke: css('--cost'), grid: { show: false }, values: (_u, v) => v.map((x) => `$${x.toFixed(x < 10 ? 1 : 0)}/h`), size: 60 },
      ],
      series: [
        { value: (_u, t) => (t === null ? '' : clock(t * 1000, state.utc)) },
        ...[...TYPES].reverse().map((k, i) => ({ label: LABELS[k], stroke: colors[i], fill: colors[i], width: 1, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '' : compact(v)) })),
        { label: 'cost rate', scale: 'usd', stroke: css('--cost'), width: 2, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '' : `$${v.toFixed(2)}/h`) },
      ],
    }, data, el);
  } else {
    liveChart.setData(data);
  }
  debug.frames++;
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
  today: Counts & { totalTokens: number; requests: number };
  session: (Counts & { id: string; totalTokens: number; model: string }) | null;
  window: { start: string; reset: string; isActive: boolean; totalTokens: number; cost: number; burnRate: { tokensPerMinute: number; costPerHour: number } | null } | null;
  limit: Limit | null;
  /** Each tool's own window: Claude's counts Claude usage, Codex's comes from its rollouts. */
  windows: Array<{ tool: string; limit: Limit | null }>;
  rate: { tokensPerMinute: number; costPerHour: number };
}
type Limit = { usedPercent: number; resetsAt: string; source: string; limitAt: string | null };

const pctText = (l: Limit) => `${l.source === 'official' ? '' : '~'}${l.usedPercent.toFixed(0)}%`;

function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

async function loadSummary(): Promise<void> {
  const s = await api<Summary>('/api/summary');
  // Nothing yet: how to get data in, instead of blank charts.
  const empty = (s.totals.requests ?? 0) === 0;
  $('empty').hidden = !empty;
  $('content').hidden = empty;
  setText('today-tokens', `${thousands(s.today.totalTokens)} tokens`);
  setText('today-cost', `${usd(s.today.cost)} · ${thousands(s.today.requests)} requests`);
  setText('session-tokens', s.session ? `${thousands(s.session.totalTokens)} tokens` : '–');
  setText('session-cost', s.session ? `${usd(s.session.cost)} · ${s.session.model}` : 'no recent session');
  const w = s.window?.isActive ? s.window : null;
  setText('window-tokens', w ? `${thousands(w.totalTokens)} tokens` : 'no active window');
  setText('window-cost', w ? `${usd(w.cost)} · resets ${clock(Date.parse(w.reset), state.utc)} (in ${duration(Date.parse(w.reset) - Date.now())})` : '–');
  // The gauge shows the filtered tool's window, else Claude Code's (else the first); the others are named below it.
  const windows = (s.windows ?? []).filter((x) => x.limit);
  const shown = windows.find((x) => x.tool === filters.tool) ?? (filters.tool ? undefined : windows[0]);
  const bar = $('gauge-bar');
  setText('gauge-title', shown ? `Window used · ${shown.tool}` : 'Window used');
  if (shown?.limit) {
    const l = shown.limit;
    bar.style.width = `${Math.min(l.usedPercent, 100)}%`;
    bar.className = `gauge-bar${l.usedPercent >= 80 ? ' bad' : l.usedPercent >= 60 ? ' warn' : ''}`;
    setText('gauge-pct', `${pctText(l)}${l.source === 'official' ? ' (official)' : ''}`);
    const burn = w?.burnRate ? `${compact(w.burnRate.tokensPerMinute)} tok/min, ${usd(w.burnRate.costPerHour)}/h` : 'idle';
    setText('gauge-detail', `resets in ${duration(Date.parse(l.resetsAt) - Date.now())} · ${burn}${l.limitAt ? ` · limit at ${clock(Date.parse(l.limitAt), state.utc)}` : ''}`);
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
  const keys = [...groups.keys()].sort();
  // Periods are categories, one bar each, labelled by their first day (or month).
  const xs = keys.map((_k, i) => i);
  const label = (i: number) => {
    const k = keys[Math.round(i)];
    return k === undefined ? '' : state.period === 'month' ? k : k.slice(5);
  };
  let series: number[][];
  let labels: string[];
  let colors: string[];
  if (state.metric === 'cost') {
    series = [keys.map((k) => groups.get(k)!.cost)];
    labels = ['cost'];
    colors = [css('--cost')];
  } else {
    const stacks = TYPES.map(() => [] as number[]);
    for (const k of keys) {
      let acc = 0;
      TYPES.forEach((t, i) => stacks[i]!.push((acc += groups.get(k)![t])));
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
    scales: { x: { time: false, range: [-0.5, Math.max(keys.length - 0.5, 0.5)] } },
    axes: [
      { stroke: css('--muted'), grid: { show: false }, values: (_u, v) => v.map((i) => (Number.isInteger(i) ? label(i) : '')) },
      { stroke: css('--muted'), grid: { stroke: css('--border') }, values: (_u, v) => v.map((x) => (state.metric === 'cost' ? `$${compact(x)}` : compact(x))), size: 55 },
    ],
    series: [
      { value: (_u, i) => (i === null ? '' : keys[i] ?? '') },
      ...labels.map((label, i) => ({ label, fill: colors[i], stroke: colors[i], paths: bars, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '' : state.metric === 'cost' ? usd(v) : thousands(v)) })),
    ],
  }, [xs, ...series], el);
}

// ---- breakdown ----
type Row = Counts & { key: string; requests: number; totalTokens: number; lastActivity: string };
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
      } else if (k === 'cost') td.textContent = usd(r.cost);
      else td.textContent = thousands(r[k] as number);
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
  const stored = localStorage.getItem('tokenmeter-theme');
  const dark = stored ? stored === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  $('theme').addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem('tokenmeter-theme', next);
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
  es.addEventListener('error', () => {
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
