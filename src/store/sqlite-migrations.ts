// Versioned schema. Each migration runs once, in order, inside a transaction; `user_version` records the last one.
import type Database from 'better-sqlite3';

export const MIGRATIONS: string[] = [
  // 1: events keyed by dedup key, per-file checkpoints, the quarter-hour rollup reports read, key/value metadata.
  `CREATE TABLE files (
     id INTEGER PRIMARY KEY,
     path TEXT NOT NULL UNIQUE,
     dev INTEGER NOT NULL DEFAULT 0,
     ino INTEGER NOT NULL DEFAULT 0,
     size INTEGER NOT NULL DEFAULT 0,
     mtime_ms REAL NOT NULL DEFAULT 0,
     offset INTEGER NOT NULL DEFAULT 0,
     lines INTEGER NOT NULL DEFAULT 0,
     head_hash TEXT NOT NULL DEFAULT ''
   );
   CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     dedup_key TEXT NOT NULL UNIQUE,
     ts INTEGER NOT NULL,
     tool TEXT NOT NULL,
     source TEXT NOT NULL,
     host TEXT NOT NULL,
     session_id TEXT NOT NULL,
     project TEXT NOT NULL,
     model TEXT NOT NULL,
     speed TEXT NOT NULL,
     input INTEGER NOT NULL,
     output INTEGER NOT NULL,
     cache_read INTEGER NOT NULL,
     cache_write_5m INTEGER NOT NULL,
     cache_write_1h INTEGER NOT NULL,
     reasoning INTEGER NOT NULL,
     reported_cost REAL,
     calc_cost REAL,
     is_sidechain INTEGER NOT NULL,
     request_id TEXT,
     file_id INTEGER
   );
   CREATE TABLE usage_rollup (
     bucket INTEGER NOT NULL,
     tool TEXT NOT NULL,
     host TEXT NOT NULL,
     session_id TEXT NOT NULL,
     project TEXT NOT NULL,
     model TEXT NOT NULL,
     requests INTEGER NOT NULL,
     input INTEGER NOT NULL,
     output INTEGER NOT NULL,
     cache_read INTEGER NOT NULL,
     cache_write_5m INTEGER NOT NULL,
     cache_write_1h INTEGER NOT NULL,
     reasoning INTEGER NOT NULL,
     calc_cost REAL NOT NULL,
     calc_unknown INTEGER NOT NULL,
     reported_cost REAL NOT NULL,
     auto_cost REAL NOT NULL,
     auto_unknown INTEGER NOT NULL,
     last_ts INTEGER NOT NULL,
     PRIMARY KEY (bucket, tool, host, session_id, project, model)
   ) WITHOUT ROWID;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: the last answers to report queries, valid while the rollup's version is unchanged; prices resolved before;
  // folder listings, valid while a folder's mtime is unchanged.
  `CREATE TABLE query_cache (key TEXT PRIMARY KEY, rollup_version INTEGER NOT NULL, rows TEXT NOT NULL, used_at INTEGER NOT NULL);
   CREATE TABLE price_cache (model TEXT NOT NULL, key INTEGER NOT NULL, price TEXT, PRIMARY KEY (model, key)) WITHOUT ROWID;
   CREATE TABLE dir_listings (path TEXT PRIMARY KEY, mtime_ms REAL NOT NULL, entries TEXT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('rollup_version', '0'), ('rollup_stale', '1') ON CONFLICT(key) DO NOTHING;`,
  // 3: telemetry. Every source that saw a request; sessions some per-request source covers (token metrics count only
  // for the others); each telemetry copy of a request, to compare sources; token metric totals per session; plain
  // counters; the last value of each cumulative series.
  `ALTER TABLE events ADD COLUMN sources TEXT;
   CREATE TABLE covered_sessions (session_id TEXT PRIMARY KEY) WITHOUT ROWID;
   INSERT OR IGNORE INTO covered_sessions SELECT DISTINCT session_id FROM events;
   CREATE TABLE sightings (
     request_id TEXT NOT NULL, source TEXT NOT NULL, ts INTEGER NOT NULL, session_id TEXT NOT NULL, model TEXT NOT NULL,
     input INTEGER NOT NULL, output INTEGER NOT NULL, cache_read INTEGER NOT NULL, cache_write INTEGER NOT NULL,
     reported_cost REAL, PRIMARY KEY (request_id, source)) WITHOUT ROWID;
   CREATE TABLE metric_totals (
     session_id TEXT NOT NULL, tool TEXT NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL,
     cache_read INTEGER NOT NULL, cache_write INTEGER NOT NULL, cost REAL NOT NULL, last_ts INTEGER NOT NULL,
     PRIMARY KEY (session_id, tool)) WITHOUT ROWID;
   CREATE TABLE otel_counters (name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (name, labels)) WITHOUT ROWID;
   CREATE TABLE metric_series (key TEXT PRIMARY KEY, start_nano TEXT NOT NULL, value REAL NOT NULL) WITHOUT ROWID;`,
  // 4: all-time totals by tool, model and host, kept current with the rollup (what /metrics serves).
  `CREATE TABLE usage_totals (
     tool TEXT NOT NULL, model TEXT NOT NULL, host TEXT NOT NULL, requests INTEGER NOT NULL, input INTEGER NOT NULL,
     output INTEGER NOT NULL, cache_read INTEGER NOT NULL, cache_write_5m INTEGER NOT NULL, cache_write_1h INTEGER NOT NULL,
     reasoning INTEGER NOT NULL, auto_cost REAL NOT NULL, PRIMARY KEY (tool, model, host)) WITHOUT ROWID;
   INSERT INTO meta (key, value) VALUES ('totals_stale', '1') ON CONFLICT(key) DO UPDATE SET value = '1';`,
  // 5: official window readings (Claude Code's status-line rate_limits, Codex's), each with the local cost and
  // tokens of the same window when it was read: the calibration of our estimates.
  `CREATE TABLE limit_readings (
     at INTEGER NOT NULL, tool TEXT NOT NULL, window TEXT NOT NULL, used_percent REAL NOT NULL, resets_at INTEGER NOT NULL,
     local_cost REAL NOT NULL, local_tokens INTEGER NOT NULL, PRIMARY KEY (tool, window, at)) WITHOUT ROWID;`,
  // 6: lines that could not be read (the first ones of each file), so that doctor can say where; a session's rows of
  // the rollup found without a scan (the status line asks for one session).
  `CREATE TABLE file_problems (file_id INTEGER NOT NULL, line INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (file_id, line)) WITHOUT ROWID;
   CREATE INDEX usage_rollup_session ON usage_rollup (session_id);`,
  // 7: Codex and Gemini. A file's parser state (a running total, the current model) kept with its checkpoint; requests
  // priced as a fallback model because their log named none, counted through the rollup for the reports' flag.
  `ALTER TABLE files ADD COLUMN state TEXT;
   ALTER TABLE events ADD COLUMN model_fallback INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE usage_rollup ADD COLUMN fallback_requests INTEGER NOT NULL DEFAULT 0;`,
  // 8: lifetime figures per host imported from the seeds' shared usage-tracking.json (no per-request detail exists
  // there, so they are kept apart from events and shown beside them).
  `CREATE TABLE imported_hosts (
     host TEXT PRIMARY KEY, tokens INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, requests INTEGER NOT NULL,
     sessions INTEGER NOT NULL, first_seen INTEGER, last_seen INTEGER, source TEXT NOT NULL, imported_at INTEGER NOT NULL) WITHOUT ROWID;`,
  // 9: fleet mode. Every change to events waiting for the pooled store, in order: an event's latest change (its id),
  // or a deleted event's tombstone (its key and host). Filled by triggers, created only when fleet mode is turned on.
  `CREATE TABLE ship_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER UNIQUE, dedup_key TEXT, host TEXT);`,
  // 10: sightings. Every copy of a request that is not the stored one, by where it was seen (origin: a file's id, or 0
  // for telemetry, the proxy and pushed usage, which are never withdrawn), so that when a file is replaced or
  // truncated its requests fall back on the copies other sources still hold. The telemetry copies of migration 3 move
  // in (as much of them as it kept). Records no request can have (a count above 10^10, a time before 2023) are
  // dropped: one of them overflowed every sum.
  `ALTER TABLE sightings RENAME TO telemetry_copies_v3;
   CREATE TABLE sightings (
     dedup_key TEXT NOT NULL, origin INTEGER NOT NULL, ts INTEGER NOT NULL, tool TEXT NOT NULL, source TEXT NOT NULL,
     host TEXT NOT NULL, session_id TEXT NOT NULL, project TEXT NOT NULL, model TEXT NOT NULL, speed TEXT NOT NULL,
     input INTEGER NOT NULL, output INTEGER NOT NULL, cache_read INTEGER NOT NULL, cache_write_5m INTEGER NOT NULL,
     cache_write_1h INTEGER NOT NULL, reasoning INTEGER NOT NULL, reported_cost REAL, calc_cost REAL,
     is_sidechain INTEGER NOT NULL, request_id TEXT, model_fallback INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (dedup_key, origin)) WITHOUT ROWID;
   CREATE INDEX sightings_origin ON sightings (origin);
   CREATE INDEX sightings_request ON sightings (request_id) WHERE request_id IS NOT NULL;
   INSERT OR IGNORE INTO sightings (dedup_key, origin, ts, tool, source, host, session_id, project, model, speed, input, output,
       cache_read, cache_write_5m, cache_write_1h, reasoning, reported_cost, calc_cost, is_sidechain, request_id)
     SELECT 'otlp:' || c.request_id, 0, c.ts, e.tool, 'otlp', e.host, c.session_id, '', c.model, 'standard', c.input, c.output,
       c.cache_read, c.cache_write, 0, 0, c.reported_cost, NULL, 0, c.request_id
     FROM telemetry_copies_v3 c JOIN events e ON e.request_id = c.request_id AND e.dedup_key <> 'otlp:' || c.request_id
     WHERE c.source = 'otlp';
   DROP TABLE telemetry_copies_v3;
   DELETE FROM events WHERE NOT (input BETWEEN 0 AND 1e10 AND output BETWEEN 0 AND 1e10 AND cache_read BETWEEN 0 AND 1e10
     AND cache_write_5m BETWEEN 0 AND 1e10 AND cache_write_1h BETWEEN 0 AND 1e10 AND reasoning BETWEEN 0 AND 1e10
     AND ts >= 1672531200000 AND COALESCE(reported_cost, 0) BETWEEN 0 AND 1e10);
   UPDATE meta SET value = '1' WHERE key IN ('rollup_stale', 'totals_stale');`,
  // 11: a fingerprint of the bytes just before a file's checkpoint offset, beside the head's: a file rewritten in
  // place that keeps its first KB is noticed too. When the checkpoint was taken: a file whose mtime was that recent
  // may be written again within the same timestamp tick, unseen by size and mtime, so it is checked again.
  `ALTER TABLE files ADD COLUMN tail_hash TEXT NOT NULL DEFAULT '';
   ALTER TABLE files ADD COLUMN checked_at REAL NOT NULL DEFAULT 0;`,
  // 12: records that know their cost but not their tokens (Crush's sessions), counted through the rollup so that a
  // report marks its tokens unknown instead of showing zero; an agent's own billing credits beside the tokens; the
  // sessions per-call telemetry has covered, whose running-totals records (Droid's) step aside for it; the budget
  // alerts already sent (once per budget, period and threshold, across restarts).
  `ALTER TABLE events ADD COLUMN tokens_unknown INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE events ADD COLUMN credits REAL;
   ALTER TABLE sightings ADD COLUMN tokens_unknown INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE sightings ADD COLUMN credits REAL;
   ALTER TABLE usage_rollup ADD COLUMN unknown_token_requests INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE usage_rollup ADD COLUMN credits REAL NOT NULL DEFAULT 0;
   CREATE TABLE telemetry_sessions (tool TEXT NOT NULL, session_id TEXT NOT NULL, PRIMARY KEY (tool, session_id)) WITHOUT ROWID;
   CREATE TABLE alerts_sent (budget TEXT NOT NULL, period_start INTEGER NOT NULL, threshold REAL NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (budget, period_start, threshold)) WITHOUT ROWID;
   UPDATE meta SET value = '1' WHERE key IN ('rollup_stale', 'totals_stale');`,
];

/**
 * The triggers that fill ship_log. Each change takes a new seq, so a row changed while it was being shipped stays
 * queued (its acknowledged seq is gone, its new one is not).
 */
export const SHIP_TRIGGERS = `
  CREATE TRIGGER IF NOT EXISTS ship_insert AFTER INSERT ON events BEGIN
    DELETE FROM ship_log WHERE event_id = new.id;
    INSERT INTO ship_log (event_id) VALUES (new.id);
  END;
  CREATE TRIGGER IF NOT EXISTS ship_update AFTER UPDATE ON events BEGIN
    DELETE FROM ship_log WHERE event_id = new.id;
    INSERT INTO ship_log (event_id) VALUES (new.id);
  END;
  CREATE TRIGGER IF NOT EXISTS ship_delete AFTER DELETE ON events BEGIN
    DELETE FROM ship_log WHERE event_id = old.id;
    INSERT INTO ship_log (dedup_key, host) VALUES (old.dedup_key, old.host);
  END;`;
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Secondary indexes: dropped during a bulk load and rebuilt after it (see Store.beginBulkLoad). */
export const SECONDARY_INDEXES: Array<[name: string, definition: string]> = [
  ['events_ts', 'events (ts)'],
  // A replaced file's requests, found without a scan.
  ['events_file', 'events (file_id) WHERE file_id IS NOT NULL'],
];

/**
 * Joins a request seen in telemetry with its other copies. Only an index that holds telemetry needs it: it is made
 * when the first telemetry copy of a request arrives (see ensureTelemetryIndex), and an index of logs alone is
 * spared building and keeping it (a tenth of a first index's time).
 */
export const TELEMETRY_INDEX: [name: string, definition: string] = ['events_request', 'events (request_id) WHERE request_id IS NOT NULL'];

/** Whether a telemetry copy of a request is stored, as the event or as a sighting. */
export function holdsTelemetry(db: Database.Database): boolean {
  return db.prepare(`SELECT EXISTS (SELECT 1 FROM events WHERE dedup_key >= 'otlp:' AND dedup_key < 'otlp;')
    OR EXISTS (SELECT 1 FROM sightings WHERE dedup_key >= 'otlp:' AND dedup_key < 'otlp;') AS held`).pluck().get() === 1;
}

export function ensureTelemetryIndex(db: Database.Database): void {
  db.exec(`CREATE INDEX IF NOT EXISTS ${TELEMETRY_INDEX[0]} ON ${TELEMETRY_INDEX[1]}`);
}

export function createSecondaryIndexes(db: Database.Database): void {
  for (const [name, def] of SECONDARY_INDEXES) db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${def}`);
  if (holdsTelemetry(db)) ensureTelemetryIndex(db);
}

