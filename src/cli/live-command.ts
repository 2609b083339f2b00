// tokenmeter live: a full-screen terminal view refreshed once a second: the 5-hour window's bar, burn rate,
// projection and reset, a sparkline of the token rate, today's and the session's totals, the top models and projects.
// From the daemon when one runs, else from the index. q or Ctrl-C restores the terminal.
import { runningDaemon } from '../server/instance-lock.js';
import { daemonLockPath, indexPath } from './home.js';
import { thousands } from './statusline-format.js';
import { printable } from '../core/text.js';
import { PLANS, type PlanLimits } from '../core/limits.js';
import { loadConfig } from './config.js';
import { UsageError } from './usage-error.js';

export interface LiveFlags {
  compact?: boolean;
  interval?: string;
  plan?: string;
}

interface Source {
  name: string;
  get<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

type Counts = { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number; totalTokens: number; requests: number };
interface Summary {
  today: Counts;
  session: (Counts & { id: string; model: string; project: string }) | null;
  window: { reset: string; isActive: boolean; totalTokens: number; cost: number; requests?: number; burnRate: { tokensPerMinute: number; costPerHour: number } | null; projection: { totalTokens: number; totalCost: number } | null } | null;
  limit: { usedPercent: number; resetsAt: string; source: string; limitAt: string | null } | null;
  windows?: Array<{ tool: string; limit: { usedPercent: number; resetsAt: string; source: string; limitAt: string | null } | null }>;
  rate: { tokensPerMinute: number; costPerHour: number };
}

async function daemonSource(port: number): Promise<Source> {
  const headers: Record<string, string> = process.env.TOKENMETER_TOKEN ? { authorization: `Bearer ${process.env.TOKENMETER_TOKEN}` } : {};
  return {
    name: `daemon :${port}`,
    get: async <T>(path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(2000) });
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      return (await r.json()) as T;
    },
    close: async () => undefined,
  };
}

/** Without a daemon: the same API, answered in this process from the index, which is refreshed first. */
async function indexSource(): Promise<Source> {
  const { SqliteStore } = await import('../store/sqlite.js');
  const { LiveState } = await import('../server/live.js');
  const { Api } = await import('../server/api.js');
  const { statusData } = await import('../server/status.js');
  const { refresh } = await import('./refresh.js');
  const store = new SqliteStore(indexPath());
  const live = new LiveState(store);
  await refresh(store, false, () => undefined);
  await live.start();
  const api = new Api(store, live, { version: '', host: '', startedAt: Date.now() }, () => statusData(store, {}));
  let last = 0;
  return {
    name: 'index',
    get: async <T>(path: string) => {
      // Logs are read again at most every 5 s: the view stays light, and a daemon is the way to go live.
      if (Date.now() - last > 5000) {
        last = Date.now();
        await refresh(store, false, () => undefined);
        await live.pull();
      }
      const url = new URL(path, 'http://x');
      const q = Object.fromEntries(url.searchParams) as Record<string, string>;
      return (url.pathname === '/api/summary' ? await api.summary() : await api.usage(q)) as T;
    },
    close: () => store.close(),
  };
}

const SPARK = '▁▂▃▄▅▆▇█';
const ESC = '\x1b[';

function sparkline(values: number[]): string {
  const max = Math.max(...values, 1);
  return values.map((v) => (v <= 0 ? ' ' : SPARK[Math.min(SPARK.length - 1, Math.floor((v / max) * (SPARK.length - 1)))]!)).join('');
}

