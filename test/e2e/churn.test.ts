// Exactly once under churn: a seeded random walk over a set of transcripts under two roots (appends, half-written
// lines, renames, rotations, truncations, in-place rewrites, replacements by a new file, copies, deletions), with the
// daemon killed and restarted under it, compared after every few steps with a model of which requests exist.
//
// The model: a request is counted while a file holds it (its best copy: the largest), and a deleted or renamed-away
// file keeps what it held when last indexed until a new file takes its path. Deletions and renames touch only files
// indexed since their last change, so what a file held when it went is known whatever the daemon was doing.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../bench/generate-history.mjs';
import { refreshIndex } from '../../src/ingest/indexer.js';
import { discoverClaudeFiles } from '../../src/sources/claude-code/discover.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { exited, freePort, waitFor } from '../helpers/processes.js';
import { assistantLine, tempDir, userLine } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const SEED = 20261202;
const STEPS = 2000;
const DAEMON_EVERY = 500;
const DAEMON_STEPS = 120;

interface Line {
  /** The message id, or null for a line without usage. */
  id: string | null;
  output: number;
  text: string;
}
interface FileState {
  lines: Line[];
  /** A line written in part: its text so far is `line.text.slice(0, cut)`. */
  pending: { line: Line; cut: number } | null;
}

const contentOf = (f: FileState) => f.lines.map((l) => `${l.text}\n`).join('') + (f.pending ? f.pending.line.text.slice(0, f.pending.cut) : '');

class World {
  readonly files = new Map<string, FileState>();
  /** What each path held when last indexed, for paths whose file went (deleted, renamed away). */
  readonly ghosts = new Map<string, Line[]>();
  /** What each existing path held at the last sync. */
  private synced = new Map<string, Line[]>();
  /** Paths written since the last sync: not deleted or renamed away until indexed. */
  private dirty = new Set<string>();
  private requests: Array<{ id: string; output: number; ts: string }> = [];
  private next = 0;
  private tmp = 0;

  constructor(private readonly r: () => number, private readonly roots: string[], private readonly scratch: string) {}

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  private newLine(): Line {
    if (this.r() < 0.08) return { id: null, output: 0, text: userLine('q'.repeat(Math.floor(this.r() * 300))) };
    let req;
    if (this.requests.length === 0 || this.r() < 0.55) {
      const n = this.next++;
      req = { id: `msg_churn_${n}`, output: 50 + Math.floor(this.r() * 5000), ts: new Date(Date.now() - 3_600_000 - Math.floor(this.r() * 48 * 3_600_000)).toISOString() };
      this.requests.push(req);
    } else {
      req = this.pick(this.requests);
    }
    // Now and then a streaming snapshot: the same message with fewer output tokens.
    const output = this.r() < 0.15 ? 1 + Math.floor(this.r() * (req.output - 1)) : req.output;
    const text = assistantLine({
      messageId: req.id, requestId: `req_${req.id.slice(4)}`, output, input: 3, cacheRead: 0, cacheWrite5m: 0, timestamp: req.ts,
      content: [{ type: 'text', text: 't'.repeat(Math.floor(this.r() * 1800)) }],
    });
    return { id: req.id, output, text };
  }

  private newPath(): string {
    const root = this.pick(this.roots);
    const project = join(root, 'projects', this.pick(['-home-ana-api', '-home-ana-web']));
    mkdirSync(project, { recursive: true });
    return join(project, `s${this.tmp++}.jsonl`);
  }

  private existing(clean = false): string | undefined {
    const paths = [...this.files.keys()].filter((p) => !clean || !this.dirty.has(p));
    return paths.length ? this.pick(paths) : undefined;
  }

  /** A new file appears at a path: it replaces whatever the path held. */
  private put(path: string, f: FileState): void {
    this.files.set(path, f);
    this.ghosts.delete(path);
    this.dirty.add(path);
  }

  /** The file at a path goes: it keeps what it held when last indexed (the same, as it was clean). */
  private gone(path: string): void {
    this.ghosts.set(path, this.synced.get(path)!);
    this.files.delete(path);
  }

  private finishPending(path: string, f: FileState): void {
    if (!f.pending) return;
    appendFileSync(path, `${f.pending.line.text.slice(f.pending.cut)}\n`);
    f.lines.push(f.pending.line);
    f.pending = null;
  }

