// tokenmeter doctor: what could keep tokenmeter from counting, or get in Claude Code's way, each finding with its fix;
// then where two sources disagree about a request or a session.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { AGENTS } from '../sources/registry.js';
import { runningDaemon } from '../server/instance-lock.js';
import { SqliteStore } from '../store/sqlite.js';
import { DEFAULT_PORT, daemonLockPath, databaseUrl, indexPath, statuslineBudgetMs } from './home.js';
import { settingsPath } from './setup-command.js';
import { printable } from '../core/text.js';

export interface Finding {
  level: 'ok' | 'warn' | 'error';
  what: string;
  fix?: string;
}

const SAMPLE_STATUS_INPUT = JSON.stringify({
  session_id: 'tokenmeter-doctor', transcript_path: '/nonexistent/tokenmeter-doctor.jsonl', cwd: process.cwd(),
  model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' }, cost: { total_cost_usd: 0 },
});

function tcpOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function fetchJson(url: string, timeoutMs = 1000): Promise<Record<string, unknown> | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: process.env.TOKENMETER_TOKEN ? { authorization: `Bearer ${process.env.TOKENMETER_TOKEN}` } : {} });
    return r.ok ? ((await r.json()) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function runTimed(command: string, input: string, timeoutMs: number): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const c = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code, out });
    });
    c.on('error', () => resolve({ ms: performance.now() - started, code: -1, out }));
    c.stdin.on('error', () => undefined);
    c.stdin.end(input);
  });
}

