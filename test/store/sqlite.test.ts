import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/core/event.js';
import { buildReport, type CostMode } from '../../src/core/report.js';
import { offsetSegments } from '../../src/core/time.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite-migrations.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { DirListing } from '../../src/sources/discovery.js';
import type { PricedEvent } from '../../src/store/store.js';
import { tempDir } from '../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let fileId: number;

beforeEach(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, 'index.sqlite'));
  [fileId] = await store.registerFiles(['/logs/a.jsonl']) as [number];
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

function ev(over: Partial<PricedEvent> = {}): PricedEvent {
  const base: UsageEvent = {
    ts: Date.parse('2026-03-02T14:05:11Z'), tool: 'claude-code', source: 'transcript', host: 'h', sessionId: 's1',
    project: '/home/ana/api', model: 'claude-sonnet-4-5', input: 10, output: 100, cacheRead: 1000, cacheWrite5m: 50,
    cacheWrite1h: 0, reasoning: 0, speed: 'standard', reportedCost: null, dedupKey: 'm1', requestId: 'r1', isSidechain: false,
  };
  return { ...base, calcCost: 0.01, fileId, ...over };
}

async function write(events: PricedEvent[]) {
  await store.commit({ replacedFileIds: [], events, checkpoints: [] });
  await store.settle();
}

async function report(period: 'daily' | 'session', mode: CostMode = 'auto', timeZone = 'UTC') {
  const range = await store.timeRange({});
  const rows = period === 'session'
    ? await store.usage({}, { by: 'session' })
    : range ? await store.usage({}, { by: 'day', offsets: offsetSegments(timeZone, range.from, range.to) }) : [];
  return buildReport(rows, { period, mode, timeZone, startOfWeek: 'sunday', order: 'asc' });
}

