// The embedded store: one SQLite file in WAL mode, so reports can read while an indexer writes.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { QUARTER_HOUR_MS } from '../core/time.js';
import { createSecondaryIndexes, dropSecondaryIndexes, migrate } from './sqlite-migrations.js';
import { eventValues, STAGED_COLUMNS } from './sqlite-staging.js';
import type { Batch, Checkpoint, Grouping, PricingInput, Store, UsageFilter, UsageRow } from './store.js';

const EVENT_COLUMNS = STAGED_COLUMNS;

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly upsertClause: string;
  private readonly saveCheckpoint: Database.Statement;
  private readonly deleteFileEvents: Database.Statement;
  private sidechainsDirty = false;
  private unsupersedeNeeded = false;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('cache_size = -65536');
    migrate(this.db);
    const placeholders = EVENT_COLUMNS.map(() => '?').join(', ');
    const updates = EVENT_COLUMNS.filter((c) => c !== 'dedup_key').map((c) => `${c} = excluded.${c}`).join(', ');
    // The larger copy of a request wins; on a tie, the copy that knows the request ran in fast mode.
    this.upsertClause = `ON CONFLICT(dedup_key) DO UPDATE SET ${updates}
       WHERE excluded.total > events.total OR (excluded.total = events.total AND events.speed <> 'fast' AND excluded.speed = 'fast')`;
    this.upsert = this.db.prepare(`INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${placeholders}) ${this.upsertClause}`);
    this.saveCheckpoint = this.db.prepare(
      `UPDATE files SET dev = @dev, ino = @ino, size = @size, mtime_ms = @mtimeMs, offset = @offset, lines = @lines,
       head_hash = @headHash WHERE id = @fileId AND path = @path`,
    );
    this.deleteFileEvents = this.db.prepare('DELETE FROM events WHERE file_id = ?');
  }

  async checkpoints(): Promise<Map<string, Checkpoint>> {
    const rows = this.db
      .prepare('SELECT id AS fileId, path, dev, ino, size, mtime_ms AS mtimeMs, offset, lines, head_hash AS headHash FROM files')
      .all() as Checkpoint[];
    return new Map(rows.map((r) => [r.path, r]));
  }

  async registerFile(path: string): Promise<number> {
    const row = this.db
      .prepare(`INSERT INTO files (path) VALUES (?) ON CONFLICT(path) DO UPDATE SET path = excluded.path RETURNING id`)
      .get(path) as { id: number };
    return row.id;
  }

  async commit(batch: Batch): Promise<void> {
    // Sorted keys turn random b-tree inserts into nearly sequential ones.
    const events = [...batch.events].sort((a, b) => (a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0));
    this.db.transaction(() => {
      for (const id of batch.replacedFileIds) {
        if (this.deleteFileEvents.run(id).changes > 0) this.unsupersedeNeeded = true;
      }
      // Positional parameters: binding by name costs twice as much.
      for (const e of events) this.upsert.run(eventValues(e));
      for (const cp of batch.checkpoints) this.saveCheckpoint.run(cp);
    })();
    if (events.length > 0) this.sidechainsDirty = true;
  }

  async importStaged(paths: string[], batch: Omit<Batch, 'events'>): Promise<void> {
    const schemas = paths.map((_, i) => `staged_${i}`);
    paths.forEach((p, i) => this.db.prepare(`ATTACH DATABASE ? AS ${schemas[i]}`).run(p));
    try {
      const cols = EVENT_COLUMNS.join(', ');
      const source = schemas.map((s) => `SELECT ${cols} FROM ${s}.staged`).join(' UNION ALL ');
      this.db.transaction(() => {
        for (const id of batch.replacedFileIds) {
          if (this.deleteFileEvents.run(id).changes > 0) this.unsupersedeNeeded = true;
        }
        // WHERE true: SQLite's grammar needs it between a SELECT and an upsert clause.
        const changes = this.db.prepare(
          `INSERT INTO events (${cols}) SELECT * FROM (${source}) WHERE true ORDER BY dedup_key ${this.upsertClause}`,
        ).run().changes;
        if (changes > 0) this.sidechainsDirty = true;
        for (const cp of batch.checkpoints) this.saveCheckpoint.run(cp);
      })();
    } finally {
      for (const s of schemas) this.db.exec(`DETACH DATABASE ${s}`);
    }
  }

  async beginBulkLoad(): Promise<void> {
    dropSecondaryIndexes(this.db);
  }

  async endBulkLoad(): Promise<void> {
    createSecondaryIndexes(this.db);
  }

  async resolveSidechains(): Promise<void> {
    if (!this.sidechainsDirty && !this.unsupersedeNeeded) return;
    this.db.transaction(() => {
      if (this.unsupersedeNeeded) this.db.exec('UPDATE events SET superseded = 0 WHERE superseded = 1');
      this.db.exec(`UPDATE events SET superseded = 1
        WHERE is_sidechain = 1 AND superseded = 0 AND message_id IS NOT NULL AND EXISTS (
          SELECT 1 FROM events m WHERE m.message_id = events.message_id AND m.is_sidechain = 0 AND m.dedup_key <> events.dedup_key)`);
    })();
    this.sidechainsDirty = false;
    this.unsupersedeNeeded = false;
  }

  async usage(filter: UsageFilter, grouping: Grouping): Promise<UsageRow[]> {
    const where = ['superseded = 0'];
    const params: Record<string, unknown> = {};
    if (filter.fromTs !== undefined) {
      where.push('ts >= @fromTs');
      params.fromTs = filter.fromTs;
    }
    if (filter.toTs !== undefined) {
      where.push('ts < @toTs');
      params.toTs = filter.toTs;
    }
    if (filter.project !== undefined) {
      where.push(`(project = @project OR project LIKE '%/' || @project OR project LIKE '%\\' || @project)`);
      params.project = filter.project;
    }
    const group = grouping === 'session' ? 'session_id' : `ts / ${QUARTER_HOUR_MS}`;
    const sql = `SELECT ${group} AS "group", model, MAX(project) AS project, MAX(ts) AS lastTs, COUNT(*) AS requests,
        SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cacheRead,
        SUM(cache_write_5m) AS cacheWrite5m, SUM(cache_write_1h) AS cacheWrite1h, SUM(reasoning) AS reasoning,
        TOTAL(calc_cost) AS calcCost, SUM(calc_cost IS NULL) AS calcUnknown,
        TOTAL(reported_cost) AS reportedCost,
        TOTAL(COALESCE(reported_cost, calc_cost)) AS autoCost,
        SUM(reported_cost IS NULL AND calc_cost IS NULL) AS autoUnknown,
        SUM(speed = 'fast') AS fastRequests
      FROM events WHERE ${where.join(' AND ')} GROUP BY 1, model`;
    return this.db.prepare(sql).all(params) as UsageRow[];
  }

  async eventCount(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE superseded = 0').get() as { n: number }).n;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async reprice(price: (e: PricingInput) => number | null): Promise<number> {
    const rows = this.db
      .prepare(`SELECT dedup_key AS dedupKey, ts, model, speed, input, output, cache_read AS cacheRead,
        cache_write_5m AS cacheWrite5m, cache_write_1h AS cacheWrite1h, reasoning FROM events`)
      .all() as PricingInput[];
    const update = this.db.prepare('UPDATE events SET calc_cost = ? WHERE dedup_key = ?');
    this.db.transaction(() => {
      for (const r of rows) update.run(price(r), r.dedupKey);
    })();
    return rows.length;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
