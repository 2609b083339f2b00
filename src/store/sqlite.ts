// The embedded store: one SQLite file in WAL mode, so reports can read while an indexer writes. Reports read a
// rollup by quarter hour, session and model, kept current for the quarter hours each write touches.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sessionTotalKey, shouldReplace, type TokenCounts } from '../core/event.js';
import { outranksSql } from './outranks.js';
import type { KnownPrice, ResolvedPrice } from '../core/pricing.js';
import type { DirListing, DirListings, ListingChanges } from '../sources/discovery.js';
import { QUARTER_HOUR_MS, type OffsetSegment } from '../core/time.js';
import { localDayExpression } from './day-sql.js';
import { createSecondaryIndexes, dropSecondaryIndexes, ensureTelemetryIndex, migrate, needsUpgrade, SHIP_TRIGGERS, TELEMETRY_INDEX } from './sqlite-migrations.js';
import {
  METRIC_KEY_PREFIX, type Batch, type BreakdownKey, type BreakdownRow, type Checkpoint, type CounterValue, type FileStamp, type EventRow,
  type Grouping, type HostFigures, type ImportedHost, type LimitReading, type PricedEvent, type PricingInput, type RequestDisagreement, type SeriesState, type SessionDisagreement, type Shipment, type ShippedEvent,
  type Store, type TimeBucketRow, type TotalsRow, type UsageFilter, type UsageRow,
} from './store.js';

/** Columns bound per event; tool, source and host, the same for long runs of events, are written into the statement. */
const EVENT_COLUMNS = [
  'dedup_key', 'ts', 'session_id', 'project', 'model', 'speed',
  'input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'reasoning',
  'reported_cost', 'calc_cost', 'is_sidechain', 'request_id', 'file_id', 'sources', 'model_fallback', 'tokens_unknown', 'credits',
] as const;
const ORIGIN_COLUMNS = ['tool', 'source', 'host'] as const;

/** Column values of an event, in EVENT_COLUMNS order: positional binding costs half of binding by name. */
function eventValues(e: PricedEvent, sources: string | null): unknown[] {
  return [
    e.dedupKey, e.ts, e.sessionId, e.project, e.model, e.speed,
    e.input, e.output, e.cacheRead, e.cacheWrite5m, e.cacheWrite1h, e.reasoning,
    e.reportedCost, e.calcCost, e.isSidechain ? 1 : 0, e.requestId, e.fileId, sources, e.modelFallback ? 1 : 0, e.tokensUnknown ? 1 : 0, e.credits ?? null,
  ];
}

/** What a sighting keeps of a copy: everything an event is made of but its origin (tool, source, host apart). */
const COPY_COLUMNS = EVENT_COLUMNS.filter((c) => c !== 'file_id' && c !== 'sources');

function copyValues(e: PricedEvent): unknown[] {
  return [
    e.dedupKey, e.ts, e.sessionId, e.project, e.model, e.speed,
    e.input, e.output, e.cacheRead, e.cacheWrite5m, e.cacheWrite1h, e.reasoning,
    e.reportedCost, e.calcCost, e.isSidechain ? 1 : 0, e.requestId, e.modelFallback ? 1 : 0, e.tokensUnknown ? 1 : 0, e.credits ?? null,
  ];
}

/** A stored copy read back in the event model's shape, so that core's shouldReplace can rank it. */
const COPY_SELECT = `dedup_key AS dedupKey, ts, tool, source, host, session_id AS sessionId, project, model, speed, input, output,
  cache_read AS cacheRead, cache_write_5m AS cacheWrite5m, cache_write_1h AS cacheWrite1h, reasoning,
  reported_cost AS reportedCost, calc_cost AS calcCost, is_sidechain AS isSidechain, request_id AS requestId,
  model_fallback AS modelFallback, tokens_unknown AS tokensUnknown, credits`;

