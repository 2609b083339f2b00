// The embedded store: one SQLite file in WAL mode, so reports can read while an indexer writes. Reports read a
// rollup by quarter hour, session and model, kept current for the quarter hours each write touches.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KnownPrice, ResolvedPrice } from '../core/pricing.js';
import type { DirListing, DirListings, ListingChanges } from '../sources/discovery.js';
import { QUARTER_HOUR_MS, type OffsetSegment } from '../core/time.js';
import { createSecondaryIndexes, dropSecondaryIndexes, migrate } from './sqlite-migrations.js';
import type { Batch, Checkpoint, Grouping, PricedEvent, PricingInput, Store, UsageFilter, UsageRow } from './store.js';

/** Columns bound per event; tool, source and host, the same for long runs of events, are written into the statement. */
const EVENT_COLUMNS = [
  'dedup_key', 'ts', 'session_id', 'project', 'model', 'speed',
  'input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'reasoning',
  'reported_cost', 'calc_cost', 'is_sidechain', 'request_id', 'file_id',
] as const;
const ORIGIN_COLUMNS = ['tool', 'source', 'host'] as const;

/** Column values of an event, in EVENT_COLUMNS order: positional binding costs half of binding by name. */
function eventValues(e: PricedEvent): unknown[] {
  return [
    e.dedupKey, e.ts, e.sessionId, e.project, e.model, e.speed,
    e.input, e.output, e.cacheRead, e.cacheWrite5m, e.cacheWrite1h, e.reasoning,
    e.reportedCost, e.calcCost, e.isSidechain ? 1 : 0, e.requestId, e.fileId,
  ];
}

const sqlText = (v: string) => `'${v.replaceAll("'", "''")}'`;

const QUERY_CACHE_ENTRIES = 16;

const ROLLUP_SELECT = `SELECT ts / ${QUARTER_HOUR_MS}, tool, host, session_id, project, model, COUNT(*),
    SUM(input), SUM(output), SUM(cache_read), SUM(cache_write_5m), SUM(cache_write_1h), SUM(reasoning),
    TOTAL(calc_cost), SUM(calc_cost IS NULL), TOTAL(reported_cost), TOTAL(COALESCE(reported_cost, calc_cost)),
    SUM(reported_cost IS NULL AND calc_cost IS NULL), MAX(ts)
  FROM events`;

/** SQL for the local day number of a rollup bucket, the zone's offsets inlined as a CASE over bucket ranges. */
function localDayExpression(offsets: OffsetSegment[]): string {
  const q = (ms: number) => Math.round(ms / QUARTER_HOUR_MS);
  const day = (offsetMs: number) => `((bucket + ${q(offsetMs)}) * ${QUARTER_HOUR_MS}) / 86400000`;
  if (offsets.length === 1) return day(offsets[0]!.offsetMs);
  const cases = offsets.slice(1).map((seg, i) => `WHEN bucket < ${q(seg.from)} THEN ${day(offsets[i]!.offsetMs)}`);
  return `CASE ${cases.join(' ')} ELSE ${day(offsets[offsets.length - 1]!.offsetMs)} END`;
}

export interface SqliteOptions {
  /** Page cache per connection. */
  cacheMb?: number;
  /** Create missing secondary indexes on open (off for ingest workers during a bulk load). */
  ensureIndexes?: boolean;
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  /** One upsert per (tool, source, host). */
  private readonly upserts = new Map<string, Database.Statement>();
  private readonly saveCheckpoint: Database.Statement;
  private readonly markStale: Database.Statement;
  private readonly deleteFileEvents: Database.Statement;
  /** Quarter hours whose rollup rows are stale. */
  private dirty = new Set<number>();
  private rebuildAll = false;

