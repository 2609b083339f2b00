// Prometheus exposition. tokenmeter's own series come from prom-client; the series that dashboards built on an
// OTel Collector already query (claude_code_token_usage_tokens_total, claude_code_cost_usage_USD_total) and the
// seed bridge's format for XRG are written by hand, because they carry a sample timestamp, which XRG needs: it
// reads the second-to-last field of a line as the value. Lines without a timestamp therefore read as 0 there, so
// tokenmeter's own series never add to what XRG counts.
import { Counter, Gauge, Registry } from 'prom-client';
import type { BudgetUse } from '../core/budgets.js';
import { cacheWrite } from '../core/event.js';
import type { ViewStore, TotalsRow } from '../store/store.js';
import type { LiveState } from './live.js';

export interface Health {
  filesWatched: () => number;
  parseErrors: () => number;
  ingested: () => Record<string, number>;
  otlp: () => { requests: Record<string, number>; rejected: number };
  proxy?: () => { requests: Record<string, number>; failures: Record<string, number> };
  /** Each budget's use this period. */
  budgets?: () => Promise<BudgetUse[]>;
}

const TOKEN_TYPES = [
  ['input', (r: TotalsRow) => r.input],
  ['output', (r: TotalsRow) => r.output],
  ['cache_read', (r: TotalsRow) => r.cacheRead],
  ['cache_write', (r: TotalsRow) => cacheWrite(r)],
  ['reasoning', (r: TotalsRow) => r.reasoning],
] as const;

/** Claude Code's own type names, as its token metric carries them. */
const CLAUDE_TYPES = [
  ['input', (r: TotalsRow) => r.input],
  ['output', (r: TotalsRow) => r.output],
  ['cacheRead', (r: TotalsRow) => r.cacheRead],
  ['cacheCreation', (r: TotalsRow) => cacheWrite(r)],
] as const;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\s/g, '_');
const number = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(12).replace(/\.?0+$/, ''));

export class MetricsExposition {
  readonly registry = new Registry();

  constructor(private readonly live: LiveState, private readonly store: ViewStore, health: Health) {
    const r = this.registry;
    // prom-client's default metrics sample the event loop every few milliseconds, which an idle daemon should not do.
    new Gauge({
      name: 'tokenmeter_process_resident_memory_bytes', help: 'Resident memory of the daemon', registers: [r],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Counter({
      name: 'tokenmeter_process_cpu_seconds_total', help: 'CPU time of the daemon (user and system)', registers: [r],
      collect() {
        const u = process.cpuUsage();
        this.reset();
        this.inc((u.user + u.system) / 1e6);
      },
    });
    const totals = () => live.totals();
    new Counter({
      name: 'tokenmeter_tokens_total', help: 'Tokens by tool, model, type and host (reasoning is a part of output)',
      labelNames: ['tool', 'model', 'type', 'host'], registers: [r],
      async collect() {
        this.reset();
        for (const row of await totals()) {
          for (const [type, get] of TOKEN_TYPES) this.inc({ tool: row.tool, model: row.model, type, host: row.host }, get(row));
        }
      },
    });
    new Counter({
      name: 'tokenmeter_cost_usd_total', help: 'Cost in USD (the logged cost where there is one, else list price)',
      labelNames: ['tool', 'model', 'host'], registers: [r],
      async collect() {
        this.reset();
        for (const row of await totals()) this.inc({ tool: row.tool, model: row.model, host: row.host }, row.cost);
      },
    });
    new Counter({
      name: 'tokenmeter_requests_total', help: 'API requests', labelNames: ['tool', 'model', 'host'], registers: [r],
      async collect() {
        this.reset();
        for (const row of await totals()) this.inc({ tool: row.tool, model: row.model, host: row.host }, row.requests);
      },
    });
    const windowGauge = (name: string, help: string, pick: (w: NonNullable<Awaited<ReturnType<LiveState['window']>>>) => number) =>
      new Gauge({
        name, help, labelNames: ['window'], registers: [r],
        async collect() {
          this.reset();
          const w = await live.window();
          if (w) this.set({ window: '5h' }, pick(w));
        },
      });
    windowGauge('tokenmeter_window_tokens', 'Tokens in the current 5-hour window', (w) => w.totalTokens);
    windowGauge('tokenmeter_window_cost_usd', 'Cost in the current 5-hour window', (w) => w.cost);
    windowGauge('tokenmeter_window_start_timestamp_seconds', 'Start of the current 5-hour window', (w) => w.start / 1000);
    windowGauge('tokenmeter_window_reset_timestamp_seconds', 'When the current 5-hour window resets', (w) => w.reset / 1000);
    windowGauge('tokenmeter_window_active', '1 while the 5-hour window is active', (w) => (w.isActive ? 1 : 0));
    const readings = async () => {
      const now = Date.now();
      const latest = new Map<string, { tool: string; window: string; usedPercent: number; resetsAt: number }>();
      for (const w of ['5h', '7d']) {
        for (const r of await store.limitReadings(w, now - 7 * 86_400_000)) if (r.resetsAt > now) latest.set(`${r.tool} ${w}`, r);
      }
      return [...latest.values()];
    };
    new Gauge({
      name: 'tokenmeter_rate_limit_used_percent', help: "The tool's own last reading of its usage window (Claude Code's rate_limits, Codex's)",
      labelNames: ['tool', 'window'], registers: [r],
      async collect() {
        this.reset();
        for (const x of await readings()) this.set({ tool: x.tool, window: x.window }, x.usedPercent);
      },
    });
    new Gauge({
      name: 'tokenmeter_rate_limit_resets_timestamp_seconds', help: 'When that window resets', labelNames: ['tool', 'window'], registers: [r],
      async collect() {
        this.reset();
        for (const x of await readings()) this.set({ tool: x.tool, window: x.window }, x.resetsAt / 1000);
      },
    });
    new Gauge({
      name: 'tokenmeter_budget_used_ratio', help: "The largest share of a budget's limits used this period (1 = spent)", labelNames: ['budget', 'period'], registers: [r],
      async collect() {
        this.reset();
        for (const u of (await health.budgets?.()) ?? []) this.set({ budget: u.name, period: u.period }, u.ratio);
      },
    });
    new Gauge({
      name: 'tokenmeter_files_watched', help: 'Log files the daemon follows', registers: [r],
      collect() {
        this.set(health.filesWatched());
      },
    });
    new Counter({
      name: 'tokenmeter_parse_errors_total', help: 'Log lines skipped as malformed since start', registers: [r],
      collect() {
        this.reset();
        this.inc(health.parseErrors());
      },
    });
    new Counter({
      name: 'tokenmeter_ingested_events_total', help: 'Usage records stored since start, by source', labelNames: ['source'], registers: [r],
      collect() {
        this.reset();
        for (const [source, n] of Object.entries(health.ingested())) this.inc({ source }, n);
      },
    });
    new Gauge({
      name: 'tokenmeter_ingest_lag_seconds', help: 'Age of the newest usage record when it was stored', registers: [r],
      collect() {
        this.set(live.lastLagMs / 1000);
      },
    });
    new Counter({
      name: 'tokenmeter_otlp_requests_total', help: 'OTLP export requests received', labelNames: ['signal', 'transport', 'status'], registers: [r],
      collect() {
        this.reset();
        for (const [k, n] of Object.entries(health.otlp().requests)) {
          const [signal, transport, status] = k.split(' ');
          this.inc({ signal, transport, status }, n);
        }
      },
    });
    new Counter({
      name: 'tokenmeter_proxy_requests_total', help: 'Requests through the API proxy, by API, status (or upstream-error) and client',
      labelNames: ['api', 'status', 'client'], registers: [r],
      collect() {
        this.reset();
        for (const [k, n] of Object.entries(health.proxy?.().requests ?? {})) {
          const [api, status, client] = k.split(' ');
          this.inc({ api, status, client }, n);
        }
      },
    });
    new Counter({
      name: 'tokenmeter_proxy_accounting_failures_total', help: 'Proxied responses whose usage could not be read or stored (the client was not affected)',
      labelNames: ['reason'], registers: [r],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(health.proxy?.().failures ?? {})) this.inc({ reason }, n);
      },
    });
    new Counter({
      name: 'tokenmeter_otlp_rejected_total', help: 'OTLP data points and log records rejected as malformed', registers: [r],
      collect() {
        this.reset();
        this.inc(health.otlp().rejected);
      },
    });
  }