function duration(ms: number): string {
  const m = Math.max(Math.round(ms / 60_000), 0);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m`;
}

const compactN = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v)));
const usd = (v: number) => `$${v.toFixed(2)}`;
const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 5);

export function renderLive(o: {
  width: number; height: number; compact: boolean; color: boolean; source: string; now: number;
  /** The plan's per-window limits, when one is set (--plan or the config file). */
  plan?: PlanLimits;
  summary: Summary; perMinute: number[]; models: Array<{ key: string; totalTokens: number; cost: number }>; projects: Array<{ key: string; totalTokens: number; cost: number }>;
}): string[] {
  const paint = (code: string, s: string) => (o.color ? `${ESC}${code}m${s}${ESC}0m` : s);
  const w = Math.max(o.width, 30);
  const lines: string[] = [];
  const s = o.summary;
  lines.push(`${paint('1', 'tokenmeter live')}  ${new Date(o.now).toTimeString().slice(0, 8)}  ${paint('2', `from the ${o.source} · q quits`)}`);
  // One window per tool: Claude's counts Claude usage, Codex's comes from its rollouts.
  const windows = (s.windows ?? (s.limit ? [{ tool: 'claude-code', limit: s.limit }] : [])).filter((x) => x.limit);
  const label = Math.max(...windows.map((x) => x.tool.length), o.plan ? 'messages'.length : 0);
  const barWidth = Math.max(Math.min(w - 18 - label, 60), 10);
  for (const { tool, limit: l } of windows) {
    const pct = l!.usedPercent;
    const filled = Math.round((Math.min(pct, 100) / 100) * barWidth);
    const colour = pct >= 80 ? '31' : pct >= 60 ? '33' : '32';
    lines.push(`5h ${tool.padEnd(label)} ${paint(colour, '█'.repeat(filled))}${'░'.repeat(barWidth - filled)} ${l!.source === 'official' ? '' : '~'}${pct.toFixed(0)}%`);
    lines.push(`  resets in ${duration(Date.parse(l!.resetsAt) - o.now)} (${clock(l!.resetsAt)})${l!.limitAt ? `, limit at ${clock(l!.limitAt)} at this pace` : ''}`);
  }
  if (windows.length === 0) lines.push('5h window  no active window');
  // With a plan, its cost and message limits beside the tokens' (Claude-Code-Usage-Monitor's three bars).
  if (o.plan && s.window?.isActive) {
    for (const [what, used, limit, text] of [
      ['cost', s.window.cost, o.plan.cost, `${usd(s.window.cost)} of $${o.plan.cost}`],
      ['messages', s.window.requests ?? 0, o.plan.messages, `${thousands(s.window.requests ?? 0)} of ${thousands(o.plan.messages)}`],
    ] as const) {
      const pct = (used / limit) * 100;
      const filled = Math.round((Math.min(pct, 100) / 100) * barWidth);
      lines.push(`5h ${what.padEnd(label)} ${paint(pct >= 80 ? '31' : pct >= 60 ? '33' : '32', '█'.repeat(filled))}${'░'.repeat(barWidth - filled)} ${pct.toFixed(0)}% (${text})`);
    }
  }
  if (s.window?.isActive) {
    const burn = s.window.burnRate ? `${thousands(s.window.burnRate.tokensPerMinute)} tok/min, ${usd(s.window.burnRate.costPerHour)}/h` : 'one request so far';
    lines.push(`  ${thousands(s.window.totalTokens)} tokens, ${usd(s.window.cost)} · burn ${burn}${s.window.projection ? ` · projected ${compactN(s.window.projection.totalTokens)}, ${usd(s.window.projection.totalCost)}` : ''}`);
  }
  const spark = o.perMinute.slice(-Math.max(w - 22, 10));
  lines.push(`tokens/min ${paint('36', sparkline(spark))} ${compactN(s.rate.tokensPerMinute)}/min`);
  lines.push(`today   ${thousands(s.today.totalTokens)} tokens  ${usd(s.today.cost)}  ${thousands(s.today.requests)} requests`);
  if (s.session) lines.push(`session ${thousands(s.session.totalTokens)} tokens  ${usd(s.session.cost)}  ${printable(s.session.model)}`);
  if (!o.compact) {
    const top = (title: string, rows: Array<{ key: string; totalTokens: number; cost: number }>) => {
      lines.push('', paint('1', title));
      for (const r of rows.slice(0, Math.max(Math.floor((o.height - 12) / 2), 1))) {
        const name = printable(r.key || '(none)').slice(-Math.max(w - 30, 10));
        lines.push(`  ${name.padEnd(Math.max(w - 30, 10))} ${compactN(r.totalTokens).padStart(8)} ${usd(r.cost).padStart(10)}`);
      }
    };
    top('top models today', o.models);
    top('top projects today', o.projects);
  }
  // Never wider or taller than the terminal: a wrapped line would scroll the whole view.
  return lines.slice(0, o.height).map((l) => (visibleLength(l) > w ? truncate(l, w) : l));
}

const ANSI_RE = /\x1b\[[0-9;]*m/g;
const visibleLength = (s: string) => [...s.replace(ANSI_RE, '')].length;
function truncate(s: string, w: number): string {
  const plain = [...s.replace(ANSI_RE, '')];
  return plain.slice(0, w).join('');
}

export async function runLive(flags: LiveFlags): Promise<void> {
  const out = process.stdout;
  const interval = Math.max(Number(flags.interval ?? 1) * 1000, 250);
  const planName = flags.plan ?? loadConfig().plan;
  if (planName !== undefined && planName !== 'custom' && !(planName in PLANS)) throw new UsageError(`--plan: expected pro, max5, max20 or custom, got "${planName}"`);
  const plan = planName && planName !== 'custom' ? PLANS[planName as keyof typeof PLANS] : undefined;
  const daemon = runningDaemon(daemonLockPath());
  const source = daemon ? await daemonSource(daemon.port) : await indexSource();
  const color = out.isTTY === true && !process.env.NO_COLOR;
  let stopped = false;
  const restore = () => {
    if (stopped) return;
    stopped = true;
    out.write(`${ESC}?25h${ESC}?1049l`);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
  };
  const quit = () => {
    restore();
    void source.close().finally(() => process.exit(0));
  };
  out.write(`${ESC}?1049h${ESC}?25l`);
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
  process.on('exit', restore);
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (b: Buffer) => {
      const k = b.toString();
      if (k === 'q' || k === 'Q' || k === '\x03') quit();
    });
  }
  let busy = false;
  const draw = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const now = Date.now();
      const today = new Date(now);
      today.setHours(0, 0, 0, 0);
      const [summary, minutes, models, projects] = await Promise.all([
        source.get<Summary>('/api/summary'),
        source.get<{ rows: Array<{ t: string; totalTokens: number }> }>(`/api/usage?group=minute&since=${now - 60 * 60_000}`),
        source.get<{ rows: Array<{ key: string; totalTokens: number; cost: number }> }>(`/api/usage?group=model&since=${today.getTime()}`),
        source.get<{ rows: Array<{ key: string; totalTokens: number; cost: number }> }>(`/api/usage?group=project&since=${today.getTime()}`),
      ]);
      const byMinute = new Map(minutes.rows.map((r) => [Math.floor(Date.parse(r.t) / 60_000), r.totalTokens]));
      const nowMin = Math.floor(now / 60_000);
      const perMinute = Array.from({ length: 60 }, (_, i) => byMinute.get(nowMin - 59 + i) ?? 0);
      const lines = renderLive({
        width: out.columns || 80, height: out.rows || 24, compact: flags.compact ?? false, color, source: source.name, now,
        summary, perMinute, models: models.rows, projects: projects.rows, plan,
      });
      out.write(`${ESC}H${lines.map((l) => `${l}${ESC}K`).join('\n')}${ESC}J`);
    } catch (e) {
      out.write(`${ESC}H${ESC}2Jtokenmeter live: ${(e as Error).message}; retrying${ESC}K`);
    } finally {
      busy = false;
    }
  };
  out.on('resize', () => void draw());
  await draw();
  setInterval(() => void draw(), interval);
}