  constructor(readonly path: string, opts: SqliteOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma(`cache_size = -${(opts.cacheMb ?? 16) * 1024}`);
    migrate(this.db, opts.ensureIndexes ?? true);
    // Writes mark the rollup stale in their own transaction and settle() clears the mark: a run cut short between
    // the two (a crash, a kill, a failed worker) leaves the mark, and the next one rebuilds the rollup.
    this.markStale = this.db.prepare(`UPDATE meta SET value = '1' WHERE key = 'rollup_stale' AND value <> '1'`);
    if ((this.db.prepare(`SELECT value FROM meta WHERE key = 'rollup_stale'`).get() as { value: string } | undefined)?.value === '1') {
      this.rebuildAll = true;
    }
    this.deleteFileEvents = this.db.prepare(`DELETE FROM events WHERE file_id = ? RETURNING ts / ${QUARTER_HOUR_MS} AS b`);
    this.saveCheckpoint = this.db.prepare(
      `UPDATE files SET dev = @dev, ino = @ino, size = @size, mtime_ms = @mtimeMs, offset = @offset, lines = @lines,
       head_hash = @headHash WHERE id = @fileId AND path = @path`,
    );
  }

  private upsertFor(e: PricedEvent): Database.Statement {
    const key = `${e.tool}\u0000${e.source}\u0000${e.host}`;
    let stmt = this.upserts.get(key);
    if (!stmt) {
      const columns = [...ORIGIN_COLUMNS, ...EVENT_COLUMNS];
      const updates = columns.filter((c) => c !== 'dedup_key').map((c) => `${c} = excluded.${c}`).join(', ');
      const total = (t: string) => `(${t}.input + ${t}.output + ${t}.cache_read + ${t}.cache_write_5m + ${t}.cache_write_1h)`;
      // The same choice as core's shouldReplace: a main-chain copy over a sidechain one, then the larger copy, then
      // on a tie the copy that knows the request ran in fast mode.
      stmt = this.db.prepare(
        `INSERT INTO events (${columns.join(', ')})
         VALUES (${[e.tool, e.source, e.host].map(sqlText).join(', ')}, ${EVENT_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT(dedup_key) DO UPDATE SET ${updates}
         WHERE excluded.is_sidechain < events.is_sidechain
            OR (excluded.is_sidechain = events.is_sidechain AND (${total('excluded')} > ${total('events')}
              OR (${total('excluded')} = ${total('events')} AND events.speed <> 'fast' AND excluded.speed = 'fast')))`,
      );
      this.upserts.set(key, stmt);
    }
    return stmt;
  }

  async checkpoints(): Promise<Map<string, Checkpoint>> {
    const rows = this.db
      .prepare('SELECT id AS fileId, path, dev, ino, size, mtime_ms AS mtimeMs, offset, lines, head_hash AS headHash FROM files')
      .all() as Checkpoint[];
    return new Map(rows.map((r) => [r.path, r]));
  }

  async dirListings(): Promise<DirListings> {
    const rows = this.db.prepare('SELECT path, mtime_ms AS mtimeMs, entries FROM dir_listings').all() as Array<{ path: string; mtimeMs: number; entries: string }>;
    return new Map(rows.map((r) => [r.path, { mtimeMs: r.mtimeMs, entries: JSON.parse(r.entries) as DirListing['entries'] }]));
  }

  async saveDirListings(changes: ListingChanges): Promise<void> {
    if (changes.changed.size === 0 && changes.removed.length === 0) return;
    const put = this.db.prepare('INSERT OR REPLACE INTO dir_listings (path, mtime_ms, entries) VALUES (?, ?, ?)');
    const del = this.db.prepare('DELETE FROM dir_listings WHERE path = ?');
    this.db.transaction(() => {
      for (const [path, l] of changes.changed) put.run(path, l.mtimeMs, JSON.stringify(l.entries));
      for (const path of changes.removed) del.run(path);
    })();
  }

  async registerFiles(paths: string[]): Promise<number[]> {
    const stmt = this.db.prepare('INSERT INTO files (path) VALUES (?) ON CONFLICT(path) DO UPDATE SET path = excluded.path RETURNING id');
    return this.db.transaction(() => paths.map((p) => (stmt.get(p) as { id: number }).id))();
  }