// Statements run per request are built once: a statement is found by its text, and a text built anew for each call
// cost more than the statement's own work (Qwen's every call meets its other copy).
const STORED_COPY_SQL = `SELECT id, file_id AS fileId, sources, ${COPY_SELECT} FROM events WHERE dedup_key = ?`;
const SIGHTINGS_SQL = `SELECT origin, ${COPY_SELECT} FROM sightings WHERE dedup_key = ?`;
const REPLACE_EVENT_SQL = `UPDATE events SET ${[...ORIGIN_COLUMNS, ...EVENT_COLUMNS].map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
const PUT_SIGHTING_SQL = `INSERT INTO sightings (origin, tool, source, host, ${COPY_COLUMNS.join(', ')})
  VALUES (?, ?, ?, ?, ${COPY_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT(dedup_key, origin) DO UPDATE SET ${['tool', 'source', 'host', ...COPY_COLUMNS.slice(1)].map((c) => `${c} = excluded.${c}`).join(', ')}
  WHERE ${outranksSql('excluded', 'sightings')}`;

/** The stored event of a request. */
type StoredCopy = PricedEvent & { id: number; sources: string | null };
/** A copy kept as a sighting; origin 0 is telemetry, the proxy or pushed usage. */
type SightingCopy = PricedEvent & { origin: number };

function asCopy<T extends PricedEvent>(row: T): T {
  row.isSidechain = Boolean(row.isSidechain);
  row.modelFallback = Boolean(row.modelFallback);
  row.tokensUnknown = Boolean(row.tokensUnknown);
  return row;
}

/** The key a per-request telemetry event has when it names its request (see sources/otlp). */
const telemetryKey = (requestId: string) => `otlp:${requestId}`;

const EVENT_ROW = `id, ts, tool, source, COALESCE(sources, source) AS sources, host, session_id AS sessionId, project, model,
  input, output, cache_read AS cacheRead, cache_write_5m AS cacheWrite5m, cache_write_1h AS cacheWrite1h, reasoning,
  COALESCE(reported_cost, calc_cost, 0) AS cost`;

const ROLLUP_SUMS = `SUM(requests) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cacheRead,
  SUM(cache_write_5m) AS cacheWrite5m, SUM(cache_write_1h) AS cacheWrite1h, SUM(reasoning) AS reasoning,
  TOTAL(auto_cost) AS cost`;

const BREAKDOWN_COLUMN: Record<BreakdownKey, string> = { model: 'model', project: 'project', session: 'session_id', tool: 'tool', host: 'host' };

/** WHERE clause and parameters over the rollup for a filter. */
function rollupWhere(filter: UsageFilter): { sql: string; params: Record<string, unknown> } {
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
  if (filter.session !== undefined) {
    where.push('session_id = @session');
    params.session = filter.session;
  }
  for (const k of ['tool', 'model', 'host'] as const) {
    if (filter[k] !== undefined) {
      where.push(`${k} = @${k}`);
      params[k] = filter[k];
    }
  }
  return { sql: where.join(' AND '), params };
}

const sqlText = (v: string) => `'${v.replaceAll("'", "''")}'`;

const QUERY_CACHE_ENTRIES = 16;

const ROLLUP_SELECT = `SELECT ts / ${QUARTER_HOUR_MS}, tool, host, session_id, project, model, COUNT(*),
    SUM(input), SUM(output), SUM(cache_read), SUM(cache_write_5m), SUM(cache_write_1h), SUM(reasoning),
    TOTAL(calc_cost), SUM(calc_cost IS NULL), TOTAL(reported_cost), TOTAL(COALESCE(reported_cost, calc_cost)),
    SUM(reported_cost IS NULL AND calc_cost IS NULL), MAX(ts), SUM(model_fallback), SUM(tokens_unknown), TOTAL(credits)
  FROM events`;

export interface SqliteOptions {
  /** Page cache per connection. */
  cacheMb?: number;
  /** Create missing secondary indexes on open (off for ingest workers during a bulk load). */
  ensureIndexes?: boolean;
}

/** Whether the index at `path` would have to be upgraded when opened (see needsUpgrade); false when there is none. */
export function indexNeedsUpgrade(path: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return needsUpgrade(db);
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  /** One insert per (tool, source, host). */
  private readonly inserts = new Map<string, Database.Statement>();
  private readonly saveCheckpoint: Database.Statement;
  private readonly markStale: Database.Statement;
  /** Quarter hours whose rollup rows are stale. */
  private dirty = new Set<number>();
  /** (tool, session) pairs known to be in telemetry_sessions: the table is asked only for new ones. */
  private readonly telemetrySessions = new Set<string>();
  private rebuildAll = false;
  /** Whether telemetry events that name their request are stored: only then must a transcript copy look for one. */
  private telemetryRequests: boolean;
  /** Whether events_request exists: it is made before the first telemetry copy is kept (see TELEMETRY_INDEX). */
  private telemetryIndexed = false;
  private readonly stmts = new Map<string, Database.Statement>();

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
    this.telemetryRequests = this.db.prepare(`SELECT 1 FROM events WHERE dedup_key >= 'otlp:' AND dedup_key < 'otlp;' LIMIT 1`).get() !== undefined;
    this.telemetryIndexed = this.hasTelemetryIndex();
    this.saveCheckpoint = this.db.prepare(
      `UPDATE files SET dev = @dev, ino = @ino, size = @size, mtime_ms = @mtimeMs, offset = @offset, lines = @lines,
       head_hash = @headHash, tail_hash = @tailHash, checked_at = @checkedAt, state = @state WHERE id = @fileId AND path = @path`,
    );
  }

  /** Stores a new request; a key already stored is left alone (see store()). */
  private insertFor(e: PricedEvent): Database.Statement {
    const key = `${e.tool}\u0000${e.source}\u0000${e.host}`;
    let stmt = this.inserts.get(key);
    if (!stmt) {
      stmt = this.db.prepare(
        `INSERT INTO events (${[...ORIGIN_COLUMNS, ...EVENT_COLUMNS].join(', ')})
         VALUES (${[e.tool, e.source, e.host].map(sqlText).join(', ')}, ${EVENT_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT(dedup_key) DO NOTHING`,
      );
      this.inserts.set(key, stmt);
    }
    return stmt;
  }

  /**
   * Stores one copy of a request. The stored event is the best of its sightings (core's shouldReplace): a copy from
   * the same origin as the stored one replaces it if better; a copy from another origin either takes its place (the
   * stored one stepping down to a sighting) or is kept as a sighting itself. A stored copy whose file was just
   * withdrawn counts for nothing: any copy takes its place.
   */
  private store(e: PricedEvent, sources: string | null, withdrawn?: Map<string, StoredCopy>): void {
    if (this.insertFor(e).run(eventValues(e, sources)).changes === 1) return;
    const dead = withdrawn?.get(e.dedupKey);
    if (dead) {
      withdrawn!.delete(e.dedupKey);
      this.replaceEvent(dead.id, e, sources ?? dead.sources);
      return;
    }
    const cur = this.storedCopy(e.dedupKey)!;
    const origin = e.fileId ?? 0;
    const curOrigin = cur.fileId ?? 0;
    if (!shouldReplace(cur, e)) {
      if (origin !== curOrigin) this.putSighting(e, origin);
      return;
    }
    if (origin !== curOrigin) {
      this.putSighting(cur, curOrigin);
      this.stmt('DELETE FROM sightings WHERE dedup_key = ? AND origin = ?').run(e.dedupKey, origin);
    }
    this.replaceEvent(cur.id, e, sources ?? cur.sources);
    this.dirty.add(Math.floor(cur.ts / QUARTER_HOUR_MS));
  }

  private storedCopy(dedupKey: string): StoredCopy | undefined {
    const row = this.stmt(STORED_COPY_SQL).get(dedupKey) as StoredCopy | undefined;
    return row && asCopy(row);
  }

  private replaceEvent(id: number, e: PricedEvent, sources: string | null): void {
    this.stmt(REPLACE_EVENT_SQL).run(e.tool, e.source, e.host, ...eventValues(e, sources), id);
  }

  /** Keeps a copy that is not the stored event, the best one per origin. */
  private putSighting(e: PricedEvent, origin: number): void {
    this.stmt(PUT_SIGHTING_SQL).run(origin, e.tool, e.source, e.host, ...copyValues(e));
  }

  /**
   * A file was replaced, truncated or rewritten: its sightings go, and each request it was the stored copy of falls
   * back on the best copy another source still holds, updated in place (so that fleet shipping sees a change, not a
   * delete). Requests no other source holds are returned: the same batch's reading of the file may hold them again,
   * and only those it does not are deleted (see dropWithdrawn), so a file rewritten whole keeps its rows.
   */
  private withdraw(fileIds: number[]): Map<string, StoredCopy> {
    const orphans = new Map<string, StoredCopy>();
    if (fileIds.length === 0) return orphans;
    const list = fileIds.map(Number).join(', ');
    this.db.exec(`DELETE FROM sightings WHERE origin IN (${list})`);
    const held = (this.db.prepare(`SELECT id, file_id AS fileId, sources, ${COPY_SELECT} FROM events WHERE file_id IN (${list})`).all() as StoredCopy[]).map(asCopy);
    for (const ev of held) {
      this.dirty.add(Math.floor(ev.ts / QUARTER_HOUR_MS));
      const best = this.bestSighting(ev.dedupKey);
      if (!best) {
        orphans.set(ev.dedupKey, ev);
        continue;
      }
      this.stmt('DELETE FROM sightings WHERE dedup_key = ? AND origin = ?').run(best.dedupKey, best.origin);
      this.replaceEvent(ev.id, { ...best, fileId: best.origin || null }, ev.sources);
      this.dirty.add(Math.floor(best.ts / QUARTER_HOUR_MS));
    }
    return orphans;
  }

  /** Withdrawn requests no source holds any more are deleted; a telemetry copy of one counts again. */
  private dropWithdrawn(orphans: Map<string, StoredCopy>): void {
    for (const ev of orphans.values()) {
      this.stmt('DELETE FROM events WHERE id = ?').run(ev.id);
      if (ev.requestId && ev.source !== 'otlp') this.restoreTelemetryCopy(ev.requestId);
    }
  }

  /** The best copy of a request among its sightings, if any. */
  private bestSighting(dedupKey: string): SightingCopy | undefined {
    let best: SightingCopy | undefined;
    for (const row of this.stmt(SIGHTINGS_SQL).all(dedupKey) as SightingCopy[]) {
      const c = asCopy(row);
      if (!best || shouldReplace(best, c)) best = c;
    }
    return best;
  }

  private hasTelemetryIndex(): boolean {
    return this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`).get(TELEMETRY_INDEX[0]) !== undefined;
  }

  /** The telemetry copy of a request whose other copies are all gone counts again. */
  private restoreTelemetryCopy(requestId: string): void {
    // Without the index that joins them (made by whichever connection keeps the first one), no telemetry copy is kept.
    if (!this.telemetryIndexed && !(this.telemetryIndexed = this.hasTelemetryIndex())) return;
    if (this.stmt('SELECT 1 FROM events WHERE request_id = ? LIMIT 1').get(requestId)) return;
    const t = this.bestSighting(telemetryKey(requestId));
    if (!t) return;
    this.stmt('DELETE FROM sightings WHERE dedup_key = ?').run(t.dedupKey);
    this.insertFor(t).run(eventValues({ ...t, fileId: null }, null));
    this.telemetryRequests = true;
    this.dirty.add(Math.floor(t.ts / QUARTER_HOUR_MS));
  }

  async checkpoints(): Promise<Map<string, Checkpoint>> {
    const rows = this.db
      .prepare('SELECT id AS fileId, path, dev, ino, size, mtime_ms AS mtimeMs, offset, lines, head_hash AS headHash, tail_hash AS tailHash, checked_at AS checkedAt, state FROM files')
      .all() as Checkpoint[];
    return new Map(rows.map((r) => [r.path, r]));
  }

  async fileStamps(): Promise<Map<string, FileStamp>> {
    // Rows as arrays: building an object per row cost more than reading it.
    const rows = this.stmt('SELECT path, dev, ino, size, mtime_ms, checked_at FROM files').raw().all() as Array<[string, number, number, number, number, number]>;
    const out = new Map<string, FileStamp>();
    for (const [path, dev, ino, size, mtimeMs, checkedAt] of rows) out.set(path, { dev, ino, size, mtimeMs, checkedAt });
    return out;
  }

  async checkpointsOf(paths: string[]): Promise<Map<string, Checkpoint>> {
    const stmt = this.stmt('SELECT id AS fileId, path, dev, ino, size, mtime_ms AS mtimeMs, offset, lines, head_hash AS headHash, tail_hash AS tailHash, checked_at AS checkedAt, state FROM files WHERE path = ?');
    const out = new Map<string, Checkpoint>();
    for (const p of paths) {
      const row = stmt.get(p) as Checkpoint | undefined;
      if (row) out.set(p, row);
    }
    return out;
  }

  /**
   * Listings are kept as one document (meta `dir_listings`): every report reads them all, and one parse of it costs a
   * fifth of reading a row per folder. Rows of the dir_listings table (from before) are read until the next save.
   */
  async dirListings(): Promise<DirListings> {
    return this.readListings();
  }

  private readListings(): DirListings {
    const doc = this.stmt(`SELECT value FROM meta WHERE key = 'dir_listings'`).pluck().get() as string | undefined;
    if (doc !== undefined) {
      const kept = JSON.parse(doc) as Array<[string, number, DirListing['entries']]>;
      return new Map(kept.map(([path, mtimeMs, entries]) => [path, { mtimeMs, entries }]));
    }
    const rows = this.stmt('SELECT path, mtime_ms AS mtimeMs, entries FROM dir_listings').all() as Array<{ path: string; mtimeMs: number; entries: string }>;
    return new Map(rows.map((r) => [r.path, { mtimeMs: r.mtimeMs, entries: JSON.parse(r.entries) as DirListing['entries'] }]));
  }

  async saveDirListings(changes: ListingChanges): Promise<void> {
    if (changes.changed.size === 0 && changes.removed.length === 0) return;
    this.writing(() => {
      const all = this.readListings();
      for (const [path, l] of changes.changed) all.set(path, l);
      for (const path of changes.removed) all.delete(path);
      const doc = JSON.stringify([...all].map(([path, l]) => [path, l.mtimeMs, l.entries]));
      this.stmt(`INSERT INTO meta (key, value) VALUES ('dir_listings', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(doc);
      this.stmt('DELETE FROM dir_listings').run();
    })();
  }

  async registerFiles(paths: string[]): Promise<number[]> {
    const stmt = this.db.prepare('INSERT INTO files (path) VALUES (?) ON CONFLICT(path) DO UPDATE SET path = excluded.path RETURNING id');
    return this.writing(() => paths.map((p) => (stmt.get(p) as { id: number }).id))();
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

  /**
   * A transaction that writes: it takes the write lock at BEGIN (IMMEDIATE), waiting for another process's writer
   * under the busy timeout. A deferred one that reads first and writes later cannot wait: SQLite refuses its upgrade
   * at once (SQLITE_BUSY) when another connection writes meanwhile, as a `tokenmeter index` beside the daemon does.
   */
  private writing<T>(fn: () => T): () => T {
    return this.db.transaction(fn).immediate;
  }

  /** A statement prepared once per connection. */
  private stmt(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) this.stmts.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  async commit(batch: Batch): Promise<void> {
    // Sorted keys turn random b-tree inserts into nearly sequential ones. Copies of one request (Qwen records each
    // call in two files) come best first: the others then become sightings, and the stored row is written once.
    const events = [...batch.events].sort((a, b) =>
      a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : shouldReplace(a, b) ? 1 : shouldReplace(b, a) ? -1 : 0);
    const metricEvents = batch.metricEvents ?? [];
    const telemetrySeen: string[] = [];
    this.writing(() => {
      const withdrawn = this.withdraw(batch.replacedFileIds);
      for (const id of batch.replacedFileIds) this.stmt('DELETE FROM file_problems WHERE file_id = ?').run(id);
      for (const p of batch.problems ?? []) {
        // Bounded: a message quotes what it found, and nothing a log holds may grow the index by its size.
        this.stmt('INSERT OR REPLACE INTO file_problems (file_id, line, message) VALUES (?, ?, ?)').run(p.fileId, p.line, p.message.slice(0, 300));
      }
      if (events.length > 0 || metricEvents.length > 0 || batch.replacedFileIds.length > 0) this.markStale.run();
      const sessions = new Set<string>();
      for (const e of events) {
        let sources: string | null = null;
        if (e.source === 'otlp' && e.requestId) {
          if (!this.telemetryIndexed) {
            ensureTelemetryIndex(this.db);
            this.telemetryIndexed = true;
          }
          // Already known from another source (a transcript): one request, now seen by one more source, whose copy
          // is kept as a sighting in case the others go.
          const other = this.stmt('SELECT id FROM events WHERE request_id = ? AND dedup_key <> ? LIMIT 1').get(e.requestId, e.dedupKey) as { id: number } | undefined;
          if (other) {
            this.putSighting(e, 0);
            this.stmt(`UPDATE events SET sources = COALESCE(sources, source) || ',' || @source
              WHERE id = @id AND instr(',' || COALESCE(sources, source) || ',', ',' || @source || ',') = 0`).run({ source: e.source, id: other.id });
            continue;
          }
          this.telemetryRequests = true;
        } else if (e.requestId && this.telemetryRequests) {
          // The transcript's copy is the fuller one (it knows the project): it takes the telemetry copy's place, and
          // the telemetry copy steps down to a sighting.
          const t = this.storedCopy(telemetryKey(e.requestId));
          if (t) {
            this.putSighting(t, 0);
            this.stmt('DELETE FROM events WHERE id = ?').run(t.id);
            this.dirty.add(Math.floor(t.ts / QUARTER_HOUR_MS));
            sources = `${e.source},otlp`;
          }
        }
        if (e.sessionTotal && this.stmt('SELECT 1 FROM telemetry_sessions WHERE tool = ? AND session_id = ?').get(e.tool, e.sessionId)) continue;
        this.store(e, sources, withdrawn);
        sessions.add(e.sessionId);
        const seen = `${e.tool}\u0000${e.sessionId}`;
        if (e.source === 'otlp') telemetrySeen.push(seen);
        if (e.source === 'otlp' && !this.telemetrySessions.has(seen) && this.stmt('INSERT OR IGNORE INTO telemetry_sessions (tool, session_id) VALUES (?, ?)').run(e.tool, e.sessionId).changes === 1) {
          // Per-call telemetry of a session whose running totals were counted: the totals step aside for it.
          const gone = this.stmt(`DELETE FROM events WHERE dedup_key = ? RETURNING ts / ${QUARTER_HOUR_MS} AS b`).all(sessionTotalKey(e.tool, e.sessionId)) as Array<{ b: number }>;
          for (const { b } of gone) this.dirty.add(b);
        }
      }
      this.dropWithdrawn(withdrawn);
      for (const s of sessions) {
        if (this.stmt('INSERT INTO covered_sessions (session_id) VALUES (?) ON CONFLICT DO NOTHING').run(s).changes === 0) continue;
        // Newly covered by per-request records: what token metrics said about it is no longer counted.
        const gone = this.stmt(`DELETE FROM events WHERE dedup_key >= ? AND dedup_key < ? RETURNING ts / ${QUARTER_HOUR_MS} AS b`)
          .all(`${METRIC_KEY_PREFIX}${s}\u0001`, `${METRIC_KEY_PREFIX}${s}\u0002`) as Array<{ b: number }>;
        for (const { b } of gone) this.dirty.add(b);
      }
      for (const e of metricEvents) {
        if (this.stmt('SELECT 1 FROM covered_sessions WHERE session_id = ?').get(e.sessionId)) continue;
        this.store(e, null);
        this.dirty.add(Math.floor(e.ts / QUARTER_HOUR_MS));
      }
      for (const m of batch.metricTotals ?? []) {
        this.stmt(`INSERT INTO metric_totals (session_id, tool, input, output, cache_read, cache_write, cost, last_ts)
          VALUES (@sessionId, @tool, @input, @output, @cacheRead, @cacheWrite, @cost, @lastTs)
          ON CONFLICT DO UPDATE SET input = input + excluded.input, output = output + excluded.output,
            cache_read = cache_read + excluded.cache_read, cache_write = cache_write + excluded.cache_write,
            cost = cost + excluded.cost, last_ts = MAX(last_ts, excluded.last_ts)`).run(m);
      }
      for (const c of batch.counters ?? []) {
        this.stmt(`INSERT INTO otel_counters (name, labels, value) VALUES (?, ?, ?)
          ON CONFLICT DO UPDATE SET value = value + excluded.value`).run(c.name, JSON.stringify(c.labels), c.value);
      }
      for (const st of batch.series ?? []) {
        this.stmt('INSERT OR REPLACE INTO metric_series (key, start_nano, value) VALUES (?, ?, ?)').run(st.key, st.startNano, st.value);
      }
      for (const r of batch.readings ?? []) {
        // Read from a log: the local figures of the window are not known here (0: not used to calibrate).
        this.stmt(`INSERT OR REPLACE INTO limit_readings (at, tool, window, used_percent, resets_at, local_cost, local_tokens)
          VALUES (?, ?, ?, ?, ?, 0, 0)`).run(r.at, r.tool, r.window, r.usedPercent, r.resetsAt);
      }
      for (const cp of batch.checkpoints) this.saveCheckpoint.run({ ...cp, state: cp.state ?? null });
    })();
    // Known from now on (the transaction held): telemetry floods of one session ask the table once.
    for (const k of telemetrySeen) this.telemetrySessions.add(k);
    // Tracked even when a full rebuild is due: a worker's connection reports these to the one that settles.
    for (const e of events) this.dirty.add(Math.floor(e.ts / QUARTER_HOUR_MS));
  }

  async beginBulkLoad(): Promise<void> {
    dropSecondaryIndexes(this.db);
    this.telemetryIndexed = false;
    this.rebuildAll = true;
    this.dirty.clear();
  }

  async endBulkLoad(): Promise<void> {
    createSecondaryIndexes(this.db);
    this.telemetryIndexed = this.hasTelemetryIndex();
  }

  async settle(touchedElsewhere: number[] = []): Promise<void> {
    if (!this.rebuildAll) for (const b of touchedElsewhere) this.dirty.add(b);
    this.writing(() => this.refreshRollup())();
  }

  private refreshRollup(): void {
    if (this.rebuildAll || this.dirty.size > 0) {
      this.db.exec(`UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rollup_version';
        UPDATE meta SET value = '0' WHERE key = 'rollup_stale'`);
    }
    const insert = `INSERT INTO usage_rollup ${ROLLUP_SELECT}`;
    const group = 'GROUP BY 1, tool, host, session_id, project, model';
    if (this.rebuildAll) {
      // The totals are recomputed when next asked for, not here: a first index does not need them.
      this.db.exec(`DELETE FROM usage_rollup; ${insert} ${group}; UPDATE meta SET value = '1' WHERE key = 'totals_stale'`);
    } else if (this.dirty.size > 0) {
      const del = this.stmt('DELETE FROM usage_rollup WHERE bucket BETWEEN ? AND ?');
      const add = this.stmt(`${insert} WHERE ts >= ? AND ts < ? ${group}`);
      // The totals follow each rebuilt range: what it held is taken out, what it holds now is put in.
      const totals = (sign: '+' | '-') => this.stmt(`INSERT INTO usage_totals
        SELECT tool, model, host, ${sign}SUM(requests), ${sign}SUM(input), ${sign}SUM(output), ${sign}SUM(cache_read),
          ${sign}SUM(cache_write_5m), ${sign}SUM(cache_write_1h), ${sign}SUM(reasoning), ${sign}TOTAL(auto_cost)
        FROM usage_rollup WHERE bucket BETWEEN ? AND ? GROUP BY tool, model, host
        ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, input = input + excluded.input,
          output = output + excluded.output, cache_read = cache_read + excluded.cache_read,
          cache_write_5m = cache_write_5m + excluded.cache_write_5m, cache_write_1h = cache_write_1h + excluded.cache_write_1h,
          reasoning = reasoning + excluded.reasoning, auto_cost = auto_cost + excluded.auto_cost`);
      // Contiguous runs of stale quarter hours, each rebuilt with one range query on the time index.
      const buckets = [...this.dirty].sort((a, b) => a - b);
      for (let i = 0; i < buckets.length; ) {
        let j = i;
        while (j + 1 < buckets.length && buckets[j + 1] === buckets[j]! + 1) j++;
        totals('-').run(buckets[i], buckets[j]);
        del.run(buckets[i], buckets[j]);
        add.run(buckets[i]! * QUARTER_HOUR_MS, (buckets[j]! + 1) * QUARTER_HOUR_MS);
        totals('+').run(buckets[i], buckets[j]);
        i = j + 1;
      }
      this.stmt('DELETE FROM usage_totals WHERE requests = 0').run();
    }
    this.dirty.clear();
    this.rebuildAll = false;
  }

  async usage(filter: UsageFilter, grouping: Grouping): Promise<UsageRow[]> {
    const { sql: where, params } = rollupWhere(filter);
    const group = grouping.by === 'session' ? 'session_id' : localDayExpression(grouping.offsets);
    const sql = `SELECT ${group} AS "group", model, MAX(project) AS project, MAX(last_ts) AS lastTs,
        SUM(requests) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cacheRead,
        SUM(cache_write_5m) AS cacheWrite5m, SUM(cache_write_1h) AS cacheWrite1h, SUM(reasoning) AS reasoning,
        TOTAL(calc_cost) AS calcCost, SUM(calc_unknown) AS calcUnknown, TOTAL(reported_cost) AS reportedCost,
        TOTAL(auto_cost) AS autoCost, SUM(auto_unknown) AS autoUnknown, SUM(fallback_requests) AS fallbackRequests,
        SUM(unknown_token_requests) AS unknownTokenRequests, TOTAL(credits) AS credits, tool
      FROM usage_rollup WHERE ${where} GROUP BY 1, model, tool`;
    // Reports repeat the same queries on an unchanged index (a warm `daily`, a status line): their last answers are
    // kept, tagged with the rollup's version.
    const key = JSON.stringify([sql, params]);
    const version = Number(await this.getMeta('rollup_version'));
    const cached = this.db.prepare('SELECT rows FROM query_cache WHERE key = ? AND rollup_version = ?').get(key, version) as
      { rows: string } | undefined;
    if (cached) return JSON.parse(cached.rows) as UsageRow[];
    const rows = this.db.prepare(sql).all(params) as UsageRow[];
    this.bestEffort(() => this.writing(() => {
      this.db.prepare(`INSERT INTO query_cache (key, rollup_version, rows, used_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET rollup_version = excluded.rollup_version, rows = excluded.rows, used_at = excluded.used_at`)
        .run(key, version, JSON.stringify(rows), Date.now());
      this.db.exec(`DELETE FROM query_cache WHERE key NOT IN (SELECT key FROM query_cache ORDER BY used_at DESC LIMIT ${QUERY_CACHE_ENTRIES})`);
    })());
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

  async eventsAfter(id: number, limit: number): Promise<EventRow[]> {
    return this.stmt(`SELECT ${EVENT_ROW} FROM events WHERE id > ? ORDER BY id LIMIT ?`).all(id, limit) as EventRow[];
  }

  async eventsSince(ts: number): Promise<EventRow[]> {
    return this.stmt(`SELECT ${EVENT_ROW} FROM events WHERE ts >= ? ORDER BY ts`).all(ts) as EventRow[];
  }

  async lastEventId(): Promise<number> {
    return (this.stmt('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  async totals(): Promise<TotalsRow[]> {
    if ((await this.getMeta('totals_stale')) !== '0') {
      const fresh = this.bestEffort(() => this.writing(() => {
        this.db.exec(`DELETE FROM usage_totals;
          INSERT INTO usage_totals SELECT tool, model, host, SUM(requests), SUM(input), SUM(output), SUM(cache_read),
            SUM(cache_write_5m), SUM(cache_write_1h), SUM(reasoning), TOTAL(auto_cost) FROM usage_rollup GROUP BY tool, model, host;
          UPDATE meta SET value = '0' WHERE key = 'totals_stale'`);
      })());
      if (!fresh) {
        return this.db.prepare(`SELECT tool, model, host, ${ROLLUP_SUMS} FROM usage_rollup GROUP BY tool, model, host ORDER BY tool, model, host`)
          .all() as TotalsRow[];
      }
    }
    return this.stmt(`SELECT tool, model, host, requests, input, output, cache_read AS cacheRead, cache_write_5m AS cacheWrite5m,
      cache_write_1h AS cacheWrite1h, reasoning, auto_cost AS cost FROM usage_totals ORDER BY tool, model, host`).all() as TotalsRow[];
  }

  /**
   * Runs a write that only saves work for later reads (a cached answer, materialized totals): an index that cannot
   * be written to (a full disk, read-only) still answers. Returns whether it was written.
   */
  private bestEffort(write: () => void): boolean {
    try {
      write();
      return true;
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_')) return false;
      throw e;
    }
  }

  async breakdown(filter: UsageFilter, by: BreakdownKey): Promise<BreakdownRow[]> {
    const { sql, params } = rollupWhere(filter);
    return this.db.prepare(`SELECT ${BREAKDOWN_COLUMN[by]} AS key, ${ROLLUP_SUMS}, MAX(last_ts) AS lastTs, SUM(auto_unknown) AS unpriced,
      SUM(unknown_token_requests) AS tokensUnknown
      FROM usage_rollup WHERE ${sql} GROUP BY 1 ORDER BY cost DESC`).all(params) as BreakdownRow[];
  }

  async timeBuckets(filter: UsageFilter, bucketMs: number): Promise<TimeBucketRow[]> {
    const { sql, params } = rollupWhere(filter);
    if (bucketMs % QUARTER_HOUR_MS === 0) {
      const k = bucketMs / QUARTER_HOUR_MS;
      return this.db.prepare(`SELECT (bucket / ${k}) * ${bucketMs} AS t, ${ROLLUP_SUMS} FROM usage_rollup WHERE ${sql} GROUP BY 1 ORDER BY 1`)
        .all(params) as TimeBucketRow[];
    }
    // Finer than the rollup: from the events themselves, over the time index.
    const where = sql.replace('bucket >= @from', 'ts >= @fromMs').replace('bucket < @to', 'ts < @toMs');
    return this.db.prepare(`SELECT (ts / ${bucketMs}) * ${bucketMs} AS t, COUNT(*) AS requests, SUM(input) AS input, SUM(output) AS output,
        SUM(cache_read) AS cacheRead, SUM(cache_write_5m) AS cacheWrite5m, SUM(cache_write_1h) AS cacheWrite1h,
        SUM(reasoning) AS reasoning, TOTAL(COALESCE(reported_cost, calc_cost)) AS cost
      FROM events WHERE ${where} GROUP BY 1 ORDER BY 1`)
      .all({ ...params, fromMs: filter.fromTs ?? -1e15, toMs: filter.toTs ?? 1e15 }) as TimeBucketRow[];
  }

  async counters(): Promise<CounterValue[]> {
    const rows = this.stmt('SELECT name, labels, value FROM otel_counters ORDER BY name, labels').all() as Array<{ name: string; labels: string; value: number }>;
    return rows.map((r) => ({ name: r.name, labels: JSON.parse(r.labels) as Record<string, string>, value: r.value }));
  }

  async loadSeries(): Promise<SeriesState[]> {
    return this.stmt('SELECT key, start_nano AS startNano, value FROM metric_series').all() as SeriesState[];
  }

  async sumSince(ts: number): Promise<TokenCounts & { requests: number; cost: number }> {
    return this.stmt(`SELECT COUNT(*) AS requests, TOTAL(input) AS input, TOTAL(output) AS output, TOTAL(cache_read) AS cacheRead,
        TOTAL(cache_write_5m) AS cacheWrite5m, TOTAL(cache_write_1h) AS cacheWrite1h, TOTAL(reasoning) AS reasoning,
        TOTAL(COALESCE(reported_cost, calc_cost)) AS cost
      FROM events WHERE ts >= ?`).get(ts) as TokenCounts & { requests: number; cost: number };
  }

  async fileProblems(limit: number): Promise<{ total: number; first: Array<{ path: string; line: number; message: string }> }> {
    const total = (this.stmt('SELECT COUNT(*) AS n FROM file_problems').get() as { n: number }).n;
    const first = this.stmt(`SELECT f.path, p.line, p.message FROM file_problems p JOIN files f ON f.id = p.file_id
      ORDER BY f.path, p.line LIMIT ?`).all(limit) as Array<{ path: string; line: number; message: string }>;
    return { total, first };
  }

  async unpricedModels(): Promise<Array<{ model: string; requests: number }>> {
    return this.stmt(`SELECT model, SUM(requests) AS requests FROM usage_rollup WHERE calc_unknown > 0 AND auto_unknown > 0
      GROUP BY model ORDER BY 2 DESC`).all() as Array<{ model: string; requests: number }>;
  }

  async importHosts(hosts: ImportedHost[]): Promise<void> {
    const put = this.stmt(`INSERT OR REPLACE INTO imported_hosts (host, tokens, input, output, requests, sessions, first_seen, last_seen, source, imported_at)
      VALUES (@host, @tokens, @input, @output, @requests, @sessions, @firstSeen, @lastSeen, @source, @at)`);
    const at = Date.now();
    this.writing(() => {
      for (const h of hosts) put.run({ ...h, at });
    })();
  }

  async importedHosts(): Promise<ImportedHost[]> {
    return this.stmt(`SELECT host, tokens, input, output, requests, sessions, first_seen AS firstSeen, last_seen AS lastSeen, source
      FROM imported_hosts ORDER BY host`).all() as ImportedHost[];
  }

  async hostFigures(windowStart: number): Promise<HostFigures[]> {
    const b = Math.floor(windowStart / QUARTER_HOUR_MS);
    return this.stmt(`SELECT host, SUM(input + output + cache_read + cache_write_5m + cache_write_1h) AS tokens, SUM(requests) AS requests,
        COUNT(DISTINCT session_id) AS sessions, TOTAL(auto_cost) AS cost, SUM(auto_unknown) AS unpriced, MAX(last_ts) AS lastActivity,
        TOTAL(CASE WHEN bucket >= ? THEN input + output + cache_read + cache_write_5m + cache_write_1h ELSE 0 END) AS windowTokens
      FROM usage_rollup GROUP BY host ORDER BY host`).all(b) as HostFigures[];
  }

  async addLimitReading(r: LimitReading): Promise<void> {
    this.stmt(`INSERT OR REPLACE INTO limit_readings (at, tool, window, used_percent, resets_at, local_cost, local_tokens)
      VALUES (@at, @tool, @window, @usedPercent, @resetsAt, @localCost, @localTokens)`).run(r);
  }

  async limitReadings(window: string, since: number): Promise<LimitReading[]> {
    return this.stmt(`SELECT at, tool, window, used_percent AS usedPercent, resets_at AS resetsAt, local_cost AS localCost,
      local_tokens AS localTokens FROM limit_readings WHERE window = ? AND at >= ? ORDER BY at`).all(window, since) as LimitReading[];
  }

  async requestsBySources(): Promise<Array<{ sources: string; requests: number }>> {
    return this.db.prepare('SELECT COALESCE(sources, source) AS sources, COUNT(*) AS requests FROM events GROUP BY 1 ORDER BY 2 DESC').all() as Array<{ sources: string; requests: number }>;
  }

  async requestDisagreements(limit: number): Promise<RequestDisagreement[]> {
    const rows = this.db.prepare(`SELECT s.request_id AS requestId, s.session_id AS sessionId, s.model, s.ts, s.source AS sSource,
        s.input AS sInput, s.output AS sOutput, s.cache_read AS sRead, s.cache_write_5m + s.cache_write_1h AS sWrite,
        e.source AS eSource, e.input AS eInput, e.output AS eOutput, e.cache_read AS eRead, e.cache_write_5m + e.cache_write_1h AS eWrite
      FROM sightings s JOIN events e ON e.request_id = s.request_id AND e.source <> s.source
      WHERE s.request_id IS NOT NULL AND s.origin = 0
        AND (s.input <> e.input OR s.output <> e.output OR s.cache_read <> e.cache_read
          OR s.cache_write_5m + s.cache_write_1h <> e.cache_write_5m + e.cache_write_1h)
      ORDER BY s.ts DESC LIMIT ?`).all(limit) as Array<Record<string, number | string>>;
    return rows.map((r) => ({
      requestId: String(r.requestId), sessionId: String(r.sessionId), model: String(r.model), ts: Number(r.ts),
      copies: [
        { source: String(r.eSource), input: Number(r.eInput), output: Number(r.eOutput), cacheRead: Number(r.eRead), cacheWrite: Number(r.eWrite) },
        { source: String(r.sSource), input: Number(r.sInput), output: Number(r.sOutput), cacheRead: Number(r.sRead), cacheWrite: Number(r.sWrite) },
      ],
    }));
  }

  async sessionDisagreements(limit: number): Promise<SessionDisagreement[]> {
    const rows = this.db.prepare(`WITH per_request AS (
        SELECT session_id, tool, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read,
          SUM(cache_write_5m + cache_write_1h) AS cache_write
        FROM events WHERE session_id IN (SELECT session_id FROM metric_totals) AND NOT (dedup_key >= '${METRIC_KEY_PREFIX}' AND dedup_key < 'm;')
        GROUP BY 1, 2)
      SELECT m.session_id AS sessionId, m.tool, m.input AS mInput, m.output AS mOutput, m.cache_read AS mRead, m.cache_write AS mWrite,
        r.input AS rInput, r.output AS rOutput, r.cache_read AS rRead, r.cache_write AS rWrite
      FROM metric_totals m JOIN per_request r ON r.session_id = m.session_id AND r.tool = m.tool
      WHERE m.input <> r.input OR m.output <> r.output OR m.cache_read <> r.cache_read OR m.cache_write <> r.cache_write
      ORDER BY m.last_ts DESC LIMIT ?`).all(limit) as Array<Record<string, number | string>>;
    return rows.map((r) => ({
      sessionId: String(r.sessionId), tool: String(r.tool),
      metrics: { input: Number(r.mInput), output: Number(r.mOutput), cacheRead: Number(r.mRead), cacheWrite: Number(r.mWrite) },
      requests: { input: Number(r.rInput), output: Number(r.rOutput), cacheRead: Number(r.rRead), cacheWrite: Number(r.rWrite) },
    }));
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

  /** The thresholds of a budget already alerted in the period that starts at `periodStart`. */
  alertsSent(budget: string, periodStart: number): Set<number> {
    const rows = this.stmt('SELECT threshold FROM alerts_sent WHERE budget = ? AND period_start = ?').all(budget, periodStart) as Array<{ threshold: number }>;
    return new Set(rows.map((r) => r.threshold));
  }

  markAlertsSent(budget: string, periodStart: number, thresholds: number[], at: number): void {
    const put = this.stmt('INSERT OR IGNORE INTO alerts_sent (budget, period_start, threshold, at) VALUES (?, ?, ?, ?)');
    this.writing(() => {
      for (const t of thresholds) put.run(budget, periodStart, t, at);
    })();
  }

  async loadPrices(): Promise<KnownPrice[]> {
    const rows = this.db.prepare('SELECT model, key, price FROM price_cache').all() as Array<{ model: string; key: number; price: string | null }>;
    return rows.map((r) => ({ model: r.model, key: r.key, price: r.price === null ? null : (JSON.parse(r.price) as ResolvedPrice) }));
  }

  async savePrices(prices: KnownPrice[]): Promise<void> {
    if (prices.length === 0) return;
    const stmt = this.db.prepare('INSERT OR REPLACE INTO price_cache (model, key, price) VALUES (?, ?, ?)');
    this.writing(() => {
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
    // Sightings are priced alike: one of them may become the stored copy.
    const copies = this.db
      .prepare(`SELECT dedup_key AS dedupKey, origin, ts, model, speed, input, output, cache_read AS cacheRead,
        cache_write_5m AS cacheWrite5m, cache_write_1h AS cacheWrite1h, reasoning FROM sightings`)
      .all() as Array<PricingInput & { dedupKey: string; origin: number }>;
    const updateCopy = this.db.prepare('UPDATE sightings SET calc_cost = ? WHERE dedup_key = ? AND origin = ?');
    this.writing(() => {
      for (const r of rows) update.run(price(r), r.id);
      for (const c of copies) updateCopy.run(price(c), c.dedupKey, c.origin);
    })();
    this.rebuildAll = true;
    await this.settle();
    return rows.length;
  }

  /**
   * Fleet mode on: from now on every change to events is queued for the pooled store, and so is everything already
   * here (the pooled store keeps the larger copy, so sending a row twice changes nothing). A new target (another
   * database) gets everything again.
   */
  async enableShipping(target: string, host: string): Promise<void> {
    this.writing(() => {
      this.db.exec(SHIP_TRIGGERS);
      this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('ship_host', ?)`).run(host);
      const known = this.db.prepare(`SELECT value FROM meta WHERE key = 'ship_target'`).get() as { value: string } | undefined;
      if (known?.value === target) return;
      this.db.exec('DELETE FROM ship_log; INSERT INTO ship_log (event_id) SELECT id FROM events ORDER BY id');
      this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('ship_target', ?)`).run(target);
    })();
  }

  /** The oldest changes not yet in the pooled store, read in one transaction so rows and tombstones agree. */
  async nextShipment(limit: number): Promise<Shipment> {
    return this.db.transaction(() => {
      const rows = this.stmt(`SELECT l.seq, l.event_id AS eventId, l.dedup_key AS tombKey, l.host AS tombHost,
          e.dedup_key AS dedupKey, e.ts, e.tool, e.source, e.sources, e.host, e.session_id AS sessionId, e.project, e.model, e.speed,
          e.input, e.output, e.cache_read AS cacheRead, e.cache_write_5m AS cacheWrite5m, e.cache_write_1h AS cacheWrite1h,
          e.reasoning, e.reported_cost AS reportedCost, e.calc_cost AS calcCost, e.is_sidechain AS isSidechain,
          e.request_id AS requestId, e.model_fallback AS modelFallback, e.tokens_unknown AS tokensUnknown, e.credits
        FROM ship_log l LEFT JOIN events e ON e.id = l.event_id ORDER BY l.seq LIMIT ?`).all(limit) as
        Array<ShippedEvent & { seq: number; eventId: number | null; tombKey: string | null; tombHost: string | null }>;
      const out: Shipment = { seqs: [], rows: [], tombstones: [] };
      for (const r of rows) {
        out.seqs.push(r.seq);
        if (r.eventId === null) out.tombstones.push({ dedupKey: r.tombKey!, host: r.tombHost! });
        else if (r.dedupKey !== null) {
          const { seq: _s, eventId: _e, tombKey: _k, tombHost: _h, ...row } = r;
          out.rows.push(row);
        }
      }
      return out;
    })();
  }

  /** The pooled store committed these changes; changes made since (new seqs) stay queued. */
  async ackShipment(seqs: number[]): Promise<void> {
    const del = this.stmt('DELETE FROM ship_log WHERE seq = ?');
    this.writing(() => {
      for (const s of seqs) del.run(s);
    })();
  }

  /** Changes waiting for the pooled store (0 when fleet mode is off). */
  async shipBacklog(): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM ship_log').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
