// The built daemon, started as a user would, on a generated history: killed with SIGKILL in the middle of its first
// index and started again, it reaches exactly the generator's totals; appended lines show on every output.
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTurns, generateHistory } from '../../bench/generate-history.mjs';
import { exited, freePort, waitFor as waitForIt } from '../helpers/processes.js';
import { tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
let history: ReturnType<typeof generateHistory>;
let env: NodeJS.ProcessEnv;
let port: number;
let grpcPort: number;
let child: ChildProcess | undefined;
let stderr = '';

function startDaemon(): ChildProcess {
  stderr = '';
  const c = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--grpc-port', String(grpcPort), '--sweep-interval', '2'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  c.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return c;
}

const url = (path: string) => `http://127.0.0.1:${port}${path}`;

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  waitForIt(what, fn, timeoutMs, () => `daemon stderr:\n${stderr}`);

async function summary() {
  return (await (await fetch(url("/api/summary"))).json()) as { totals: { requests: number; input: number; output: number; cacheWrite: number; cacheRead: number; totalTokens: number } };
}

/** Totals once the daemon has read everything there is. */
async function settledTotals() {
  await waitFor('the index to settle', async () => {
    const h = (await (await fetch(url('/healthz'))).json()) as { indexing: boolean };
    return h.indexing ? undefined : true;
  });
  const t = (await summary()).totals;
  return { requests: t.requests, inputTokens: t.input, outputTokens: t.output, cacheCreationTokens: t.cacheWrite, cacheReadTokens: t.cacheRead, totalTokens: t.totalTokens };
}

const expected = (t: ReturnType<typeof generateHistory>['totals']) => ({
  requests: t.requests, inputTokens: t.inputTokens, outputTokens: t.outputTokens, cacheCreationTokens: t.cacheCreationTokens,
  cacheReadTokens: t.cacheReadTokens, totalTokens: t.totalTokens,
});

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  dir = tempDir();
  // Large enough that the first index goes through the worker threads and takes long enough to be interrupted.
  history = generateHistory(join(dir.path, 'claude'), { targetBytes: 60 << 20, seed: 23, endTime: Date.now() - 60_000, days: 3 });
  mkdirSync(join(dir.path, 'home'));
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' };
  port = await freePort();
  grpcPort = await freePort();
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
  dir?.cleanup();
});

describe('tokenmeter serve', () => {
  it('gets exactly the totals after being killed in the middle of its first index', async () => {
    child = startDaemon();
    // Killed while it reads: the health endpoint answers during the cold index.
    await waitFor('the daemon to start indexing', async () => {
      const h = (await (await fetch(url('/healthz'))).json()) as { indexing: boolean };
      return h.indexing ? true : undefined;
    });
    child.kill('SIGKILL');
    expect((await exited(child)).signal).toBe('SIGKILL');
    // It was cut short: the index holds only part of the history.
    const db = new Database(join(dir.path, 'tm', 'index.sqlite'), { readonly: true });
    const stored = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    db.close();
    expect(stored).toBeLessThan(history.totals.requests);
    child = startDaemon();
    expect(await settledTotals()).toEqual(expected(history.totals));
  }, 120_000);

  it('refuses a second daemon on the same home, with a clear message', () => {
    const other = spawnSync(process.execPath, [cli, 'serve', '--port', '0', '--grpc-port', '0'], { env, encoding: 'utf8', timeout: 20_000 });
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/another tokenmeter daemon \(pid \d+, http:\/\/127\.0\.0\.1:\d+\) already serves this home/);
  });

  it('shows appended lines on /metrics, /v1/metrics, /api/summary and the stream', async () => {
    const before = await settledTotals();
    const stream = await fetch(url('/api/stream'));
    const reader = stream.body!.getReader();
    let received = '';
    const gotUsage = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        received += Buffer.from(value).toString();
        if (received.includes('event: usage')) return true;
      }
    })();
    const projects = join(dir.path, 'claude', 'projects');
    const project = readdirSync(projects)[0]!;
    const file = join(projects, project, readdirSync(join(projects, project)).find((f) => f.endsWith('.jsonl'))!);
    const added = appendTurns(file, '/home/dev/app', 'appended-session', 20_000, 5, Date.now() - 5_000);
    const want = before.inputTokens + added.inputTokens;
    await waitFor('/metrics to show the appended input tokens', async () => {
      const text = await (await fetch(url('/metrics'))).text();
      const sum = [...text.matchAll(/^tokenmeter_tokens_total\{[^}]*type="input"[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
      return sum === want ? true : undefined;
    }, 10_000);
    const seed = await (await fetch(url('/v1/metrics'))).text();
    expect(seed).toMatch(new RegExp(`^claude_code_token_usage\\{type="input"\\} ${want} \\d{13}$`, 'm'));
    expect(seed).toMatch(/^claude_code_cost_usage [\d.]+ \d{13}$/m);
    expect((await summary()).totals.requests).toBe(before.requests + added.requests);
    expect(await gotUsage).toBe(true);
    const usage = JSON.parse(received.split('event: usage\ndata: ')[1]!.split('\n')[0]!);
    expect(usage).toMatchObject({ tool: 'claude-code', sources: ['transcript'], sessionId: 'appended-session', project: '/home/dev/app' });
    await reader.cancel();
  }, 30_000);

  it('stops cleanly on SIGTERM and starts again on the same index with the same totals', async () => {
    const before = await settledTotals();
    child!.kill('SIGTERM');
    expect(await exited(child!)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir.path, 'tm', 'daemon.lock'))).toBe(false);
    // A quiet terminal, but the log file says what happened: start, what it found and watched, stop.
    const log = readFileSync(join(dir.path, 'tm', 'daemon.log'), 'utf8');
    for (const said of [/ info  listening on http:\/\/127\.0\.0\.1:\d+, OTLP\/gRPC on 127\.0\.0\.1:\d+; index /, / info  found \d+ log files \(claude-code \d+\)/, / info  watching .*claude/, / info  SIGTERM: finishing pending writes/, / info  stopped$/m]) {
      expect(log).toMatch(said);
    }
    child = startDaemon();
    expect(await settledTotals()).toEqual(before);
    const snapshot = JSON.parse(readFileSync(join(dir.path, 'tm', 'token-metrics.json'), 'utf8'));
    expect(Date.now() - Date.parse(snapshot.updatedAt)).toBeLessThan(60_000);
    expect(snapshot.today).toHaveProperty('totalTokens');
  }, 60_000);
});
