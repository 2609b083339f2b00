// tokenmeter statusline, run as Claude Code runs it: JSON on stdin, one line out, exit 0 whatever happens.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { indexNeedsUpgrade, SqliteStore } from '../../src/store/sqlite.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const SESSION = '77777777-7777-4777-8777-777777777777';
let dir: ReturnType<typeof tempDir>;
let transcript: string;

beforeAll(() => {
  dir = tempDir();
  const project = join(dir.path, 'claude', 'projects', '-home-ana-api');
  mkdirSync(project, { recursive: true });
  transcript = join(project, `${SESSION}.jsonl`);
  const at = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
  writeFileSync(transcript, [
    assistantLine({ sessionId: SESSION, messageId: 'msg_s1', requestId: 'req_s1', timestamp: at(50), input: 1000, output: 4000, cacheRead: 20000, cacheWrite5m: 0 }),
    assistantLine({ sessionId: SESSION, messageId: 'msg_s2', requestId: 'req_s2', timestamp: at(5), input: 1000, output: 3000, cacheRead: 30000, cacheWrite5m: 0 }),
  ].join('\n') + '\n');
});
afterAll(() => dir?.cleanup());

function input(extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    session_id: SESSION, transcript_path: transcript, cwd: '/home/ana/api', model: { id: 'claude-sonnet-4-5-20250929', display_name: 'Sonnet 4.5' },
    cost: { total_cost_usd: 0.41 }, ...extra,
  });
}

function statusline(stdin: string, home: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const c = spawn(process.execPath, [cli, 'statusline', ...args], {
      // A budget far beyond what the machine needs: what is tested is the answer, not how fast a loaded machine gives it.
      env: { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: home, NO_COLOR: '1', TOKENMETER_STATUSLINE_BUDGET_MS: '60000', TOKENMETER_STATUSLINE_WAIT_MS: '60000', ...env },
    });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('exit', (code) => resolve({ code, out, ms: performance.now() - started }));
    c.stdin.end(stdin);
  });
}

const inSixHours = () => Math.floor(Date.now() / 1000) + 3 * 3600 + 45 * 60;