  sharedLocation(): string | null {
    return this.path === ':memory:' ? null : this.path;
  }

  /** The quarter hours this connection wrote to since the last call, for the connection that settles the store. */
  takeTouched(): number[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  async commit(batch: Batch): Promise<void> {
    // Sorted keys turn random b-tree inserts into nearly sequential ones.
    const events = [...batch.events].sort((a, b) => (a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0));
    this.db.transaction(() => {
      for (const id of batch.replacedFileIds) {
        const gone = this.deleteFileEvents.all(id) as Array<{ b: number }>;
        for (const { b } of gone) this.dirty.add(b);
      }
      if (events.length > 0 || batch.replacedFileIds.length > 0) this.markStale.run();
      for (const e of events) this.upsertFor(e).run(eventValues(e));
      for (const cp of batch.checkpoints) this.saveCheckpoint.run(cp);
    })();
    // Tracked even when a full rebuild is due: a worker's connection reports these to the one that settles.
    for (const e of events) this.dirty.add(Math.floor(e.ts / QUARTER_HOUR_MS));
  }

  async beginBulkLoad(): Promise<void> {
    dropSecondaryIndexes(this.db);
    this.rebuildAll = true;
    this.dirty.clear();
  }

  async endBulkLoad(): Promise<void> {
    createSecondaryIndexes(this.db);
  }

  async settle(touchedElsewhere: number[] = []): Promise<void> {
    if (!this.rebuildAll) for (const b of touchedElsewhere) this.dirty.add(b);
    this.db.transaction(() => this.refreshRollup())();
  }

  private refreshRollup(): void {
    if (this.rebuildAll || this.dirty.size > 0) {
      this.db.exec(`UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rollup_version';
        UPDATE meta SET value = '0' WHERE key = 'rollup_stale'`);
    }
    const insert = `INSERT INTO usage_rollup ${ROLLUP_SELECT}`;
    const group = 'GROUP BY 1, tool, host, session_id, project, model';
    if (this.rebuildAll) {
      this.db.exec(`DELETE FROM usage_rollup; ${insert} ${group}`);
    } else if (this.dirty.size > 0) {
      const del = this.db.prepare('DELETE FROM usage_rollup WHERE bucket BETWEEN ? AND ?');
      const add = this.db.prepare(`${insert} WHERE ts >= ? AND ts < ? ${group}`);
      // Contiguous runs of stale quarter hours, each rebuilt with one range query on the time index.
      const buckets = [...this.dirty].sort((a, b) => a - b);
      for (let i = 0; i < buckets.length; ) {
        let j = i;
        while (j + 1 < buckets.length && buckets[j + 1] === buckets[j]! + 1) j++;
        del.run(buckets[i], buckets[j]);
        add.run(buckets[i]! * QUARTER_HOUR_MS, (buckets[j]! + 1) * QUARTER_HOUR_MS);
        i = j + 1;
      }
    }
    this.dirty.clear();
    this.rebuildAll = false;
  }

  async usage(filter: UsageFilter, grouping: Grouping): Promise<UsageRow[]> {
    const where = ['1 = 1'];
    const params: Record<string, unknown> = {};
    if (filter.fromTs !== undefined) {
      where.push('bucket >= @from');
      params.from = Math.floor(filter.fromTs / QUARTER_HOUR_MS);
    }
    if (filter.toTs !== undefined) {
      where.push('bucket < @to');
      params.to = Math.ceil(filter.toTs / QUARTER_HOUR_MS);
    }
    if (filter.project !== undefined) {
      where.push(`(project = @project OR project LIKE '%/' || @project OR project LIKE '%\\' || @project)`);
      params.project = filter.project;
    }
    const group = grouping.by === 'session' ? 'session_id' : localDayExpression(grouping.offsets);
    const sql = `SELECT ${group} AS "group", model, MAX(project) AS project, MAX(last_ts) AS lastTs,
        SUM(requests) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cacheRead,
        SUM(cache_write_5m) AS cacheWrite5m, SUM(cache_write_1h) AS cacheWrite1h, SUM(reasoning) AS reasoning,
        TOTAL(calc_cost) AS calcCost, SUM(calc_unknown) AS calcUnknown, TOTAL(reported_cost) AS reportedCost,
        TOTAL(auto_cost) AS autoCost, SUM(auto_unknown) AS autoUnknown
      FROM usage_rollup WHERE ${where.join(' AND ')} GROUP BY 1, model`;
    // Reports repeat the same queries on an unchanged index (a warm `daily`, a status line): their last answers are
    // kept, tagged with the rollup's version.
    const key = JSON.stringify([sql, params]);
    const version = Number(await this.getMeta('rollup_version'));
    const cached = this.db.prepare('SELECT rows FROM query_cache WHERE key = ? AND rollup_version = ?').get(key, version) as
      { rows: string } | undefined;
    if (cached) return JSON.parse(cached.rows) as UsageRow[];
    const rows = this.db.prepare(sql).all(params) as UsageRow[];
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO query_cache (key, rollup_version, rows, used_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET rollup_version = excluded.rollup_version, rows = excluded.rows, used_at = excluded.used_at`)
        .run(key, version, JSON.stringify(rows), Date.now());
      this.db.exec(`DELETE FROM query_cache WHERE key NOT IN (SELECT key FROM query_cache ORDER BY used_at DESC LIMIT ${QUERY_CACHE_ENTRIES})`);
    })();
    return rows;
  }

  async timeRange(filter: UsageFilter): Promise<{ from: number; to: number } | null> {
    const from = filter.fromTs !== undefined ? Math.floor(filter.fromTs / QUARTER_HOUR_MS) : -1e15;
    const to = filter.toTs !== undefined ? Math.ceil(filter.toTs / QUARTER_HOUR_MS) : 1e15;
    // Two index probes rather than a scan: bucket leads the rollup's key.
    const row = this.db
      .prepare(`SELECT (SELECT bucket FROM usage_rollup WHERE bucket >= @from AND bucket < @to ORDER BY bucket LIMIT 1) AS lo,
        (SELECT bucket FROM usage_rollup WHERE bucket >= @from AND bucket < @to ORDER BY bucket DESC LIMIT 1) AS hi`)
      .get({ from, to }) as { lo: number | null; hi: number | null };
    return row.lo === null || row.hi === null ? null : { from: row.lo * QUARTER_HOUR_MS, to: (row.hi + 1) * QUARTER_HOUR_MS };
  }

  async eventCount(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async loadPrices(): Promise<KnownPrice[]> {
    const rows = this.db.prepare('SELECT model, key, price FROM price_cache').all() as Array<{ model: string; key: number; price: string | null }>;
    return rows.map((r) => ({ model: r.model, key: r.key, price: r.price === null ? null : (JSON.parse(r.price) as ResolvedPrice) }));
  }

  async savePrices(prices: KnownPrice[]): Promise<void> {
    if (prices.length === 0) return;
    const stmt = this.db.prepare('INSERT OR REPLACE INTO price_cache (model, key, price) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const p of prices) stmt.run(p.model, p.key, p.price === null ? null : JSON.stringify(p.price));
    })();
  }

  async reprice(price: (e: PricingInput) => number | null): Promise<number> {
    this.db.exec('DELETE FROM price_cache');
    const rows = this.db
      .prepare(`SELECT id, ts, model, speed, input, output, cache_read AS cacheRead,
        cache_write_5m AS cacheWrite5m, cache_write_1h AS cacheWrite1h, reasoning FROM events`)
      .all() as Array<PricingInput & { id: number }>;
    const update = this.db.prepare('UPDATE events SET calc_cost = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const r of rows) update.run(price(r), r.id);
    })();
    this.rebuildAll = true;
    await this.settle();
    return rows.length;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
