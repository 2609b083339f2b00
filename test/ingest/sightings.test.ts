// A request stays counted while any source still holds it: rotated, copied, continued and rewritten transcripts, and
// telemetry copies of a transcript's requests. And a file rewritten in place is never taken for an append.
import { appendFileSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/core/event.js';
import { refreshIndex } from '../../src/ingest/indexer.js';
import { discoverClaudeFiles } from '../../src/sources/claude-code/discover.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { assistantLine, tempDir, userLine } from '../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let root: string;
let project: string;

beforeEach(() => {
  dir = tempDir();
  root = join(dir.path, 'claude');
  project = join(root, 'projects', '-home-ana-api');
  mkdirSync(project, { recursive: true });
  store = new SqliteStore(join(dir.path, 'home', 'index.sqlite'));
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

async function index(roots = root, now?: number) {
  const discovery = discoverClaudeFiles({ CLAUDE_CONFIG_DIR: roots, HOME: dir.path });
  return refreshIndex(store, discovery.files, { host: 'test-host', now });
}

/** Stored requests by message id, with their output tokens. */
function stored(): Record<string, number> {
  const rows = store.db.prepare('SELECT dedup_key AS k, output FROM events ORDER BY dedup_key').all() as Array<{ k: string; output: number }>;
  return Object.fromEntries(rows.map((r) => [r.k, r.output]));
}

const line = (id: string, output: number, o: Parameters<typeof assistantLine>[0] = {}) =>
  assistantLine({ messageId: id, requestId: `req_${id}`, output, ...o });
const lines = (...ls: string[]) => ls.join('\n') + '\n';
const session = (name = 's') => join(project, `${name}.jsonl`);

describe('a request stays counted while any source holds it', () => {
  it('keeps a rotated file\'s requests when a new file starts under the old name', async () => {
    writeFileSync(session(), lines(line('m1', 10), line('m2', 20), line('m3', 30)));
    await index();
    // As a daemon sees it: the rename first, then the new file.
    renameSync(session(), session('s-1'));
    await index();
    writeFileSync(session(), lines(line('m4', 40)));
    await index();
    expect(stored()).toEqual({ m1: 10, m2: 20, m3: 30, m4: 40 });
  });

  it('keeps them whichever of the two files is read first, and across separate runs', async () => {
    writeFileSync(session(), lines(line('m1', 10), line('m2', 20)));
    await index();
    // The rotated copy is read in one run, the new file in the next.
    copyFileSync(session(), session('a-rotated'));
    await index();
    writeFileSync(session(), lines(line('m3', 30)));
    await index();
    expect(stored()).toEqual({ m1: 10, m2: 20, m3: 30 });
  });

  it('keeps a session reachable under a second root when the first copy is truncated', async () => {
    writeFileSync(session(), lines(line('m1', 10), line('m2', 20), line('m3', 30)));
    const other = join(dir.path, 'other', 'projects', '-home-ana-api');
    mkdirSync(other, { recursive: true });
    copyFileSync(session(), join(other, 's.jsonl'));
    await index([root, join(dir.path, 'other')].join(','));
    truncateSync(session(), 0);
    await index([root, join(dir.path, 'other')].join(','));
    expect(stored()).toEqual({ m1: 10, m2: 20, m3: 30 });
  });

  it('keeps the earlier messages a continued session copied when the original is rewritten', async () => {
    writeFileSync(session(), lines(line('m1', 10), line('m2', 20)));
    await index();
    writeFileSync(session('continued'), lines(line('m1', 10, { requestId: null, sessionId: 'continued' }), line('m2', 20, { requestId: null, sessionId: 'continued' }), line('m3', 30, { sessionId: 'continued' })));
    await index();
    writeFileSync(session(), lines(line('m9', 90)));
    await index();
    expect(stored()).toEqual({ m1: 10, m2: 20, m3: 30, m9: 90 });
  });

  it('falls back on the best remaining copy (main chain first, then the largest)', async () => {
    writeFileSync(session(), lines(line('m1', 500)));
    writeFileSync(session('b'), lines(line('m1', 40)));
    writeFileSync(session('c'), lines(line('m1', 70)));
    writeFileSync(session('d'), lines(line('m1', 900, { isSidechain: true })));
    await index();
    expect(stored()).toEqual({ m1: 500 });
    truncateSync(session(), 0);
    await index();
    expect(stored()).toEqual({ m1: 70 });
    expect(store.db.prepare('SELECT f.path FROM events e JOIN files f ON f.id = e.file_id').get()).toEqual({ path: session('c') });
  });

  it('keeps the copy of a deleted file as the last one standing', async () => {
    writeFileSync(session(), lines(line('m1', 10)));
    await index();
    writeFileSync(session('old'), lines(line('m1', 10), line('m2', 20)));
    await index();
    rmSync(session('old'));
    await index();
    truncateSync(session(), 0);
    await index();
    expect(stored()).toEqual({ m1: 10, m2: 20 });
  });

  it('drops a request that only the replaced file held', async () => {
    writeFileSync(session(), lines(line('m1', 10), line('m2', 20)));
    writeFileSync(session('b'), lines(line('m1', 10)));
    await index();
    writeFileSync(session(), lines(userLine()));
    await index();
    expect(stored()).toEqual({ m1: 10 });
  });

  it('changes in place the rows of a file rewritten with the same requests (no delete and insert)', async () => {
    writeFileSync(session(), lines(line('m1', 10), line('m2', 20)));
    await index();
    writeFileSync(session('later'), lines(line('m9', 90)));
    await index();
    const ids = store.db.prepare('SELECT dedup_key, id FROM events ORDER BY 1').all();
    writeFileSync(session(), lines(userLine(), line('m1', 11), line('m2', 20)));
    await index();
    expect(store.db.prepare('SELECT dedup_key, id FROM events ORDER BY 1').all()).toEqual(ids);
    expect(stored()).toEqual({ m1: 11, m2: 20, m9: 90 });
  });

  it('counts the telemetry copy of a request again when its transcript copy goes', async () => {
    const [fileId] = await store.registerFiles([session()]);
    const base: UsageEvent = {
      ts: Date.parse('2026-03-02T14:05:11Z'), tool: 'claude-code', source: 'otlp', host: 'h', sessionId: 's', project: '',
      model: 'claude-sonnet-4-5', speed: 'standard', input: 4, output: 210, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0,
      reasoning: 0, reportedCost: 0.01, dedupKey: 'otlp:req_1', requestId: 'req_1', isSidechain: false,
    };
    const commit = (e: UsageEvent, fid: number | null, replaced: number[] = []) =>
      store.commit({ replacedFileIds: replaced, checkpoints: [], events: [{ ...e, calcCost: 0.02, fileId: fid }] });
    await commit(base, null);
    await commit({ ...base, source: 'transcript', dedupKey: 'msg_1', project: '/home/ana/api', output: 212 }, fileId!);
    expect(store.db.prepare('SELECT dedup_key, output, sources FROM events').all()).toEqual([{ dedup_key: 'msg_1', output: 212, sources: 'transcript,otlp' }]);
    // The transcript is emptied: only telemetry still holds the request.
    await store.commit({ replacedFileIds: [fileId!], checkpoints: [], events: [] });
    expect(store.db.prepare('SELECT dedup_key, output, source FROM events').all()).toEqual([{ dedup_key: 'otlp:req_1', output: 210, source: 'otlp' }]);
    // The transcript copy comes back (the file is read again): it takes the telemetry copy's place once more.
    await commit({ ...base, source: 'transcript', dedupKey: 'msg_1', project: '/home/ana/api', output: 212 }, fileId!);
    expect(store.db.prepare('SELECT dedup_key, output, sources FROM events').all()).toEqual([{ dedup_key: 'msg_1', output: 212, sources: 'transcript,otlp' }]);
    // Telemetry that arrives after the transcript is kept as a sighting too.
    await commit({ ...base, dedupKey: 'otlp:req_2', requestId: 'req_2', output: 5 }, null);
    await store.settle();
    expect((await store.sumSince(0)).requests).toBe(2);
  });
});

describe('a file rewritten in place', () => {
  // A first line longer than the head fingerprint (1 KB), kept as it is by the rewrite.
  const head = userLine('x'.repeat(1500));

  it('is read again from the start when it keeps its first KB and grows', async () => {
    writeFileSync(session(), lines(head, line('m1', 10), line('m2', 20)));
    await index();
    writeFileSync(session(), lines(head, line('m1', 10), line('m3', 30), line('m4', 40), line('m5', 50)));
    const stats = await index();
    expect(stats.filesReplaced).toBe(1);
    expect(stats.badLines).toBe(0);
    expect(stored()).toEqual({ m1: 10, m3: 30, m4: 40, m5: 50 });
  });

  it('is noticed when it keeps its size and its mtime (written again within one timestamp tick)', async () => {
    writeFileSync(session(), lines(head, line('m1', 10), line('m2', 20)));
    await index();
    const { mtime } = statSync(session());
    // The same length, other requests, and the mtime a coarse clock gives a write in the same tick.
    writeFileSync(session(), lines(head, line('m1', 10), line('m9', 20)));
    utimesSync(session(), mtime, mtime);
    const stats = await index();
    expect(stats.filesReplaced).toBe(1);
    expect(stored()).toEqual({ m1: 10, m9: 20 });
    // Looked at once its mtime is well behind (the clock moved on), it is settled: from then on it is not read at all.
    const later = Date.now() + 5000;
    await index(root, later);
    const again = await index(root, later);
    expect([again.filesRead, again.bytesRead]).toEqual([0, 0]);
  });

  it('is still an append when only new lines follow what was read', async () => {
    writeFileSync(session(), lines(head, line('m1', 10)));
    await index();
    appendFileSync(session(), lines(line('m2', 20)));
    const stats = await index();
    expect(stats.filesReplaced).toBe(0);
    expect(stats.bytesRead).toBe(line('m2', 20).length + 1);
    expect(stored()).toEqual({ m1: 10, m2: 20 });
  });

  it('is noticed after a line too long to keep, and after a half-written line', async () => {
    writeFileSync(session(), lines(head, line('m1', 10)) + line('m2', 20).slice(0, 50));
    await index();
    expect(stored()).toEqual({ m1: 10 });
    writeFileSync(session(), lines(head, line('m7', 70), line('m2', 20)));
    await index();
    expect(stored()).toEqual({ m7: 70, m2: 20 });
  });
});

describe('records no request can have', () => {
  it('are bad lines, reported where they are, and stop nothing', async () => {
    writeFileSync(session(), lines(
      line('m1', 10),
      line('huge', 5e18),
      line('m2', 20),
      line('inf', 1e308),
      line('old', 5, { timestamp: '2019-05-01T00:00:00.000Z' }),
      line('future', 5, { timestamp: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
      line('big-cache', 5, { cacheRead: 2e10 }),
      line('m3', 30),
    ));
    const stats = await index();
    expect(stats.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'output is 5000000000000000000, more than any request can have (10^10)'],
      [4, 'output is 1e+308, more than any request can have (10^10)'],
      [5, 'timestamp 2019-05-01T00:00:00.000Z is before 2023'],
      [6, expect.stringMatching(/^timestamp .* is more than a day ahead/)],
      [7, 'cacheRead is 20000000000, more than any request can have (10^10)'],
    ]);
    expect(stored()).toEqual({ m1: 10, m2: 20, m3: 30 });
    await store.settle();
    expect((await store.totals())[0]).toMatchObject({ requests: 3, output: 60 });
  });

  it('are dropped from an index an older version stored them in, so that sums work again', async () => {
    const path = join(dir.path, 'old', 'index.sqlite');
    const old = new SqliteStore(path);
    await old.commit({ replacedFileIds: [], checkpoints: [], events: [] });
    const ev = (k: string, output: number) => ({
      ts: Date.parse('2026-03-02T14:05:11Z'), tool: 'claude-code' as const, source: 'transcript' as const, host: 'h', sessionId: 's',
      project: 'p', model: 'claude-sonnet-4-5', speed: 'standard' as const, input: 1, output, cacheRead: 0, cacheWrite5m: 0,
      cacheWrite1h: 0, reasoning: 0, reportedCost: null, dedupKey: k, requestId: null, isSidechain: false, calcCost: 0, fileId: null,
    });
    await old.commit({ replacedFileIds: [], checkpoints: [], events: [ev('a', 5), ev('b', 5e18), ev('c', 5e18)] });
    // As an older version left it: schema 9, the absurd rows stored, the rollup unable to sum them.
    old.db.pragma('user_version = 9');
    old.db.exec(`DROP TABLE sightings; DROP INDEX IF EXISTS events_file;
      CREATE TABLE sightings (request_id TEXT NOT NULL, source TEXT NOT NULL, ts INTEGER NOT NULL, session_id TEXT NOT NULL,
        model TEXT NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_read INTEGER NOT NULL,
        cache_write INTEGER NOT NULL, reported_cost REAL, PRIMARY KEY (request_id, source)) WITHOUT ROWID;
      ALTER TABLE files DROP COLUMN tail_hash; ALTER TABLE files DROP COLUMN checked_at;
      ALTER TABLE events DROP COLUMN tokens_unknown; ALTER TABLE events DROP COLUMN credits;
      ALTER TABLE usage_rollup DROP COLUMN unknown_token_requests; ALTER TABLE usage_rollup DROP COLUMN credits;
      DROP TABLE telemetry_sessions; DROP TABLE alerts_sent`);
    expect(() => old.db.prepare('SELECT SUM(output) FROM events').get()).toThrow(/integer overflow/);
    await old.close();
    const reopened = new SqliteStore(path);
    try {
      await reopened.settle();
      expect((await reopened.totals()).map((t) => [t.requests, t.output])).toEqual([[1, 5]]);
    } finally {
      await reopened.close();
    }
  });
});
