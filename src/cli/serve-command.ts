// tokenmeter serve: runs the daemon in the foreground until SIGINT or SIGTERM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AlreadyRunning } from '../server/instance-lock.js';
import { Daemon, StartupError } from '../server/daemon.js';
import { Logger, logLevel } from '../server/log.js';
import { databaseUrl, DEFAULT_GRPC_PORT, DEFAULT_PORT, hostName, hostNamePath, indexPath, tokenmeterHome } from './home.js';
import type { ExportProtocol } from '../server/otlp-export.js';
import { UsageError } from './usage-error.js';
import { loadConfig, type Config } from './config.js';

export interface ServeFlags {
  host: string;
  port?: string;
  grpcPort?: string;
  grpc: boolean;
  token?: string;
  snapshot?: string | false;
  sweepInterval: string;
  verbose?: boolean;
  anthropicUpstream?: string;
  openaiUpstream?: string;
  injectStreamUsage?: boolean;
  otlpExport?: string;
  store?: string;
  hostName?: string;
  otlpExportProtocol: string;
  otlpExportTemporality: string;
  otlpExportInterval: string;
  otlpExportScope: string;
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag}: "${value}" is not a port number`);
  return n;
}

function exportOptions(flags: ServeFlags) {
  const endpoint = flags.otlpExport ?? process.env.TOKENMETER_OTLP_EXPORT;
  if (!endpoint) return undefined;
  try {
    if (!/^https?:$/.test(new URL(endpoint).protocol)) throw new Error();
  } catch {
    throw new UsageError(`--otlp-export: "${endpoint}" is not an http(s) URL (e.g. http://collector:4318, or http://collector:4317 with --otlp-export-protocol grpc)`);
  }
  const protocol = flags.otlpExportProtocol;
  if (!['http/protobuf', 'http/json', 'grpc'].includes(protocol)) throw new UsageError(`--otlp-export-protocol: http/protobuf, http/json or grpc, not "${protocol}"`);
  const temporality = flags.otlpExportTemporality;
  if (temporality !== 'delta' && temporality !== 'cumulative') throw new UsageError(`--otlp-export-temporality: delta or cumulative, not "${temporality}"`);
  const seconds = Number(flags.otlpExportInterval);
  if (!Number.isFinite(seconds) || seconds < 1) throw new UsageError(`--otlp-export-interval: a number of seconds (≥ 1), not "${flags.otlpExportInterval}"`);
  const scope = flags.otlpExportScope;
  if (scope !== 'host' && scope !== 'pooled') throw new UsageError(`--otlp-export-scope: host or pooled, not "${scope}"`);
  return { endpoint, protocol: protocol as ExportProtocol, temporality: temporality as 'delta' | 'cumulative', intervalMs: seconds * 1000, scope: scope as 'host' | 'pooled' };
}

export async function runServe(flags: ServeFlags, version: string): Promise<void> {
  const env = process.env;
  const home = tokenmeterHome(env);
  const sweepSeconds = Number(flags.sweepInterval);
  if (!Number.isFinite(sweepSeconds) || sweepSeconds < 1) throw new UsageError(`--sweep-interval: "${flags.sweepInterval}" is not a number of seconds (≥ 1)`);
  const logger = new Logger(join(home, 'daemon.log'), logLevel(flags.verbose ?? false, env));
  // The config read when asked, so that `budget set` applies at once; a config broken meanwhile keeps the last good one.
  let last: Pick<Config, 'budgets' | 'alerts'> = { budgets: [], alerts: {} };
  const fresh = () => {
    try {
      last = loadConfig(env);
    } catch {
      // said by every command that reads the config
    }
    return last;
  };
  const daemon = new Daemon({
    home, indexPath: indexPath(env), bindHost: flags.host,
    port: port(flags.port ?? env.TOKENMETER_PORT, DEFAULT_PORT, '--port'),
    grpcPort: flags.grpc ? port(flags.grpcPort ?? env.TOKENMETER_GRPC_PORT, DEFAULT_GRPC_PORT, '--grpc-port') : null,
    token: flags.token ?? (env.TOKENMETER_TOKEN || undefined), hostName: keepHostName(flags.hostName, env),
    database: databaseUrl(flags.store, env),
    snapshotPath: flags.snapshot === false ? null : flags.snapshot ?? env.TOKENMETER_SNAPSHOT ?? join(home, 'token-metrics.json'),
    sweepMs: sweepSeconds * 1000, logger, version, env,
    // This CLI's own `index` command, for large catch-ups (the built CLI is the script Node runs).
    indexCommand: [...process.execArgv, process.argv[1]!],
    webRoot: join(dirname(process.argv[1]!), 'web'),
    injectStreamUsage: flags.injectStreamUsage ?? false,
    budgets: () => fresh().budgets,
    alerts: () => fresh().alerts,
    otlpExport: exportOptions(flags),
    upstreams: {
      anthropic: flags.anthropicUpstream ?? env.TOKENMETER_ANTHROPIC_UPSTREAM ?? 'https://api.anthropic.com',
      openai: flags.openaiUpstream ?? env.TOKENMETER_OPENAI_UPSTREAM ?? 'https://api.openai.com',
    },
  });
  try {
    await daemon.start();
  } catch (e) {
    if (e instanceof AlreadyRunning || e instanceof StartupError) {
      process.stderr.write(`tokenmeter: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const base = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${daemon.httpPort}`;
  // With a token, the dashboard's address carries it once, in the fragment (which no server and no log sees): the
  // page trades it for a session cookie and drops it from the address bar.
  const token = flags.token ?? (env.TOKENMETER_TOKEN || undefined);
  process.stderr.write(
    `tokenmeter ${version}: dashboard at ${base}/${token ? `#token=${encodeURIComponent(token)}` : ''} — also the JSON API (/api), Prometheus (/metrics), OTLP/HTTP (/v1/metrics, /v1/logs)` +
      `${daemon.grpcPort !== null ? `, OTLP/gRPC :${daemon.grpcPort}` : ''} and the API proxy (/anthropic, /openai); log ${join(home, 'daemon.log')}; Ctrl-C stops\n`,
  );
  let signals = 0;
  const shutdown = (sig: string) => {
    if (++signals > 1) process.exit(1); // a second Ctrl-C: stop waiting
    logger.info(`${sig}: finishing pending writes`);
    daemon.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error(`shutdown: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}


/** --host-name is kept for the home, so that reports, hooks and the status line record usage under the same name. */
function keepHostName(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag === undefined) return hostName(env);
  if (!/^[\w.:@-]{1,128}$/.test(flag)) throw new UsageError(`--host-name: letters, digits and . _ : @ - only (got "${flag}")`);
  mkdirSync(tokenmeterHome(env), { recursive: true });
  writeFileSync(hostNamePath(env), `${flag}\n`);
  return flag;
}