function readSettings(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function telemetryFindings(env: Record<string, string | undefined>, out: Finding[]): Promise<void> {
  if (env.CLAUDE_CODE_ENABLE_TELEMETRY !== '1') {
    out.push({ level: 'ok', what: 'Claude Code telemetry is off (optional: transcripts are read either way)', fix: 'to send it to the daemon: tokenmeter setup claude-code --otel' });
    return;
  }
  const exporters = [env.OTEL_METRICS_EXPORTER, env.OTEL_LOGS_EXPORTER];
  if (exporters.every((e) => !e || e === 'none')) {
    out.push({ level: 'warn', what: 'telemetry is enabled but OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER are unset: nothing is sent', fix: 'export OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp' });
  }
  const otlp = exporters.some((e) => e?.split(',').includes('otlp'));
  const protocol = env.OTEL_EXPORTER_OTLP_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL;
  if (otlp && !protocol) {
    out.push({ level: 'error', what: 'telemetry uses the otlp exporter with no OTEL_EXPORTER_OTLP_PROTOCOL: Claude Code has no default and may fail to export', fix: 'export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf' });
  } else if (protocol && !['grpc', 'http/json', 'http/protobuf'].includes(protocol)) {
    out.push({ level: 'error', what: `OTEL_EXPORTER_OTLP_PROTOCOL is "${protocol}"`, fix: 'use grpc, http/json or http/protobuf' });
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT;
  if (otlp && endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
      if (!/^https?:$/.test(url.protocol)) throw new Error('scheme');
    } catch {
      out.push({ level: 'error', what: `OTEL_EXPORTER_OTLP_ENDPOINT "${endpoint}" is not an http(s) URL`, fix: `export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${DEFAULT_PORT}` });
      return;
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (await tcpOpen(url.hostname.replace(/^\[|\]$/g, ''), port)) out.push({ level: 'ok', what: `telemetry endpoint ${endpoint} is reachable` });
    else out.push({ level: 'error', what: `nothing listens at the telemetry endpoint ${endpoint}: exports are lost`, fix: 'start the daemon: tokenmeter serve (or tokenmeter service install)' });
  }
}

/** Fleet mode: the pooled store answers, and what waits to be shipped to it. */
async function fleetFindings(out: Finding[]): Promise<void> {
  let url: string | undefined;
  try {
    url = databaseUrl(undefined);
  } catch (e) {
    out.push({ level: 'error', what: `TOKENMETER_DATABASE_URL: ${(e as Error).message}`, fix: 'set it to postgres://user@host:port/database' });
    return;
  }
  if (!url) return;
  const { PostgresStore } = await import('../store/postgres/store.js');
  const remote = new PostgresStore(url);
  try {
    const events = await remote.eventCount();
    out.push({ level: 'ok', what: `fleet mode: ${remote.where} answers (${plural(events, 'request')} pooled)` });
  } catch (e) {
    out.push({ level: 'error', what: `fleet mode: ${(e as Error).message}`, fix: 'check the URL, the server and the network; changes wait in the local index meanwhile' });
  } finally {
    await remote.close();
  }
  if (!existsSync(indexPath())) return;
  const local = new SqliteStore(indexPath());
  try {
    const backlog = await local.shipBacklog();
    if (backlog > 0) out.push({ level: 'warn', what: `${backlog} change(s) in the local index are not in the pooled store yet`, fix: 'they go out when the daemon reaches PostgreSQL; tokenmeter status shows the last problem' });
  } finally {
    await local.close();
  }
}

export async function findings(): Promise<Finding[]> {
  const out: Finding[] = [];
  const settings = readSettings();
  const daemon = runningDaemon(daemonLockPath());
  const port = Number(process.env.TOKENMETER_PORT) || DEFAULT_PORT;
  if (daemon) {
    const h = await fetchJson(`http://127.0.0.1:${daemon.port}/healthz`);
    if (h) out.push({ level: 'ok', what: `daemon running (pid ${daemon.pid}, port ${daemon.port}, ${h.filesWatched} files watched${h.indexing ? ', indexing' : ''})` });
    else out.push({ level: 'error', what: `the daemon (pid ${daemon.pid}) does not answer on port ${daemon.port}`, fix: `kill ${daemon.pid} and start it again: tokenmeter serve` });
  } else if (await tcpOpen('127.0.0.1', port)) {
    const h = await fetchJson(`http://127.0.0.1:${port}/healthz`);
    out.push(h?.status === 'ok' && h.pid
      ? { level: 'warn', what: `a tokenmeter daemon (pid ${h.pid}) serves port ${port} for another TOKENMETER_HOME` }
      : { level: 'error', what: `port ${port} is taken by another program (an OTel Collector?): the daemon cannot start there`, fix: 'stop it, or run tokenmeter serve --port N and point OTEL_EXPORTER_OTLP_ENDPOINT there' });
  } else {
    out.push({ level: 'warn', what: 'no daemon running: reports read the logs themselves, nothing receives telemetry', fix: 'tokenmeter serve (or tokenmeter service install to start it at login)' });
  }
  const env = { ...(settings.env as Record<string, string> | undefined), ...process.env };
  await telemetryFindings(env, out);
  agentFindings(process.env, out);
  await fleetFindings(out);
  const statusLine = (settings.statusLine as { command?: unknown } | undefined)?.command;
  if (typeof statusLine === 'string') {
    const r = await runTimed(statusLine, SAMPLE_STATUS_INPUT, 3000);
    if (r.code !== 0) out.push({ level: 'warn', what: `the status line command failed (exit ${r.code}): ${statusLine}`, fix: 'run it by hand with a status-line JSON on stdin to see why' });
    else if (r.ms > statuslineBudgetMs()) out.push({ level: 'warn', what: `the status line command took ${r.ms.toFixed(0)} ms (Claude Code refreshes it at most every ${statuslineBudgetMs()} ms): ${statusLine}`, fix: 'tokenmeter setup claude-code --statusline (answers from the daemon in well under 100 ms)' });
    else out.push({ level: 'ok', what: `status line answers in ${r.ms.toFixed(0)} ms` });
  }
  return out;
}

/** Each registered agent: where its logs were found, or (when none is) every place looked and what moves them. */
function agentFindings(env: NodeJS.ProcessEnv, out: Finding[]): void {
  const absent: string[] = [];
  for (const agent of AGENTS) {
    const notice = agent.notice?.(env);
    if (notice) out.push({ level: 'warn', what: notice, fix: 'nothing to fix here: said so that totals are not taken for complete' });
    const d = agent.discover(env, new Map());
    if (d.files.length === 0) {
      absent.push(`${agent.name} (${[agent.roots(env).join(', '), ...(agent.env.length ? [agent.env.join(', ')] : [])].join('; ')})`);
      continue;
    }
    const roots = agent.roots(env).filter((r) => d.files.some((f) => f.path.startsWith(r)) || existsSync(r));
    out.push({ level: 'ok', what: `${agent.name}: ${plural(d.files.length, 'log file')} under ${roots.join(', ')}` });
  }
  if (absent.length === AGENTS.length) {
    out.push({ level: 'warn', what: `no agent's logs found: looked for ${absent.join('; ')}`, fix: 'set the variable that says where your agent keeps them' });
  } else if (absent.length) {
    out.push({ level: 'ok', what: `not found (not in use here?): ${absent.join('; ')}` });
  }
}

const MARK = { ok: '✓', warn: '!', error: '✗' } as const;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Sources as the user knows them: usage pushed with `tokenmeter ingest` is stored as source "hook". */
const sourceNames = (sources: string) => sources.split(',').map((s) => (s === 'hook' ? 'ingest' : s)).join(',');

export async function runDoctor(flags: { json?: boolean; limit: string }): Promise<number> {
  const limit = Math.max(Number(flags.limit) || 20, 1);
  const checks = await findings();
  const path = indexPath();
  let index = null;
  if (existsSync(path)) {
    const store = new SqliteStore(path);
    try {
      index = {
        path, bySource: await store.requestsBySources(), problems: await store.fileProblems(limit), unpriced: await store.unpricedModels(),
        requestDisagreements: await store.requestDisagreements(limit), sessionDisagreements: await store.sessionDisagreements(limit),
      };
    } finally {
      await store.close();
    }
  }
  if (index?.problems.total) {
    // A line that cannot be read may be a request that is not counted: the figures may be wrong, so this is an error.
    checks.push({ level: 'error', what: `${plural(index.problems.total, 'log line')} could not be read (skipped, counted)`, fix: 'see below: a line cut short by a crash, a record no request can have, or a format this version does not know (update tokenmeter)' });
  }
  for (const m of index?.unpriced ?? []) checks.push({ level: 'warn', what: `no price known for ${m.model} (${plural(m.requests, 'request')}; their cost is left out)`, fix: 'update tokenmeter: the price database ships with it' });
  // Exit 1 when something is broken or may be miscounted (a ✗ finding, or sources that disagree); '!' is advice.
  const failed = checks.some((c) => c.level === 'error') || (index !== null && index.requestDisagreements.length + index.sessionDisagreements.length > 0);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ checks, index }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  const out: string[] = [];
  for (const c of checks) out.push(`${MARK[c.level]} ${c.what}${c.fix && c.level !== 'ok' ? `\n    fix: ${c.fix}` : ''}`);
  if (!index) {
    out.push(`No index yet at ${path}: run "tokenmeter" or "tokenmeter serve".`);
  } else {
    out.push(`Index: ${path}`, 'Requests by the sources that saw them:');
    for (const s of index.bySource) out.push(`  ${sourceNames(s.sources).padEnd(24)} ${s.requests}`);
    if (index.problems.first.length) {
      const shown = index.problems.first.length;
      out.push(`Lines that could not be read${shown < index.problems.total ? ` (the first ${shown} of ${index.problems.total})` : ''}:`);
      for (const p of index.problems.first) out.push(`  ${p.path}:${p.line}: ${p.message}`);
    }
    const { requestDisagreements: requests, sessionDisagreements: sessions } = index;
    const counts = (c: { input: number; output: number; cacheRead: number; cacheWrite: number }) =>
      `in ${c.input}, out ${c.output}, cache read ${c.cacheRead}, cache write ${c.cacheWrite}`;
    if (requests.length === 0 && sessions.length === 0) {
      out.push('No disagreements between sources.');
    } else {
      if (requests.length) out.push(`Requests whose sources disagree (${requests.length}${requests.length === limit ? '+' : ''}):`);
      for (const r of requests) {
        out.push(`  ${r.requestId} (session ${r.sessionId}, ${r.model}, ${new Date(r.ts).toISOString()})`);
        for (const c of r.copies) out.push(`    ${sourceNames(c.source).padEnd(10)} ${counts(c)}`);
      }
      if (sessions.length) out.push(`Sessions whose token metrics disagree with their per-request records (${sessions.length}):`);
      for (const s of sessions) {
        out.push(`  ${s.sessionId} (${s.tool})`);
        out.push(`    metrics    ${counts(s.metrics)}`);
        out.push(`    requests   ${counts(s.requests)}`);
      }
      out.push('Reports count the per-request copy (the transcript over telemetry); token metrics count only for sessions nothing else covers.');
    }
  }
  // Paths, models and sessions come from logs and telemetry: shown, never obeyed by the terminal.
  process.stdout.write(`${out.join('\n').split('\n').map(printable).join('\n')}\n`);
  return failed ? 1 : 0;
}
