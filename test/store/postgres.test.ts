// The pooled store against the real PostgreSQL on this machine: the same answers as the embedded store over the same
// events, migrations raced by several daemons, shipments replayed, tombstones, a refused network.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { offsetSegments } from '../../src/core/time.js';
import { Shipper } from '../../src/ingest/shipper.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { PostgresError, PostgresStore } from '../../src/store/postgres/store.js';
import { PooledView } from '../../src/store/pooled-view.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { PricedEvent, UsageFilter, ViewStore } from '../../src/store/store.js';
import { querySchema, testSchema } from '../helpers/postgres.js';
import { tempDir } from '../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
let db: ReturnType<typeof testSchema>;
let local: SqliteStore;
let remote: PostgresStore;
const quiet = { info: () => undefined, warn: () => undefined };

beforeEach(async () => {
  dir = tempDir();
  db = testSchema();
  local = new SqliteStore(join(dir.path, 'index.sqlite'));
  remote = new PostgresStore(db.url);
});
afterEach(async () => {
  await local.close();
  await remote.close();
  await db.drop();
  dir.cleanup();
});

const T0 = Date.parse('2026-03-02T14:05:11Z');
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-5-codex', 'mystery-model-9'];

/** A varied history: days and time zones, models with and without prices, reported costs, sidechains, fast mode. */
function history(host: string, n: number, fileId: number | null, seed = 1): PricedEvent[] {
  let x = seed;
  const rnd = (k: number) => ((x = (x * 1103515245 + 12345) % 2147483648), Math.floor(x / 65536) % k);
  return Array.from({ length: n }, (_, i) => {
    const model = MODELS[rnd(MODELS.length)]!;
    return {
      ts: T0 + i * 7 * 60_000 + rnd(60_000), tool: model.startsWith('gpt') ? 'codex' : 'claude-code', source: 'transcript', host,
      sessionId: `${host}-s${rnd(5)}`, project: `/home/dev/${['api', 'web', 'infra'][rnd(3)]}`, model,
      input: rnd(5000), output: rnd(3000), cacheRead: rnd(90_000), cacheWrite5m: rnd(4000), cacheWrite1h: rnd(3) === 0 ? rnd(2000) : 0,
      reasoning: rnd(500), speed: rnd(10) === 0 ? 'fast' : 'standard', reportedCost: rnd(4) === 0 ? rnd(1000) / 1000 : null,
      dedupKey: `${host}-msg-${i}`, requestId: `req-${host}-${i}`, isSidechain: rnd(8) === 0,
      calcCost: model === 'mystery-model-9' ? null : rnd(5000) / 10_000, fileId, modelFallback: rnd(20) === 0,
    } as PricedEvent;
  });
}

async function commit(store: SqliteStore, events: PricedEvent[], replacedFileIds: number[] = []) {
  await store.commit({ replacedFileIds, events, checkpoints: [] });
  await store.settle();
}

const sortRows = <T>(rows: T[]) => [...rows].map((r) => JSON.stringify(r, Object.keys(r as object).sort())).sort();

/** Every read the views make, in a comparable form. */
async function views(s: ViewStore, filter: UsageFilter = {}) {
  const range = await s.timeRange(filter);
  const round = <T>(rows: T[]) => rows.map((r) => Object.fromEntries(Object.entries(r as object).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v])));
  return {
    range,
    daily: sortRows(round(range ? await s.usage(filter, { by: 'day', offsets: offsetSegments('America/New_York', range.from, range.to) }) : [])),
    sessions: sortRows(round(await s.usage(filter, { by: 'session' }))),
    byModel: sortRows(round(await s.breakdown(filter, 'model'))),
    byHost: sortRows(round(await s.breakdown(filter, 'host'))),
    hourly: sortRows(round(await s.timeBuckets(filter, 3600_000))),
    minutes: sortRows(round(await s.timeBuckets({ ...filter, fromTs: T0, toTs: T0 + 6 * 3600_000 }, 60_000))),
    totals: sortRows(round(await s.totals())),
    since: round([await s.sumSince(T0 + 3 * 86_400_000)]),
    count: await s.eventCount(),
  };
}

