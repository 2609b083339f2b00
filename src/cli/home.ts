// Where tokenmeter keeps its index, and the name this machine reports under.
import { homedir, hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './usage-error.js';

export function tokenmeterHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOKENMETER_HOME) return env.TOKENMETER_HOME;
  const data = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(data, 'tokenmeter');
}

export function indexPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(tokenmeterHome(env), 'index.sqlite');
}

export function daemonLockPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(tokenmeterHome(env), 'daemon.lock');
}

/** The name set for this home by `serve --host-name` (kept in a file, so that every command of the home uses it). */
export function hostNamePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(tokenmeterHome(env), 'host-name');
}

export function hostName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOKENMETER_HOST_NAME) return env.TOKENMETER_HOST_NAME;
  try {
    const kept = readFileSync(hostNamePath(env), 'utf8').trim();
    if (kept) return kept;
  } catch {
    // none kept: the machine's name
  }
  return hostname();
}

/** The OTLP ports, so that senders configured for a local Collector reach the daemon unchanged. */
export const DEFAULT_PORT = 4318;
export const DEFAULT_GRPC_PORT = 4317;

/**
 * The pooled store's URL when fleet mode is on (`--store postgres://…` or TOKENMETER_DATABASE_URL); `--store local`
 * turns it off for one command.
 */
export function databaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = flag ?? (env.TOKENMETER_DATABASE_URL || undefined);
  if (v === undefined || v === 'local' || v === 'sqlite') return undefined;
  if (!/^postgres(ql)?:\/\//.test(v)) {
    throw new UsageError(`--store: a postgres://user@host:port/database URL, or "local" (got "${v.replace(/:[^:@/]*@/, ':***@')}")`);
  }
  return v;
}

/** The time a status line may take, ms: 300 (Claude Code's refresh), or TOKENMETER_STATUSLINE_BUDGET_MS. */
export function statuslineBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.TOKENMETER_STATUSLINE_BUDGET_MS);
  return env.TOKENMETER_STATUSLINE_BUDGET_MS && Number.isFinite(v) && v >= 0 ? v : 300;
}

/** The longest a status line waits for the index when it has no recent line to show: 2 s, or TOKENMETER_STATUSLINE_WAIT_MS. */
export function statuslineWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.TOKENMETER_STATUSLINE_WAIT_MS);
  return env.TOKENMETER_STATUSLINE_WAIT_MS && Number.isFinite(v) && v >= 0 ? v : 2000;
}