describe('tokenmeter statusline without a daemon', () => {
  it('reads the session transcript and shows session and today cost, tokens, rate and the window', async () => {
    const home = join(dir.path, 'tm-plain');
    const r = await statusline(input(), home, ['--plan', 'max5']);
    expect(r.code).toBe(0);
    // 9,000 limit tokens of 88,000: ~10 %, estimated from the plan (no official figure yet).
    expect(r.out).toMatch(/^🤖 Sonnet 4\.5 \| 💰 \$[\d.]+ session \/ \$[\d.]+ today \| 📊 59,000 tokens \| 🔥 3,400 tok\/min \| 🟢 ~10% 5h \(\d+h\d\dm\)/);
  });

  it("shows Claude Code's own percentage and reset when it sends them, and remembers them with the window's local cost", async () => {
    const home = join(dir.path, 'tm-official');
    const resets = inSixHours();
    const r = await statusline(input({ rate_limits: { five_hour: { used_percentage: 71.6, resets_at: resets }, seven_day: { used_percentage: 23, resets_at: resets + 86400 } } }), home, ['--format', '{window} {weekly}']);
    expect(r.out.trim()).toMatch(/^🟡 72% 5h \(3h4[45]m\)( limit \d\d:\d\d)? 📅 23% 7d \(27h4[45]m\)$/);
    const store = new SqliteStore(join(home, 'index.sqlite'));
    try {
      const readings = await store.limitReadings('5h', 0);
      expect(readings).toHaveLength(1);
      expect(readings[0]).toMatchObject({ tool: 'claude-code', usedPercent: 71.6, resetsAt: resets * 1000 });
      expect(readings[0]!.localCost).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    // The next call without the figure, minutes later, still shows it (fresh for 10 minutes).
    const again = await statusline(input(), home, ['--format', '{window}']);
    expect(again.out.trim()).toMatch(/^🟡 72% 5h/);
    // The blocks report puts the official figure beside its own.
    const blocks = spawnSync(process.execPath, [cli, 'blocks', '--json', '--active', '--plan', 'max5'], {
      env: { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: home }, encoding: 'utf8',
    });
    const active = JSON.parse(blocks.stdout).blocks[0];
    expect(active.official).toMatchObject({ usedPercent: 71.6, resetsAt: new Date(resets * 1000).toISOString() });
    expect(active.limitUsedPercent).toBeCloseTo((9000 / 88_000) * 100, 6);
  });

  it('follows the template, --no-emoji, and drops segments it has no data for', async () => {
    const home = join(dir.path, 'tm-format');
    const r = await statusline(JSON.stringify({ session_id: 'no-such-session' }), home, ['--no-emoji', '--format', '{model} | {today_cost} | {tokens} | {nonsense}']);
    expect(r.out.trim()).toMatch(/^\$[\d.]+ today \| 0 tokens \| \{nonsense\}$/);
  });

  it('answers from the index when the transcript path is a FIFO, which would block a plain open forever', async () => {
    const fifo = join(dir.path, 'claude', 'projects', '-home-ana-api', 'fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    const home = join(dir.path, 'tm-fifo');
    await statusline(input(), home); // the real transcript, indexed
    const r = await statusline(input({ transcript_path: fifo }), home);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^🤖 Sonnet 4\.5 \| 💰 .* 📊 59,000 tokens/);
  });

  // Budgets of 0 are spent before the command even starts: what happens then is certain, whatever the machine.
  const spent = { TOKENMETER_STATUSLINE_BUDGET_MS: '0', TOKENMETER_STATUSLINE_WAIT_MS: '0' };

  it('with no line to fall back on, says it is busy when its time is spent, and still exits 0', async () => {
    const r = await statusline(input(), join(dir.path, 'tm-budget'), [], spent);
    expect(r).toMatchObject({ code: 0, out: 'Sonnet 4.5 | tokenmeter: busy, try again\n' });
  });

  it('shows the last good line of the session when a fresh one is not ready in time, and says its age once old', async () => {
    const home = join(dir.path, 'tm-cache');
    const fresh = await statusline(input(), home);
    expect(fresh.out).toMatch(/^🤖 Sonnet 4\.5 \| 💰 .* 📊 59,000 tokens/);
    // The same session, a machine too busy to answer in time: the last line, as it was.
    expect((await statusline(input(), home, [], spent)).out).toBe(fresh.out);
    // Another format is another line: not mixed up with this one.
    expect((await statusline(input(), home, ['--format', '{tokens}'], spent)).out).toBe('Sonnet 4.5 | tokenmeter: busy, try again\n');
    // Five minutes later it says how old it is.
    const dirOf = join(home, 'statusline');
    for (const f of readdirSync(dirOf)) {
      const c = JSON.parse(readFileSync(join(dirOf, f), 'utf8'));
      writeFileSync(join(dirOf, f), JSON.stringify({ ...c, at: c.at - 5 * 60_000 }));
    }
    expect((await statusline(input(), home, [], spent)).out).toBe(`${fresh.out.trimEnd()} (5m ago)\n`);
  });

  it('answers when the input arrives but stdin is never closed', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, [cli, 'statusline'], {
        env: { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm-open'), NO_COLOR: '1', TOKENMETER_STATUSLINE_BUDGET_MS: '60000', TOKENMETER_STATUSLINE_WAIT_MS: '60000' },
      });
      let out = '';
      c.stdout.on('data', (b: Buffer) => (out += b.toString()));
      c.on('exit', (code) => resolve({ code, out }));
      c.stdin.write(input({ context_window: { used_percentage: 41.6 } }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/📊 59,000 tokens \| 🧠 42% context \|/);
  });

  it('leaves an index upgrade to a background tokenmeter index instead of starting it on every call', async () => {
    const home = join(dir.path, 'tm-upgrade');
    expect((await statusline(input(), home)).out).toMatch(/📊 59,000 tokens/);
    // As an older version left it: a secondary index missing (building one takes seconds on a large history).
    const db = new Database(join(home, 'index.sqlite'));
    db.exec('DROP INDEX events_file');
    db.close();
    rmSync(join(home, 'statusline'), { recursive: true, force: true });
    const r = await statusline(input(), home);
    expect(r).toMatchObject({ code: 0, out: 'Sonnet 4.5 | tokenmeter: updating its index\n' });
    // The background run finishes the upgrade; the next call has its figures again.
    await expect.poll(() => indexNeedsUpgrade(join(home, 'index.sqlite')), { timeout: 30_000 }).toBe(false);
    expect((await statusline(input(), home)).out).toMatch(/📊 59,000 tokens/);
  });

  it('prints a short line and exits 0 on garbage, on an empty index, with a dead daemon', async () => {
    const garbage = await statusline('{"session_id": ', join(dir.path, 'tm-garbage'));
    expect(garbage).toMatchObject({ code: 0, out: 'tokenmeter: unreadable status input\n' });
    const empty = await statusline('', join(dir.path, 'tm-empty'), ['--format', '{today_cost}']);
    expect(empty.code).toBe(0);
    expect(empty.out.trim()).toMatch(/^💰 \$[\d.]+ today$/);
    const deadHome = join(dir.path, 'tm-dead');
    mkdirSync(deadHome, { recursive: true });
    writeFileSync(join(deadHome, 'daemon.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, port: 1, host: '127.0.0.1' }));
    const dead = await statusline(input(), deadHome);
    expect(dead.code).toBe(0);
    expect(dead.out).toMatch(/^🤖 Sonnet 4\.5 \| 💰/);
  });
});

describe('tokenmeter statusline with a daemon', () => {
  let d: TestDaemon | undefined;
  let hung: Server | undefined;
  const held: Socket[] = [];
  afterEach(async () => {
    await d?.stop();
    d = undefined;
    for (const s of held.splice(0)) s.destroy();
    await new Promise((r) => (hung ? hung.close(r) : r(undefined)));
    hung = undefined;
  });

  it('asks the daemon, which records the official reading', async () => {
    d = await startTestDaemon();
    writeFileSync(join(d.projectDir, `${SESSION}.jsonl`), `${assistantLine({ sessionId: SESSION, messageId: 'msg_d1', requestId: 'req_d1', timestamp: new Date().toISOString(), input: 10, output: 990, cacheRead: 0, cacheWrite5m: 0 })}\n`);
    d.daemon['schedule']({ kind: 'sweep' });
    await d.daemon.idle();
    const r = await statusline(input({ transcript_path: '/nonexistent/x.jsonl', rate_limits: { five_hour: { used_percentage: 12, resets_at: inSixHours() } } }), d.home);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/📊 1,000 tokens .* 🟢 12% 5h/);
    const store = new SqliteStore(join(d.home, 'index.sqlite'));
    try {
      expect(await store.limitReadings('5h', 0)).toEqual([expect.objectContaining({ usedPercent: 12 })]);
    } finally {
      await store.close();
    }
  });

  it('in fleet mode never shows this machine\'s figures for the pool\'s: a hung daemon gives the last line', async () => {
    hung = createServer((s) => held.push(s)).listen(0, '127.0.0.1');
    await new Promise((r) => hung!.once('listening', r));
    const home = join(dir.path, 'tm-fleet');
    mkdirSync(home, { recursive: true });
    // The local index has figures of its own (indexed without a daemon first).
    const local = await statusline(input(), home);
    expect(local.out).toMatch(/📊 59,000 tokens/);
    for (const f of readdirSync(join(home, 'statusline'))) rmSync(join(home, 'statusline', f));
    writeFileSync(join(home, 'daemon.lock'), JSON.stringify({ pid: process.pid, port: (hung.address() as { port: number }).port, host: '127.0.0.1', fleet: true }));
    const r = await statusline(input(), home);
    expect(r).toMatchObject({ code: 0, out: 'Sonnet 4.5 | tokenmeter: the daemon is busy, try again\n' });
  });

  it('answers from the index when the daemon hangs, without waiting for it', async () => {
    hung = createServer((s) => held.push(s)).listen(0, '127.0.0.1'); // accepts, never answers
    await new Promise((r) => hung!.once('listening', r));
    const home = join(dir.path, 'tm-hung');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'daemon.lock'), JSON.stringify({ pid: process.pid, port: (hung.address() as { port: number }).port, host: '127.0.0.1' }));
    const r = await statusline(input(), home);
    expect(r.code).toBe(0);
    // It did not wait on the daemon (a hung connection never ends): its figures come from the index.
    expect(r.out).toMatch(/^🤖 Sonnet 4\.5 \| 💰 .* 📊 59,000 tokens/);
  });
});