export function dropSecondaryIndexes(db: Database.Database): void {
  for (const [name] of [...SECONDARY_INDEXES, TELEMETRY_INDEX]) db.exec(`DROP INDEX IF EXISTS ${name}`);
}

export function migrate(db: Database.Database, ensureIndexes = true): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the index at ${db.name} has schema version ${current}, newer than this tokenmeter knows (${SCHEMA_VERSION}); upgrade tokenmeter`);
  }
  // Each step holds the write lock from its start and looks at the version again under it: two processes opening an
  // old index at once (the daemon and a report) each take the steps the other has not.
  const step = db.transaction(() => {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v >= SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${v + 1}`);
    return true;
  }).immediate;
  if (current < SCHEMA_VERSION) while (step());
  if (ensureIndexes) createSecondaryIndexes(db);
}

/**
 * Whether opening the index would first have to upgrade it (a migration, or a secondary index to build): work that
 * can take seconds on a large history, which paths with a deadline (the status line, hooks) leave to other commands.
 * A missing index needs nothing (creating one is quick).
 */
export function needsUpgrade(db: Database.Database): boolean {
  if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) return true;
  const have = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as Array<{ name: string }>).map((r) => r.name));
  return SECONDARY_INDEXES.some(([name]) => !have.has(name));
}
