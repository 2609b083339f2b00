// Starts the daemon in this process on free ports with a temporary home, for tests of its HTTP and gRPC surface.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, type DaemonOptions } from '../../src/server/daemon.js';
import { Logger } from '../../src/server/log.js';
import { tempDir } from './transcript.js';

export interface TestDaemon {
  daemon: Daemon;
  url: string;
  grpcPort: number;
  home: string;
  /** The user's home (HOME) the agents' logs are under. */
  userHome: string;
  claudeDir: string;
  projectDir: string;
  get(path: string): Promise<Response>;
  json<T = any>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestDaemon(opts: { token?: string; sweepMs?: number; snapshot?: boolean; noRoot?: boolean; upstreams?: { anthropic: string; openai: string }; injectStreamUsage?: boolean; otlpExport?: DaemonOptions['otlpExport']; beforeStart?: (userHome: string) => void } & Pick<DaemonOptions, 'budgets' | 'alerts' | 'alertEveryMs' | 'alertSinks'> = {}): Promise<TestDaemon> {
  const tmp = tempDir('tokenmeter-daemon-');
  const home = join(tmp.path, 'home');
  const claudeDir = join(tmp.path, 'claude');
  const projectDir = join(claudeDir, 'projects', '-home-ana-api');
  if (!opts.noRoot) mkdirSync(projectDir, { recursive: true });
  // The user's home the agents write under (HOME), before the daemon first looks at it.
  opts.beforeStart?.(tmp.path);
  const daemon = new Daemon({
    home, indexPath: join(home, 'index.sqlite'), bindHost: '127.0.0.1', port: 0, grpcPort: 0, token: opts.token,
    hostName: 'test-host', snapshotPath: opts.snapshot ? join(home, 'token-metrics.json') : null, sweepMs: opts.sweepMs ?? 60_000,
    logger: new Logger(null, 'warn', false), version: 'test', env: { HOME: tmp.path, CLAUDE_CONFIG_DIR: claudeDir },
    webRoot: join(__dirname, '..', '..', 'dist', 'web'), upstreams: opts.upstreams, injectStreamUsage: opts.injectStreamUsage, otlpExport: opts.otlpExport, budgets: opts.budgets,
    alerts: opts.alerts, alertEveryMs: opts.alertEveryMs, alertSinks: opts.alertSinks ?? { notify: () => undefined },
  });
  await daemon.start();
  await daemon.idle();
  const url = `http://127.0.0.1:${daemon.httpPort}`;
  const get = (path: string) => fetch(url + path);
  return {
    daemon, url, grpcPort: daemon.grpcPort!, home, userHome: tmp.path, claudeDir, projectDir, get,
    json: async (path: string) => {
      const r = await get(path);
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    stop: async () => {
      await daemon.stop();
      tmp.cleanup();
    },
  };
}

/** Sums one session's row of /api/usage?group=session. */
export async function sessionTotals(d: TestDaemon, session: string) {
  const body = await d.json<{ rows: Array<Record<string, number | string>> }>('/api/usage?group=session');
  return body.rows.find((r) => r.key === session);
}