  step(): string {
    const x = this.r();
    if (x < 0.34 || this.files.size === 0) {
      const path = this.files.size === 0 || this.r() < 0.1 ? this.newPath() : this.existing()!;
      const f = this.files.get(path) ?? { lines: [], pending: null };
      if (!this.files.has(path)) this.put(path, f);
      this.finishPending(path, f);
      const added = Array.from({ length: 1 + Math.floor(this.r() * 3) }, () => this.newLine());
      appendFileSync(path, added.map((l) => `${l.text}\n`).join(''));
      f.lines.push(...added);
      this.dirty.add(path);
      return 'append';
    }
    if (x < 0.42) {
      const path = this.existing()!;
      const f = this.files.get(path)!;
      if (f.pending) {
        this.finishPending(path, f);
        this.dirty.add(path);
        return 'complete a half-written line';
      }
      const line = this.newLine();
      // Cut inside the JSON object: never a line that parses.
      const cut = 1 + Math.floor(this.r() * (line.text.length - 2));
      appendFileSync(path, line.text.slice(0, cut));
      f.pending = { line, cut };
      this.dirty.add(path);
      return 'half-written line';
    }
    if (x < 0.5) {
      const path = this.existing(true);
      if (!path) return 'nothing clean to rotate';
      const f = this.files.get(path)!;
      const to = join(dirname(path), `${basename(path, '.jsonl')}-r${this.tmp++}.jsonl`);
      renameSync(path, to);
      this.gone(path);
      this.put(to, f);
      if (this.r() < 0.6) {
        // Rotation: a new file starts under the old name.
        const fresh = { lines: [this.newLine()], pending: null };
        writeFileSync(path, contentOf(fresh));
        this.put(path, fresh);
      }
      return 'rename';
    }
    if (x < 0.57) {
      const path = this.existing()!;
      const f = this.files.get(path)!;
      const keep = Math.floor(this.r() * (f.lines.length + 1));
      const byteLength = f.lines.slice(0, keep).reduce((n, l) => n + Buffer.byteLength(l.text) + 1, 0);
      truncateSync(path, byteLength);
      f.lines = f.lines.slice(0, keep);
      f.pending = null;
      this.dirty.add(path);
      return 'truncate';
    }
    if (x < 0.66) {
      const path = this.existing()!;
      const f = this.files.get(path)!;
      const lines: Line[] = [];
      for (const l of f.lines) {
        if (this.r() < 0.75) lines.push(l);
        if (this.r() < 0.2) lines.push(this.newLine());
      }
      const next = { lines, pending: null };
      if (this.r() < 0.5) {
        writeFileSync(path, contentOf(next)); // in place: the same inode
        this.files.set(path, next);
        this.dirty.add(path);
        return 'rewrite in place';
      }
      const tmp = join(this.scratch, `t${this.tmp++}`);
      writeFileSync(tmp, contentOf(next));
      renameSync(tmp, path); // a new file over the old one
      this.put(path, next);
      return 'replace by a new file';
    }
    if (x < 0.74) {
      const from = this.existing()!;
      const f = this.files.get(from)!;
      const to = this.r() < 0.3 && this.files.size > 1 ? this.existing()! : this.newPath();
      if (to === from) return 'copy onto itself';
      copyFileSync(from, to);
      this.put(to, { lines: [...f.lines], pending: f.pending && { ...f.pending } });
      return 'copy';
    }
    if (x < 0.8) {
      const path = this.existing(true);
      if (!path) return 'nothing clean to delete';
      rmSync(path);
      this.gone(path);
      return 'delete';
    }
    // Idle: nothing changes (the daemon catches up).
    return 'idle';
  }

  /** Everything on disk has been indexed. */
  synced_(): void {
    this.synced = new Map([...this.files].map(([p, f]) => [p, [...f.lines]]));
    this.dirty.clear();
  }