describe('SqliteStore', () => {
  it('creates a versioned schema and reopens it', async () => {
    await store.close();
    const raw = new Database(join(dir.path, 'index.sqlite'));
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    store = new SqliteStore(join(dir.path, 'index.sqlite'));
    expect(await store.eventCount()).toBe(0);
  });

  it('refuses an index written by a newer version rather than damaging it', async () => {
    await store.close();
    const raw = new Database(join(dir.path, 'index.sqlite'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => new SqliteStore(join(dir.path, 'index.sqlite'))).toThrow(/newer than this tokenmeter knows/);
    store = new SqliteStore(join(dir.path, 'other.sqlite'));
  });

  it('keeps the larger copy on conflict, and a fast copy on a tie', async () => {
    await write([ev({ output: 500 })]);
    await write([ev({ output: 100 })]);
    expect((await report('daily')).totals.outputTokens).toBe(500);
    await write([ev({ output: 500, speed: 'fast', calcCost: 0.06 })]);
    const r = await report('daily', 'calculate');
    expect([r.totals.outputTokens, r.totals.totalCost]).toEqual([500, 0.06]);
  });

  it('keeps a main-chain copy over a sidechain one, whatever their sizes and order', async () => {
    await write([ev({ dedupKey: 'a', output: 100 })]);
    await write([ev({ dedupKey: 'a', output: 500, isSidechain: true })]);
    await write([ev({ dedupKey: 'b', output: 500, isSidechain: true })]);
    await write([ev({ dedupKey: 'b', output: 100 })]);
    const rows = store.db.prepare('SELECT dedup_key AS k, output, is_sidechain AS side FROM events ORDER BY k').all();
    expect(rows).toEqual([{ k: 'a', output: 100, side: 0 }, { k: 'b', output: 100, side: 0 }]);
    expect((await report('daily')).totals.outputTokens).toBe(200);
  });

  it('uses the logged cost in auto mode, the computed one in calculate mode, only logged ones in display mode', async () => {
    await write([
      ev({ dedupKey: 'a', reportedCost: 0.5, calcCost: 0.2 }),
      ev({ dedupKey: 'b', reportedCost: null, calcCost: 0.3 }),
      ev({ dedupKey: 'c', reportedCost: null, calcCost: null, model: 'mystery-model' }),
    ]);
    const auto = await report('daily', 'auto');
    expect(auto.totals.totalCost).toBeCloseTo(0.8, 12);
    expect(auto.totals.costUnknown).toBe(true);
    expect(auto.unknownModels).toEqual(['mystery-model']);
    expect((await report('daily', 'calculate')).totals.totalCost).toBeCloseTo(0.5, 12);
    const display = await report('daily', 'display');
    expect([display.totals.totalCost, display.totals.costUnknown]).toEqual([0.5, false]);
  });

  it('groups by the local day of the chosen zone, across a DST change', async () => {
    await write([
      ev({ dedupKey: 'late', ts: Date.parse('2026-03-08T04:59:00Z') }), // 23:59 on the 7th in New York (EST)
      ev({ dedupKey: 'dst', ts: Date.parse('2026-03-09T03:30:00Z') }), // 23:30 on the 8th (EDT)
      ev({ dedupKey: 'next', ts: Date.parse('2026-03-09T04:00:00Z') }), // 00:00 on the 9th
    ]);
    const ny = await report('daily', 'auto', 'America/New_York');
    expect(ny.rows.map((r) => [r.key, r.requests])).toEqual([['2026-03-07', 1], ['2026-03-08', 1], ['2026-03-09', 1]]);
    const utc = await report('daily', 'auto', 'UTC');
    expect(utc.rows.map((r) => [r.key, r.requests])).toEqual([['2026-03-08', 1], ['2026-03-09', 2]]);
  });

  it('keeps the rollup equal to the events after updates and replacements', async () => {
    await write([ev({ dedupKey: 'x1' }), ev({ dedupKey: 'x2', ts: Date.parse('2026-03-03T01:00:00Z') })]);
    await write([ev({ dedupKey: 'x1', output: 900 })]);
    const [other] = await store.registerFiles(['/logs/b.jsonl']);
    await write([ev({ dedupKey: 'y1', fileId: other, sessionId: 's2' })]);
    await store.commit({ replacedFileIds: [fileId], events: [ev({ dedupKey: 'x3', output: 7 })], checkpoints: [] });
    await store.settle();
    const direct = store.db.prepare('SELECT COUNT(*) AS n, SUM(output) AS out FROM events').get();
    const rolled = store.db.prepare('SELECT SUM(requests) AS n, SUM(output) AS out FROM usage_rollup').get();
    expect(rolled).toEqual(direct);
    expect(direct).toEqual({ n: 2, out: 107 });
    const sessions = await report('session');
    expect(sessions.rows.map((r) => [r.key, r.outputTokens, r.lastActivity])).toEqual([['s1', 7, '2026-03-02'], ['s2', 100, '2026-03-02']]);
  });

  it('rebuilds the rollup on the next open when a run stopped between writing and settling', async () => {
    await write([ev({ dedupKey: 'before' })]);
    await store.commit({ replacedFileIds: [], events: [ev({ dedupKey: 'cut-short', output: 50 })], checkpoints: [] });
    await store.close(); // no settle(): the process died here
    store = new SqliteStore(join(dir.path, 'index.sqlite'));
    await store.settle();
    expect((await report('daily')).totals.outputTokens).toBe(150);
  });

  it('filters by project path or its last segment', async () => {
    await write([ev({ dedupKey: 'p1', project: '/home/ana/api' }), ev({ dedupKey: 'p2', project: '/home/ana/web' })]);
    for (const project of ['/home/ana/web', 'web']) {
      const rows = await store.usage({ project }, { by: 'session' });
      expect(rows.map((r) => r.project)).toEqual(['/home/ana/web']);
    }
  });
});

describe('all-time totals', () => {
  const direct = () => store.db.prepare(`SELECT tool, model, host, COUNT(*) AS requests, SUM(input) AS input, SUM(output) AS output,
      SUM(cache_read) AS cacheRead, SUM(cache_write_5m) AS cacheWrite5m, SUM(cache_write_1h) AS cacheWrite1h, SUM(reasoning) AS reasoning,
      TOTAL(COALESCE(reported_cost, calc_cost)) AS cost FROM events GROUP BY tool, model, host ORDER BY tool, model, host`).all();

  it('follow every write: new events, larger copies, replaced files, models that disappear', async () => {
    await write([ev({ dedupKey: 'a' }), ev({ dedupKey: 'b', model: 'claude-haiku-4-5', ts: Date.parse('2026-03-01T10:00:00Z') })]);
    expect(await store.totals()).toEqual(direct());
    await write([ev({ dedupKey: 'a', output: 500 }), ev({ dedupKey: 'c', host: 'other', calcCost: 0.5 })]);
    expect(await store.totals()).toEqual(direct());
    // The file that held everything is replaced with one event of a third model.
    await store.commit({ replacedFileIds: [fileId], events: [ev({ dedupKey: 'd', model: 'claude-opus-4-5' })], checkpoints: [] });
    await store.settle();
    expect(await store.totals()).toEqual(direct());
    expect((await store.totals()).map((t) => t.model)).toEqual(['claude-opus-4-5']);
  });

  it('are recomputed after a bulk load, when first asked for', async () => {
    await store.beginBulkLoad();
    await store.commit({ replacedFileIds: [], events: [ev({ dedupKey: 'x' }), ev({ dedupKey: 'y', output: 7 })], checkpoints: [] });
    await store.endBulkLoad();
    await store.settle();
    expect(await store.getMeta('totals_stale')).toBe('1');
    expect(await store.totals()).toEqual(direct());
    expect(await store.getMeta('totals_stale')).toBe('0');
  });
});

describe('schema migrations', () => {
  it('bring an index of the first release (schema 2) up to date without losing its events', async () => {
    await store.close();
    const path = join(dir.path, 'old.sqlite');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.exec(MIGRATIONS[1]!);
    raw.pragma('user_version = 2');
    raw.prepare(`INSERT INTO events (dedup_key, ts, tool, source, host, session_id, project, model, speed, input, output, cache_read,
      cache_write_5m, cache_write_1h, reasoning, calc_cost, is_sidechain, request_id) VALUES ('msg_old', ?, 'claude-code', 'transcript', 'h',
      'old-session', '/p', 'claude-sonnet-4-5', 'standard', 1, 2, 3, 4, 0, 0, 0.5, 0, 'req_old')`).run(Date.parse('2026-03-02T10:00:00Z'));
    raw.close();
    store = new SqliteStore(path);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(await store.eventCount()).toBe(1);
    expect(store.db.prepare('SELECT session_id FROM covered_sessions').all()).toEqual([{ session_id: 'old-session' }]);
    await store.settle();
    expect(await store.totals()).toEqual([expect.objectContaining({ model: 'claude-sonnet-4-5', requests: 1, input: 1, output: 2, cost: 0.5 })]);
    expect(await store.requestsBySources()).toEqual([{ sources: 'transcript', requests: 1 }]);
  });
});

describe('folder listings and file stamps', () => {
  it('keeps listings as one document, reading the rows an older index kept until the next save', async () => {
    store.db.prepare('INSERT INTO dir_listings (path, mtime_ms, entries) VALUES (?, ?, ?)').run('/logs', 1000, JSON.stringify([['a.jsonl', 'f']]));
    expect(await store.dirListings()).toEqual(new Map([['/logs', { mtimeMs: 1000, entries: [['a.jsonl', 'f']] }]]));
    await store.saveDirListings({ changed: new Map([['/logs/sub', { mtimeMs: 2000, entries: [['b.jsonl', 'f'], ['c', 'd']] }]]), removed: [] });
    expect(await store.dirListings()).toEqual(new Map([
      ['/logs', { mtimeMs: 1000, entries: [['a.jsonl', 'f']] }],
      ['/logs/sub', { mtimeMs: 2000, entries: [['b.jsonl', 'f'], ['c', 'd']] }],
    ]));
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM dir_listings').get()).toEqual({ n: 0 });
    await store.saveDirListings({ changed: new Map(), removed: ['/logs'] });
    expect([...(await store.dirListings()).keys()]).toEqual(['/logs/sub']);
  });

  it('holds the write lock from the start of a save, so another process writing meanwhile waits rather than failing it', async () => {
    // Another process's connection, without a busy timeout: it reports a held lock instead of waiting for it.
    const other = new Database(store.path);
    other.pragma('busy_timeout = 0');
    let refused: string | undefined;
    // The listings are walked after the stored ones were read: the other process writes at that moment.
    class WriteMeanwhile extends Map<string, DirListing> {
      override [Symbol.iterator]() {
        try {
          other.prepare(`INSERT INTO meta (key, value) VALUES ('other', '1')`).run();
        } catch (e) {
          refused = (e as { code?: string }).code;
        }
        return super[Symbol.iterator]();
      }
    }
    await store.saveDirListings({ changed: new WriteMeanwhile([['/logs', { mtimeMs: 1000, entries: [['a.jsonl', 'f']] }]]), removed: [] });
    expect(refused).toBe('SQLITE_BUSY');
    expect(await store.dirListings()).toEqual(new Map([['/logs', { mtimeMs: 1000, entries: [['a.jsonl', 'f']] }]]));
    other.close();
  });

  it('gives each file the stamp its checkpoint was taken with', async () => {
    await store.commit({
      replacedFileIds: [], events: [],
      checkpoints: [{ fileId, path: '/logs/a.jsonl', dev: 7, ino: 42, size: 900, mtimeMs: 1234.5, offset: 900, lines: 3, headHash: 'h', tailHash: 't', checkedAt: 5000 }],
    });
    expect(await store.fileStamps()).toEqual(new Map([['/logs/a.jsonl', { dev: 7, ino: 42, size: 900, mtimeMs: 1234.5, checkedAt: 5000 }]]));
  });
});