describe('PostgresStore', () => {
  it('migrates once when several daemons start together, and records the version', async () => {
    const racers = Array.from({ length: 6 }, () => new PostgresStore(db.url));
    await Promise.all(racers.map((r) => r.ready()));
    await Promise.all(racers.map((r) => r.close()));
    const rows = await querySchema<{ version: number }>(db.schema, 'SELECT version FROM tokenmeter_schema');
    expect(rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
    expect(await remote.eventCount()).toBe(0);
  });

  it('answers every view as the embedded store does over the same shipped events', async () => {
    const [fileA] = await local.registerFiles(['/logs/a.jsonl']);
    await local.enableShipping('pg-1', 'h');
    await commit(local, history('LXC115', 700, fileA!));
    // Larger copies of some requests arrive later (a streamed response's final line), a smaller one does not win.
    const later = history('LXC115', 40, fileA!).map((e) => ({ ...e, output: e.output + 777 }));
    await commit(local, later);
    await commit(local, history('LXC115', 10, fileA!).map((e) => ({ ...e, output: 0, input: 0, cacheRead: 0 })));
    const shipper = new Shipper({ local, remote, host: 'LXC115', version: 't', batch: 128, log: quiet });
    expect(await shipper.drain()).toBe(700);
    expect(await local.shipBacklog()).toBe(0);
    expect(await views(remote)).toEqual(await views(local));
    for (const f of [{ host: 'LXC115' }, { project: 'api' }, { tool: 'codex', fromTs: T0 + 86_400_000 }, { session: 'LXC115-s2' }] as UsageFilter[]) {
      expect(await views(remote, f)).toEqual(await views(local, f));
    }
  });

  it('follows local deletions (a replaced file) with tombstones, and ships a row changed mid-shipment again', async () => {
    const [fileA] = await local.registerFiles(['/logs/a.jsonl']);
    await local.enableShipping('pg-1', 'h');
    await commit(local, history('h1', 50, fileA!));
    const shipper = new Shipper({ local, remote, host: 'h1', version: 't', log: quiet });
    await shipper.drain();
    // The file was rewritten shorter: 30 of its events go, 20 smaller ones come back under the same keys, changed in
    // place (a change, not a delete and an insert).
    const shorter = history('h1', 20, fileA!).map((e) => ({ ...e, output: 1 }));
    await commit(local, shorter, [fileA!]);
    // A shipment read now, then the row changes before it is acknowledged: the change stays queued.
    const s = await local.nextShipment(1000);
    expect(s.tombstones).toHaveLength(30);
    expect(s.rows).toHaveLength(20);
    await remote.ship(s, { host: 'h1', backlog: 0, version: 't' });
    await commit(local, [{ ...shorter[0]!, output: 5000 }]);
    await local.ackShipment(s.seqs);
    expect(await local.shipBacklog()).toBe(1);
    await shipper.drain();
    expect(await views(remote)).toEqual(await views(local));
    expect((await remote.sumSince(0)).output).toBe(19 + 5000);
  });

  it('ships a request that falls back on another file\'s copy as a change, never a tombstone', async () => {
    const [fileA, fileB] = await local.registerFiles(['/logs/s.jsonl', '/logs/s-1.jsonl']);
    await local.enableShipping('pg-1', 'h');
    const rows = history('h1', 40, fileA!);
    await commit(local, rows);
    // The rotated copy holds the same requests, a few with more tokens (a later streaming snapshot).
    await commit(local, rows.map((e, i) => ({ ...e, fileId: fileB!, output: i < 5 ? e.output + 100 : e.output })));
    const shipper = new Shipper({ local, remote, host: 'h1', version: 't', log: quiet });
    expect(await local.getMeta('ship_last_at')).toBeUndefined();
    await shipper.drain();
    // Whoever ships (a report's drain, as here, or the daemon), `tokenmeter status` can say when.
    expect(Date.now() - Number(await local.getMeta('ship_last_at'))).toBeLessThan(3_600_000);
    // The old name is started anew: its requests fall back on the rotated copy.
    await commit(local, [], [fileA!]);
    const s = await local.nextShipment(1000);
    expect(s.tombstones).toEqual([]);
    await shipper.drain();
    expect(await views(remote)).toEqual(await views(local));
    expect((await remote.sumSince(0)).requests).toBe(40);
  });

  it('follows changes that keep a row its size: prices recomputed, one more source', async () => {
    await local.enableShipping('pg-1', 'h');
    await commit(local, history('h1', 120, null));
    const shipper = new Shipper({ local, remote, host: 'h1', version: 't', log: quiet });
    await shipper.drain();
    expect(await local.reprice((e) => (e.model === 'mystery-model-9' ? null : e.output / 1e6))).toBe(120);
    expect(await local.shipBacklog()).toBe(120);
    await shipper.drain();
    expect(await views(remote)).toEqual(await views(local));
  });

  it('a shipment applied twice (the acknowledgement lost in a crash) counts once', async () => {
    await local.enableShipping('pg-1', 'h');
    await commit(local, history('h1', 300, null));
    const s = await local.nextShipment(10_000);
    await remote.ship(s, { host: 'h1', backlog: 0, version: 't' });
    const once = await views(remote);
    await remote.ship(s, { host: 'h1', backlog: 0, version: 't' });
    expect(await views(remote)).toEqual(once);
    expect(once).toEqual(await views(local));
  });

  it("pools hosts, and one host's tombstones never delete another's copy", async () => {
    const other = new SqliteStore(join(dir.path, 'other.sqlite'));
    try {
      await local.enableShipping('pg-1', 'h');
      await other.enableShipping('pg-1', 'beta');
      const [fa] = await local.registerFiles(['/logs/a.jsonl']);
      const [fb] = await other.registerFiles(['/logs/b.jsonl']);
      await commit(local, history('alpha', 200, fa!, 3));
      await commit(other, history('beta', 150, fb!, 4));
      // The same request read on both machines (a shared home): counted once, the larger copy.
      const shared = { ...history('alpha', 1, fa!, 9)[0]!, dedupKey: 'shared-msg', output: 10 };
      await commit(local, [shared]);
      await commit(other, [{ ...shared, host: 'beta', fileId: fb!, output: 99 }]);
      const a = new Shipper({ local, remote, host: 'alpha', version: 't', log: quiet });
      const b = new Shipper({ local: other, remote, host: 'beta', version: 't', log: quiet });
      await Promise.all([a.drain(), b.drain()]);
      const sum = async (s: ViewStore) => (await s.breakdown({}, 'tool')).reduce((n, r) => n + r.requests, 0);
      expect(await sum(remote)).toBe(200 + 150 + 1);
      expect((await remote.eventsSince(0)).find((e) => e.sessionId === shared.sessionId && e.output === 99)).toBeTruthy();
      // alpha drops its copy of the shared request (its file replaced): beta's copy stays.
      await commit(local, [], [fa!]);
      await a.drain();
      expect(await sum(remote)).toBe(150 + 1);
      const hosts = await remote.hostFigures(0);
      expect(hosts.map((h) => h.host)).toEqual(['alpha', 'beta']);
      expect(hosts.find((h) => h.host === 'alpha')!.requests).toBe(0);
      expect(hosts.find((h) => h.host === 'alpha')!.lastSeen).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      await other.close();
    }
  });

  it('says which database it cannot reach, and keeps every change queued', async () => {
    await local.enableShipping('pg-1', 'h');
    await commit(local, history('h1', 30, null));
    const refused = new PostgresStore('postgres://postgres:secret@127.0.0.1:1/test');
    try {
      const shipper = new Shipper({ local, remote: refused, host: 'h1', version: 't', log: quiet });
      const err = await shipper.drain().catch((e: Error) => e);
      expect(err).toBeInstanceOf(PostgresError);
      expect((err as Error).message).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
      expect((err as Error).message).not.toContain('secret');
      expect(await local.shipBacklog()).toBe(30);
    } finally {
      await refused.close();
    }
    expect(() => new PostgresStore('not a url')).toThrow(/not a PostgreSQL URL/);
  });

  it('a role that may not create its tables gets a clear error, and the views answer from the local index', async () => {
    await querySchema(db.schema, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tm_noperm') THEN CREATE ROLE tm_noperm LOGIN; END IF; END $$`);
    await local.enableShipping('pg-1', 'h');
    await commit(local, history('h1', 20, null));
    const u = new URL(db.url);
    u.username = 'tm_noperm';
    const denied = new PostgresStore(u.toString());
    try {
      const err = await new Shipper({ local, remote: denied, host: 'h1', version: 't', log: quiet }).drain().catch((e: Error) => e);
      expect(err).toBeInstanceOf(PostgresError);
      expect((err as Error).message).toMatch(/^cannot set up tokenmeter's tables at postgres:\/\/tm_noperm@[^/]+\/\w+\?schema=\w+: permission denied for database \w+$/);
      expect(await local.shipBacklog()).toBe(20);
      const view = new PooledView(denied, local);
      expect(await view.breakdown({}, 'model')).toEqual(await local.breakdown({}, 'model'));
    } finally {
      await denied.close();
    }
  });

  it('a pooled store that stops answering does not hold the views: the local figures come instead, and it is left alone a while', async () => {
    await commit(local, history('h1', 40, null));
    // Accepts connections and never says a word, like a server behind a network that drops packets.
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const dead = new PostgresStore(`postgres://postgres@127.0.0.1:${(silent.address() as { port: number }).port}/test`);
    const downs: Error[] = [];
    const view = new PooledView(dead, local, (e) => downs.push(e), 300);
    try {
      expect(await view.breakdown({}, 'host')).toEqual(await local.breakdown({}, 'host'));
      expect(downs.map((e) => e.message)).toEqual([expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/test did not answer within 300 ms$/)]);
      expect(view.pooled).toBe(false);
      // Not asked again while it is away: the next answers are local at once.
      expect(await view.sumSince(0)).toEqual(await local.sumSince(0));
      expect(downs).toHaveLength(1);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      await dead.close();
    }
  });
});