  /** The requests that must be counted, each with its best copy's output tokens. */
  expected(): Record<string, number> {
    const best = new Map<string, number>();
    const hold = (lines: Line[]) => {
      for (const l of lines) if (l.id && (best.get(l.id) ?? -1) < l.output) best.set(l.id, l.output);
    };
    for (const f of this.files.values()) hold(f.lines);
    for (const g of this.ghosts.values()) hold(g);
    return Object.fromEntries([...best].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }
}

let dir: ReturnType<typeof tempDir>;
let roots: string[];
let env: NodeJS.ProcessEnv;
let index: string;

beforeAll(() => {
  dir = tempDir('tokenmeter-churn-');
  roots = [join(dir.path, 'claude'), join(dir.path, 'copies')];
  for (const r of roots) mkdirSync(join(r, 'projects'), { recursive: true });
  mkdirSync(join(dir.path, 'scratch'));
  index = join(dir.path, 'tm', 'index.sqlite');
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: roots.join(','), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' };
});
afterAll(() => dir?.cleanup());

/** Indexes everything there is (as `tokenmeter daily` does without a daemon) and reads what is stored. */
async function indexed(store: SqliteStore): Promise<Record<string, number>> {
  await refreshIndex(store, discoverClaudeFiles(env).files, { host: 'churn' });
  const rows = store.db.prepare('SELECT dedup_key AS k, output FROM events ORDER BY dedup_key').all() as Array<{ k: string; output: number }>;
  return Object.fromEntries(rows.map((r) => [r.k, r.output]));
}

function daily(): Promise<{ requests: number; outputTokens: number }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [cli, 'daily', '--json'], { env });
    let out = '';
    let err = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out).totals) : reject(new Error(`daily exited ${code}: ${err}`))));
  });
}

async function startDaemon(port: number): Promise<ChildProcess> {
  const c = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--no-grpc', '--no-snapshot', '--sweep-interval', '1'], { env, stdio: 'ignore' });
  await waitFor('the daemon to answer', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) || undefined, 60_000);
  return c;
}

async function stopDaemon(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  c.kill(signal);
  await exited(c);
}

describe('exactly once under churn', () => {
  it(`matches the model after every few of ${STEPS} random steps, with the daemon killed and restarted under it`, async () => {
    const r = rng(SEED);
    const world = new World(r, roots, join(dir.path, 'scratch'));
    const ops: Record<string, number> = {};
    let store: SqliteStore | undefined = new SqliteStore(index);
    let checks = 0;
    const check = async (where: string) => {
      store ??= new SqliteStore(index);
      expect(await indexed(store), where).toEqual(world.expected());
      world.synced_();
      checks++;
    };
    for (let i = 0; i < STEPS; i++) {
      if (i > 0 && i % DAEMON_EVERY === 0) {
        // A stretch with the daemon following the files as they change, killed and restarted at random moments.
        await store?.close();
        store = undefined;
        const port = await freePort();
        let daemon = await startDaemon(port);
        for (let k = 0; k < DAEMON_STEPS; k++, i++) {
          const op = world.step();
          ops[op] = (ops[op] ?? 0) + 1;
          if (r() < 0.3) await new Promise((res) => setTimeout(res, Math.floor(r() * 15)));
          if (r() < 0.03) {
            await stopDaemon(daemon, 'SIGKILL');
            ops['daemon killed'] = (ops['daemon killed'] ?? 0) + 1;
            daemon = await startDaemon(port);
          }
        }
        await stopDaemon(daemon, r() < 0.5 ? 'SIGKILL' : 'SIGTERM');
        await check(`after a daemon stretch ending at step ${i}`);
        await store!.close();
        store = undefined;
        // The report a user runs, from its own process.
        const totals = await daily();
        const expected = Object.values(world.expected());
        expect(totals, `daily --json at step ${i}`).toMatchObject({ requests: expected.length, outputTokens: expected.reduce((a, b) => a + b, 0) });
        continue;
      }
      const op = world.step();
      ops[op] = (ops[op] ?? 0) + 1;
      if (r() < 0.25) await check(`step ${i} (${op})`);
    }
    await check('the end');
    await store?.close();
    // The walk did what it is meant to: every kind of step, many times.
    for (const op of ['append', 'half-written line', 'complete a half-written line', 'rename', 'truncate', 'rewrite in place', 'replace by a new file', 'copy', 'delete', 'daemon killed']) {
      expect(ops[op] ?? 0, op).toBeGreaterThan(op === 'daemon killed' ? 2 : 15);
    }
    expect(checks).toBeGreaterThan(350);
    expect(Object.keys(world.expected()).length).toBeGreaterThan(500);
  }, 300_000);
});
