// Budget alerts: when a budget's use crosses one of its thresholds (or Claude's official 5-hour window one of 80 and
// 95 %), the daemon says so once for that threshold and period, whatever restarts come between (what was sent is
// kept in the index): to a webhook (JSON a Slack or Discord incoming webhook shows as is), the desktop, its log and
// /api/stream. A webhook that fails is tried again with backoff, in the background: alerts never hold ingestion.
import { spawn } from 'node:child_process';
import { BLOCK_MS } from '../core/blocks.js';
import { newAlerts, WINDOW_ALERT_AT, type BudgetAlert, type BudgetUse } from '../core/budgets.js';
import type { SqliteStore } from '../store/sqlite.js';
import { officialReading } from './budgets.js';
import type { ViewStore } from '../store/store.js';

export interface AlertConfig {
  /** An URL to POST each alert to, as JSON. */
  webhook?: string;
  /** A desktop notification (notify-send on Linux, osascript on macOS); on unless false. */
  desktop?: boolean;
}

export interface AlerterOptions {
  /** Where sent alerts are kept (the local index, also in fleet mode). */
  store: SqliteStore;
  view: ViewStore;
  uses: () => Promise<BudgetUse[]>;
  config: () => AlertConfig;
  log: (message: string) => void;
  /** The dashboard and other stream clients. */
  publish: (alert: BudgetAlert) => void;
  now?: () => number;
  /** Waits between webhook attempts (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Shows a desktop notification; the default runs notify-send or osascript where there is one. */
  notify?: (title: string, text: string) => void;
  platform?: NodeJS.Platform;
}

const BACKOFF_MS = [1_000, 5_000, 30_000];

function desktopNotify(platform: NodeJS.Platform) {
  return (title: string, text: string) => {
    const [cmd, args] = platform === 'darwin'
      ? ['osascript', ['-e', `display notification ${JSON.stringify(text)} with title ${JSON.stringify(title)}`]]
      : ['notify-send', [title, text]];
    try {
      // Where neither exists the spawn fails: silently, as the issue of a missing notifier is not the user's.
      const child = spawn(cmd, args, { stdio: 'ignore', detached: false });
      child.on('error', () => undefined);
      child.unref();
    } catch {
      // no notifier
    }
  };
}

export class Alerter {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly notify: (title: string, text: string) => void;
  /** Webhook deliveries under way (tests wait for them). */
  private pending = new Set<Promise<void>>();

  constructor(private readonly o: AlerterOptions) {
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    this.notify = o.notify ?? desktopNotify(o.platform ?? process.platform);
  }

  /** Looks at every budget (and the official window) now; returns the alerts it sent. */
  async check(): Promise<BudgetAlert[]> {
    const now = this.o.now?.() ?? Date.now();
    const out: BudgetAlert[] = [];
    const uses = await this.o.uses();
    for (const u of [...uses, ...(await this.windowUses(now))]) {
      const { reached, alert } = newAlerts(u, this.o.store.alertsSent(u.name, u.start));
      if (!alert) continue;
      // Kept as sent before it goes out: a crash in between loses an alert, never repeats one.
      this.o.store.markAlertsSent(u.name, u.start, reached, now);
      this.send(alert);
      out.push(alert);
    }
    return out;
  }

  /** Claude's official 5-hour window as a budget of 100 %, alerted at 80 and 95 % of it. */
  private async windowUses(now: number): Promise<BudgetUse[]> {
    const r = await officialReading(this.o.view, 'claude-code', '5h', now);
    if (!r) return [];
    return [{
      name: 'claude-code 5h window', period: '5h', start: r.resetsAt - BLOCK_MS, end: r.resetsAt, usd: 0, tokens: 0, percent: r.usedPercent,
      limits: { percent: 100 }, ratio: r.usedPercent / 100, spent: r.usedPercent >= 100, scope: { tool: 'claude-code' }, alertAt: WINDOW_ALERT_AT, enforce: false,
    }];
  }

  private send(alert: BudgetAlert): void {
    const config = this.o.config();
    this.o.log(alert.text);
    this.o.publish(alert);
    if (config.desktop !== false) this.notify('tokenmeter', alert.text.replace(/^tokenmeter: /, ''));
    if (config.webhook) {
      const delivery = this.deliver(config.webhook, alert).finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  private async deliver(url: string, alert: BudgetAlert): Promise<void> {
    const body = JSON.stringify({ ...alert, periodStart: new Date(alert.periodStart).toISOString(), content: alert.text });
    for (let attempt = 0; ; attempt++) {
      let why: string;
      try {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
        if (r.ok) return;
        why = `HTTP ${r.status}`;
      } catch (e) {
        why = (e as Error).message;
      }
      if (attempt >= BACKOFF_MS.length) {
        this.o.log(`alert webhook ${new URL(url).host} failed ${attempt + 1} times (${why}); the alert stays in the log and the dashboard`);
        return;
      }
      await this.sleep(BACKOFF_MS[attempt]!);
    }
  }

  /** Resolves once every webhook delivery under way is done (delivered or given up). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
