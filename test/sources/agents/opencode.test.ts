// OpenCode's live database, as the daemon meets it: WAL mode with OpenCode still writing, a write transaction open
// while tokenmeter reads, a session deleted and its rowids taken again, a schema this version does not know, and
// the legacy message files of installs that never had the database. The fixture is what OpenCode 1.18.33 wrote.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { openCodeSource } from '../../../src/sources/opencode/source.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

const fixture = join(__dirname, '..', '..', 'fixtures', 'opencode', '1.18.33', 'home');
let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
beforeEach(() => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, 'index.sqlite'));
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

const env = () => ({ HOME: join(dir.path, 'home') });
const dbPath = () => join(dir.path, 'home', '.local', 'share', 'opencode', 'opencode.db');
const index = () => refreshIndex(store, openCodeSource.discover(env(), new Map()).files, { host: 't', now: Date.parse('2026-12-03T00:00:00Z') });
const rows = () => store.db.prepare('SELECT dedup_key AS key, input, output, reasoning, cache_read AS cacheRead, cache_write_5m AS cacheWrite, model, session_id AS session FROM events ORDER BY ts').all() as Array<Record<string, unknown>>;
const hash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Plays OpenCode: a writer in WAL mode that never checkpoints on its own. */
function openCodeWriter() {
  const db = new Database(dbPath());
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  const session = (db.prepare('SELECT id FROM session LIMIT 1').get() as { id: string }).id;
  let n = 0;
  const call = (tokens: object) => {
    const i = ++n;
    const now = Date.parse('2026-12-02T16:00:00Z') + i * 1000;
    db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(`msg_t${i}`, session, now, now,
      JSON.stringify({ role: 'assistant', modelID: 'claude-sonnet-4-5', providerID: 'an', path: { cwd: '/home/user/other', root: '/' }, cost: 0, tokens, time: { created: now, completed: now + 500 } }));
    db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)').run(`prt_t${i}`, `msg_t${i}`, session, now + 400, now + 400,
      JSON.stringify({ type: 'step-finish', reason: 'stop', tokens, cost: 0.5 }));
  };
  return { db, call, session };
}

const tokens = (input: number, output: number, reasoning = 0, read = 0, write = 0) => ({ total: input + output + reasoning + read + write, input, output, reasoning, cache: { read, write } });

describe('OpenCode’s database', () => {
  it('reads what OpenCode adds while it runs, from the WAL, without writing to the database or waiting on its writer', async () => {
    cpSync(fixture, join(dir.path, 'home'), { recursive: true });
    const w = openCodeWriter();
    try {
      expect((await index()).badLines).toBe(0);
      expect(rows()).toHaveLength(3);
      w.call(tokens(100, 20, 10, 5000, 300));
      const before = hash(dbPath());
      const r = await index();
      expect(r.problems).toEqual([]);
      expect(rows().at(-1)).toMatchObject({ key: 'opencode:prt_t1', input: 100, output: 30, reasoning: 10, cacheRead: 5000, cacheWrite: 300, model: 'claude-sonnet-4-5', session: w.session });
      expect(hash(dbPath())).toBe(before); // the new call was in the WAL only, and reading did not move it
      // A write transaction open while tokenmeter reads: the read neither waits for it nor sees it.
      w.db.exec('BEGIN IMMEDIATE');
      w.call(tokens(7, 7));
      const during = await index();
      expect(during.problems).toEqual([]);
      expect(rows()).toHaveLength(4);
      w.db.exec('COMMIT');
      await index();
      expect(rows()).toHaveLength(5);
      // Its checkpoint moves the WAL into the database: nothing is read twice.
      w.db.pragma('wal_checkpoint(TRUNCATE)');
      await index();
      expect(rows()).toHaveLength(5);
    } finally {
      w.db.close();
    }
  });

  it('counts calls whose rows take the rowids of a deleted session', async () => {
    cpSync(fixture, join(dir.path, 'home'), { recursive: true });
    const w = openCodeWriter();
    try {
      w.call(tokens(1, 1));
      w.call(tokens(2, 2));
      await index();
      expect(rows()).toHaveLength(5);
      // The newest rows go (a deleted session), and new ones take their rowids.
      w.db.exec("DELETE FROM part WHERE id IN ('prt_t1', 'prt_t2')");
      w.call(tokens(3, 3));
      w.call(tokens(4, 4));
      await index();
      // Usage already counted stays counted (it was billed); the new calls are there too.
      expect(rows().map((r) => r.key).filter((k) => String(k).includes('_t'))).toEqual(['opencode:prt_t1', 'opencode:prt_t2', 'opencode:prt_t3', 'opencode:prt_t4']);
    } finally {
      w.db.close();
    }
  });

  it('says so, and goes on, when the schema is not one it knows or a part is malformed', async () => {
    mkdirSync(join(dir.path, 'home', '.local', 'share', 'opencode'), { recursive: true });
    const db = new Database(dbPath());
    db.exec("CREATE TABLE part (id TEXT PRIMARY KEY, payload TEXT); INSERT INTO part VALUES ('p1', '{}')");
    db.close();
    const r = await index();
    expect(r.problems.map((p) => p.message)).toEqual([`${dbPath()}: table part has no column message_id, session_id, time_created, data: a schema this version of tokenmeter does not know`]);
    cpSync(fixture, join(dir.path, 'home'), { recursive: true });
    const w = openCodeWriter();
    w.call(tokens(9, 9));
    w.db.prepare("INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES ('prt_bad', 'msg_t1', ?, 1, 1, '{\"type\":\"step-finish\",\"tokens\":')").run(w.session);
    w.db.close();
    const again = await index();
    expect(again.problems.map((p) => p.message)).toEqual([`${dbPath()}: part prt_bad: malformed JSON`]);
    expect(rows()).toHaveLength(4);
  });

  it('reads the legacy message files where there is no database, each message once it completes', async () => {
    const msgDir = join(dir.path, 'home', '.local', 'share', 'opencode', 'storage', 'message', 'ses_1');
    mkdirSync(msgDir, { recursive: true });
    const message = (id: string, completed: boolean, t: object) => JSON.stringify({ id, sessionID: 'ses_1', role: 'assistant', modelID: 'gpt-5', providerID: 'openai', path: { cwd: '/srv/app', root: '/srv/app' }, cost: 0.01, tokens: t, time: { created: Date.parse('2025-12-01T10:00:00Z'), ...(completed ? { completed: Date.parse('2025-12-01T10:00:09Z') } : {}) } });
    writeFileSync(join(msgDir, 'msg_a.json'), message('msg_a', false, tokens(0, 0)));
    writeFileSync(join(msgDir, 'msg_b.json'), message('msg_b', true, tokens(50, 5, 3, 100, 0)));
    await index();
    expect(rows().map((r) => [r.key, r.input, r.output, r.reasoning])).toEqual([['opencode:msg_b', 50, 8, 3]]);
    writeFileSync(join(msgDir, 'msg_a.json'), message('msg_a', true, tokens(60, 6)));
    await index();
    expect(rows().map((r) => r.key).sort()).toEqual(['opencode:msg_a', 'opencode:msg_b']);
  });
});
