// Fleet mode with the built CLI and the real PostgreSQL: several daemons with their own homes and host names ship into
// one database and every one of them serves the pooled figures; the network to PostgreSQL refused, a daemon killed
// with SIGKILL between its local write and the remote one, and PostgreSQL itself stopped and started again in the
// middle of shipping (a cluster of its own, with pg_ctlcluster) — after each, the pooled totals are exactly the sum
// of what was written.
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTurns, generateHistory } from '../../bench/generate-history.mjs';
import { querySchema, testSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { exited, freePort, waitFor } from '../helpers/processes.js';
import { tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
type Totals = ReturnType<typeof generateHistory>['totals'];

interface Node {
  name: string;
  env: NodeJS.ProcessEnv;
  port: number;
  child?: ChildProcess;
  stderr: string;
  claude: string;
  expected: Totals;
  hostFlag: string[];
}

let dir: ReturnType<typeof tempDir>;

/** `viaFlag`: the host name given with serve --host-name (kept for the home) rather than TOKENMETER_HOST_NAME. */
function makeNode(name: string, seed: number, storeUrl: string, port: number, viaFlag = false): Node {
  const root = join(dir.path, name);
  const claude = join(root, 'claude');
  const history = generateHistory(claude, { targetBytes: 3 << 20, seed, endTime: Date.now() - 60_000, days: 2 });
  mkdirSync(join(root, 'home'), { recursive: true });
  return {
    name, port, stderr: '', claude, expected: { ...history.totals },
    env: {
      PATH: process.env.PATH, HOME: join(root, 'home'), CLAUDE_CONFIG_DIR: claude, TOKENMETER_HOME: join(root, 'tm'), TZ: 'UTC',
      TOKENMETER_DATABASE_URL: storeUrl, ...(viaFlag ? {} : { TOKENMETER_HOST_NAME: name }),
    },
    hostFlag: viaFlag ? ['--host-name', name] : [],
  };
}

function start(n: Node): void {
  n.stderr = '';
  n.child = spawn(process.execPath, [cli, 'serve', '--port', String(n.port), '--no-grpc', '--no-snapshot', '--sweep-interval', '1', ...n.hostFlag], { env: n.env, stdio: ['ignore', 'ignore', 'pipe'] });
  n.child.stderr!.on('data', (b: Buffer) => (n.stderr += b.toString()));
}

async function stop(n: Node, signal: NodeJS.Signals = 'SIGTERM') {
  if (n.child && n.child.exitCode === null && n.child.signalCode === null) {
    n.child.kill(signal);
    await exited(n.child);
  }
}

/** Appends turns to one of a node's sessions and counts them in what it should total. */
function append(n: Node, seed: number): number {
  const projects = join(n.claude, 'projects');
  const project = readdirSync(projects)[0]!;
  const file = join(projects, project, readdirSync(join(projects, project)).find((f) => f.endsWith('.jsonl'))!);
  const added = appendTurns(file, '/home/dev/app', `appended-${n.name}-${seed}`, 6_000, seed, Date.now() - 5_000);
  for (const k of Object.keys(n.expected) as Array<keyof Totals>) (n.expected[k] as number) += added[k] as number;
  return added.requests;
}

const sum = (nodes: Node[], k: 'requests' | 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'totalTokens') => nodes.reduce((s, n) => s + n.expected[k], 0);

/** What the pooled store holds, straight from PostgreSQL. */
async function pooled(schema: string, base = TEST_DATABASE_URL, host?: string) {
  const rows = await querySchema<{ requests: string; input: string; output: string; cache_read: string; total: string }>(schema,
    `SELECT COUNT(*) AS requests, COALESCE(SUM(input), 0) AS input, COALESCE(SUM(output), 0) AS output, COALESCE(SUM(cache_read), 0) AS cache_read,
       COALESCE(SUM(input + output + cache_read + cache_write_5m + cache_write_1h), 0) AS total FROM events ${host ? 'WHERE host = $1' : ''}`,
    host ? [host] : [], base);
  const r = rows[0]!;
  return { requests: Number(r.requests), inputTokens: Number(r.input), outputTokens: Number(r.output), cacheReadTokens: Number(r.cache_read), totalTokens: Number(r.total) };
}

const want = (nodes: Node[]) => ({
  requests: sum(nodes, 'requests'), inputTokens: sum(nodes, 'inputTokens'), outputTokens: sum(nodes, 'outputTokens'),
  cacheReadTokens: sum(nodes, 'cacheReadTokens'), totalTokens: sum(nodes, 'totalTokens'),
});

/** Runs the CLI with a node's environment (asynchronously: the daemons under test answer meanwhile). */
function run(n: Node, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [cli, ...args], { env: n.env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A TCP relay in front of PostgreSQL that can refuse connections (and cut the open ones), like a network gone away. */
class Relay {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  constructor(readonly port: number, private readonly target: number) {}
  async open(): Promise<void> {
    this.server = createServer((s) => {
      const up = connect(this.target, '127.0.0.1');
      for (const x of [s, up]) {
        this.sockets.add(x);
        x.on('error', () => undefined);
        x.on('close', () => this.sockets.delete(x));
      }
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
  }
  async refuse(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  dir = tempDir();
});
afterAll(() => dir?.cleanup());

describe('fleet mode', () => {
  const db = testSchema();
  const nodes: Node[] = [];
  let relay: Relay;

  afterAll(async () => {
    await Promise.all(nodes.map((n) => stop(n, 'SIGKILL')));
    await relay?.refuse();
    await db.drop();
  });

  it('three daemons with their own homes and host names pool exactly the sum of their inputs, and each serves it', async () => {
    relay = new Relay(await freePort(), Number(new URL(TEST_DATABASE_URL).port || 5432));
    await relay.open();
    const viaRelay = new URL(db.url);
    viaRelay.port = String(relay.port);
    nodes.push(makeNode('LXC115', 31, db.url, await freePort()), makeNode('LXC116', 32, db.url, await freePort()), makeNode('gpu-01', 33, viaRelay.toString(), await freePort(), true));
    for (const n of nodes) start(n);
    const all = want(nodes);
    await waitFor('the pooled store to hold every host', async () => ((await pooled(db.schema)).requests === all.requests ? true : undefined), 60_000,
      () => nodes.map((n) => `${n.name}: ${n.stderr}`).join('\n'));
    expect(await pooled(db.schema)).toEqual(all);
    for (const n of nodes) expect(await pooled(db.schema, TEST_DATABASE_URL, n.name)).toEqual(want([n]));
    // Every daemon serves the pooled figures, however they reached the database.
    for (const n of nodes) {
      const s = await waitFor(`${n.name}'s summary to be pooled`, async () => {
        const body = (await (await fetch(`http://127.0.0.1:${n.port}/api/summary`)).json()) as { totals: { requests: number; totalTokens: number } };
        return body.totals.requests === all.requests ? body.totals : undefined;
      }, 20_000);
      expect(s.totalTokens).toBe(all.totalTokens);
    }
    // The status line on one machine knows a session that ran on another, from the daemon's pooled state.
    const other = (await querySchema<{ session_id: string; tokens: string }>(db.schema,
      `SELECT session_id, SUM(input + output + cache_read + cache_write_5m + cache_write_1h) AS tokens FROM events WHERE host = 'LXC116' GROUP BY 1 ORDER BY 1 LIMIT 1`))[0]!;
    const status = (await (await fetch(`http://127.0.0.1:${nodes[0]!.port}/api/statusline`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_id: other.session_id }),
    })).json()) as { session: { tokens: number } };
    expect(status.session.tokens).toBe(Number(other.tokens));
    const metrics = await (await fetch(`http://127.0.0.1:${nodes[2]!.port}/metrics`)).text();
    const inputByHost = new Map<string, number>();
    for (const m of metrics.matchAll(/^tokenmeter_tokens_total\{([^}]*)\} (\d+)$/gm)) {
      if (!m[1]!.includes('type="input"')) continue;
      const host = /host="([^"]*)"/.exec(m[1]!)![1]!;
      inputByHost.set(host, (inputByHost.get(host) ?? 0) + Number(m[2]));
    }
    expect(Object.fromEntries(inputByHost)).toEqual(Object.fromEntries(nodes.map((n) => [n.name, n.expected.inputTokens])));
    // Reports from the CLI: pooled, then narrowed to one host.
    const daily = await run(nodes[0]!, ['daily', '--json']);
    expect(daily.code).toBe(0);
    expect(JSON.parse(daily.stdout).totals).toMatchObject({ inputTokens: all.inputTokens, outputTokens: all.outputTokens, totalTokens: all.totalTokens });
    const one = JSON.parse((await run(nodes[0]!, ['daily', '--json', '--host', 'LXC116'])).stdout);
    expect(one.totals).toMatchObject({ inputTokens: nodes[1]!.expected.inputTokens, totalTokens: nodes[1]!.expected.totalTokens });
    const local = JSON.parse((await run(nodes[0]!, ['daily', '--json', '--store', 'local'])).stdout);
    expect(local.totals.totalTokens).toBe(nodes[0]!.expected.totalTokens);
    const servers = JSON.parse((await run(nodes[1]!, ['servers', '--json'])).stdout) as { servers: Array<{ host: string; requests: number; lastSeen: string | null }> };
    expect(servers.servers.map((s) => [s.host, s.requests])).toEqual(nodes.map((n) => [n.name, n.expected.requests]).sort());
    for (const s of servers.servers) expect(Date.now() - Date.parse(s.lastSeen!)).toBeLessThan(60_000);
  }, 120_000);

  it('keeps what one host wrote while its network to PostgreSQL is refused and it is killed before shipping, and ships it once after', async () => {
    const gpu = nodes[2]!;
    await relay.refuse();
    const added = append(gpu, 41);
    // Written locally, not shipped: the local index has it, the backlog says so.
    const status = await waitFor('the backlog to show the appended lines', async () => {
      const r = await run(gpu, ['status', '--json']);
      const s = JSON.parse(r.stdout) as { host: string; fleet: { backlog: number; lastError: string | null } };
      return s.fleet.backlog >= added && s.fleet.lastError ? s : undefined;
    }, 30_000);
    expect(status.host).toBe('gpu-01');
    expect(status.fleet.lastError).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/test\?schema=/);
    const local = new Database(join(gpu.env.TOKENMETER_HOME!, 'index.sqlite'), { readonly: true });
    expect((local.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).toBe(gpu.expected.requests);
    local.close();
    expect((await pooled(db.schema, TEST_DATABASE_URL, gpu.name)).requests).toBe(gpu.expected.requests - added);
    const doctor = JSON.parse((await run(gpu, ['doctor', '--json'])).stdout) as { checks: Array<{ level: string; what: string }> };
    expect(doctor.checks).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 'error', what: expect.stringMatching(/^fleet mode: cannot reach PostgreSQL at /) }),
      expect.objectContaining({ level: 'warn', what: expect.stringMatching(/^\d+ change\(s\) in the local index are not in the pooled store yet$/) }),
    ]));
    await stop(gpu, 'SIGKILL');
    await relay.open();
    start(gpu);
    const all = want(nodes);
    await waitFor('the backlog to be shipped after the restart', async () => ((await pooled(db.schema)).requests === all.requests ? true : undefined), 30_000, () => gpu.stderr);
    expect(await pooled(db.schema)).toEqual(all);
    const after = JSON.parse((await run(gpu, ['status', '--json'])).stdout) as { fleet: { backlog: number } };
    expect(after.fleet.backlog).toBe(0);
  }, 90_000);
});