  /** The full exposition for GET /metrics. */
  async text(now = Date.now()): Promise<string> {
    const own = await this.registry.metrics();
    return own + (await this.compatText(now)) + (await this.countersText());
  }

  /** Claude Code's metrics under the names an OTel Collector's Prometheus exporter gives them, from every source. */
  private async compatText(now: number): Promise<string> {
    const claude = (await this.live.totals()).filter((r) => r.tool === 'claude-code');
    const byModel = new Map<string, TotalsRow>();
    for (const r of claude) {
      const acc = byModel.get(r.model);
      if (!acc) byModel.set(r.model, { ...r });
      else for (const k of ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'reasoning', 'cost', 'requests'] as const) acc[k] += r[k];
    }
    const lines = [
      '# HELP claude_code_token_usage_tokens_total Claude Code tokens by type and model (all sources)',
      '# TYPE claude_code_token_usage_tokens_total counter',
    ];
    for (const [model, r] of byModel) {
      for (const [type, get] of CLAUDE_TYPES) lines.push(`claude_code_token_usage_tokens_total{type="${type}",model="${escapeLabel(model)}"} ${number(get(r))} ${now}`);
    }
    lines.push('# HELP claude_code_cost_usage_USD_total Claude Code cost in USD by model (all sources)', '# TYPE claude_code_cost_usage_USD_total counter');
    for (const [model, r] of byModel) lines.push(`claude_code_cost_usage_USD_total{model="${escapeLabel(model)}"} ${number(r.cost)} ${now}`);
    return lines.join('\n') + '\n';
  }

  /** Counters received from telemetry (sessions, lines of code, commits, errors…). */
  private async countersText(): Promise<string> {
    const rows = await this.store.counters();
    const lines: string[] = [];
    let last = '';
    for (const c of rows) {
      if (c.name !== last) {
        lines.push(`# TYPE ${c.name} counter`);
        last = c.name;
      }
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      lines.push(`${c.name}${labels ? `{${labels}}` : ''} ${number(c.value)}`);
    }
    return lines.length ? lines.join('\n') + '\n' : '';
  }

  /** GET /v1/metrics: the seed bridge's format, which XRG's token module reads. */
  async seedText(now = Date.now()): Promise<string> {
    const claude = (await this.live.totals()).filter((r) => r.tool === 'claude-code');
    const sum = (get: (r: TotalsRow) => number) => claude.reduce((s, r) => s + get(r), 0);
    const lines = ['# TYPE claude_code_token_usage counter'];
    for (const [type, get] of CLAUDE_TYPES) lines.push(`claude_code_token_usage{type="${type}"} ${number(sum(get))} ${now}`);
    lines.push('# TYPE claude_code_cost_usage counter', `claude_code_cost_usage ${number(sum((r) => r.cost))} ${now}`);
    return lines.join('\n') + '\n';
  }
}
