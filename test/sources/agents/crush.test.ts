// Crush's per-project databases, built from its real schema (test/fixtures/crush/schema-37f36e9.sql; Crush itself
// cannot be installed here): each top-level session is one record of its cost that grows, with tokens unknown
// (never shown as zero), children's costs not counted twice, times in seconds read as such, and reports marking it.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { crushSource } from '../../../src/sources/crush/source.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

const SCHEMA = readFileSync(join(__dirname, '..', '..', 'fixtures', 'crush', 'schema-37f36e9.sql'), 'utf8');
const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

/** A project's crush.db in WAL mode, as Crush opens it. */
function crushDb(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'crush.db'));
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  return db;
}
const T = Math.floor(Date.parse('2026-11-30T10:00:00Z') / 1000); // Crush stores seconds

describe('Crush', () => {
  it('counts each top-level session’s cost once as it grows, with tokens unknown, found through projects.json', async () => {
    const home = dir.path;
    const web = join(home, 'src', 'web');
    const api = join(home, 'src', 'api');
    mkdirSync(join(home, '.local', 'share', 'crush'), { recursive: true });
    writeFileSync(join(home, '.local', 'share', 'crush', 'projects.json'), JSON.stringify({ projects: [
      { path: web, data_dir: join(web, '.crush'), last_accessed: '2026-11-30T10:00:00Z' },
      { path: api, data_dir: '.crush', last_accessed: '2026-11-30T11:00:00Z' },
      { path: join(home, 'src', 'gone'), data_dir: join(home, 'src', 'gone', '.crush'), last_accessed: '2026-11-01T00:00:00Z' },
    ] }, null, 2));
    const a = crushDb(join(web, '.crush'));
    const session = a.prepare('INSERT INTO sessions (id, parent_session_id, title, message_count, prompt_tokens, completion_tokens, cost, updated_at, created_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)');
    const message = a.prepare('INSERT INTO messages (id, session_id, role, parts, model, provider, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    session.run('s1', null, '[title]', 48000, 900, 0.42, T + 60, T);
    message.run('m1', 's1', 'assistant', '[]', 'claude-sonnet-4-5-20250929', 'anthropic', T + 10, T + 10);
    // A sub-agent's session: its cost is already in its parent's.
    session.run('s1-task', 's1', '[title]', 9000, 100, 0.05, T + 50, T + 20);
    session.run('s2', null, '[title]', 0, 0, 0, T + 5, T + 5); // nothing spent: nothing known
    const b = crushDb(join(api, '.crush'));
    b.prepare('INSERT INTO sessions (id, parent_session_id, title, message_count, prompt_tokens, completion_tokens, cost, updated_at, created_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)')
      .run('s3', '', '[title]', 1000, 10, 0.01, T + 3600, T + 3000);

    const d = crushSource.discover({ HOME: home }, new Map());
    expect(d.problems).toEqual([]);
    expect(d.files.map((f) => [f.path.slice(home.length), f.projectFallback.slice(home.length)]).sort()).toEqual([
      ['/src/api/.crush/crush.db', '/src/api'], ['/src/web/.crush/crush.db', '/src/web'],
    ]);
    const store = new SqliteStore(join(dir.path, 'index.sqlite'));
    const rows = () => store.db.prepare(`SELECT dedup_key AS k, ts, model, input + output + cache_read AS tokens, reported_cost AS cost, calc_cost AS calc,
      tokens_unknown AS unknown, project FROM events ORDER BY k`).all();
    const index = () => refreshIndex(store, crushSource.discover({ HOME: home }, new Map()).files, { host: 'h' });
    // Crush's triggers stamp updated_at with the clock (in seconds) whenever a session's row or its messages change.
    const updatedAt = (id: string) => (a.prepare('SELECT updated_at AS u FROM sessions WHERE id = ?').get(id) as { u: number }).u * 1000;
    expect((await index()).problems).toEqual([]);
    expect(rows()).toEqual([
      { k: 'crush:s1', ts: updatedAt('s1'), model: 'claude-sonnet-4-5-20250929', tokens: 0, cost: 0.42, calc: null, unknown: 1, project: web },
      { k: 'crush:s3', ts: (T + 3600) * 1000, model: 'unknown', tokens: 0, cost: 0.01, calc: null, unknown: 1, project: api },
    ]);

    // The session goes on: its cost grows in place (the gauges move too, and are still not read).
    a.prepare('UPDATE sessions SET cost = 0.97, prompt_tokens = 2000, updated_at = ? WHERE id = ?').run(T + 600, 's1');
    await index();
    expect(rows()[0]).toMatchObject({ k: 'crush:s1', ts: updatedAt('s1'), cost: 0.97 });
    expect(store.db.prepare('SELECT SUM(requests) AS n, SUM(unknown_token_requests) AS u FROM usage_rollup').get()).toEqual({ n: 2, u: 2 });
    // What the API and the dashboard's tables read: the count of records whose tokens are unknown, beside zero counts.
    await store.settle();
    expect(await store.breakdown({}, 'tool')).toEqual([expect.objectContaining({ key: 'crush', requests: 2, input: 0, tokensUnknown: 2, cost: 0.98 })]);
    a.close();
    b.close();
    await store.close();
  });

  it('is reported with its cost and its tokens marked unknown, never as zero', () => {
    const home = dir.path;
    const web = join(home, 'web');
    mkdirSync(join(home, '.local', 'share', 'crush'), { recursive: true });
    writeFileSync(join(home, '.local', 'share', 'crush', 'projects.json'), JSON.stringify({ projects: [{ path: web, data_dir: join(web, '.crush') }] }));
    const db = crushDb(join(web, '.crush'));
    db.prepare("INSERT INTO sessions (id, title, cost, updated_at, created_at) VALUES ('s1', '[title]', 1.25, ?, ?)").run(T, T);
    db.close();
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: join(home, 'none'), TOKENMETER_HOME: join(home, 'tm'), TZ: 'UTC', NO_COLOR: '1' }, encoding: 'utf8' });
    const json = JSON.parse(run(['daily', '--json', '--since', '20261130', '--until', '20261130']).stdout);
    expect(json.daily[0]).toMatchObject({ date: '2026-11-30', totalCost: 1.25, totalTokens: 0, tokensUnknown: true, requests: 1 });
    expect(json.totals).toMatchObject({ totalCost: 1.25, tokensUnknown: true });
    const calculated = JSON.parse(run(['daily', '--json', '--since', '20261130', '--mode', 'calculate']).stdout);
    expect(calculated.totals).toMatchObject({ totalCost: 0, costUnknown: true, tokensUnknown: true });
    const table = run(['daily', '--since', '20261130', '--tool', 'crush']).stdout;
    expect(table).toMatch(/│ 2026-11-30 │ unknown\s+│\s+0\? │\s+0\? │/);
    expect(table).toContain('$1.25');
  });
});