describe('fleet mode across a PostgreSQL restart', () => {
  // A cluster of its own, so that stopping it disturbs no other test.
  const cluster = `tm_fleet_${process.pid}`;
  let pgPort: number;
  let base: string;
  let node: Node;

  beforeAll(async () => {
    pgPort = await freePort();
    execFileSync('pg_createcluster', ['15', cluster, '-p', String(pgPort), '--start', '--', '--auth=trust'], { stdio: 'ignore' });
    base = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  }, 60_000);
  afterAll(async () => {
    if (node) await stop(node, 'SIGKILL');
    execFileSync('pg_dropcluster', ['--stop', '15', cluster], { stdio: 'ignore' });
  }, 60_000);

  it('ships every line exactly once when PostgreSQL stops and starts again while lines keep coming', async () => {
    const db = testSchema(base);
    node = makeNode('LXC120', 51, db.url, await freePort());
    start(node);
    await waitFor('the first shipment', async () => ((await pooled(db.schema, base)).requests === node.expected.requests ? true : undefined), 30_000, () => node.stderr);
    // Lines arrive all along; PostgreSQL goes away (an immediate stop kills the shipments in flight) and comes back.
    let seed = 100;
    const writer = setInterval(() => append(node, seed++), 40);
    try {
      await new Promise((r) => setTimeout(r, 300));
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', '15', cluster, 'stop', '-m', 'immediate'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1500));
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', '15', cluster, 'start'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(writer);
    }
    expect(seed).toBeGreaterThan(110);
    const expected = want([node]);
    await waitFor('every line to be shipped after the restart', async () => ((await pooled(db.schema, base)).requests === expected.requests ? true : undefined), 60_000, () => node.stderr);
    expect(await pooled(db.schema, base)).toEqual(expected);
    expect(node.stderr).toMatch(/cannot ship to the pooled store: .*change\(s\) wait in the local index/);
    expect(node.stderr).toMatch(/is back: shipping resumed/);
  }, 120_000);
});
