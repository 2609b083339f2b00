// Versioned schema. Each migration runs once, in order, inside a transaction; `user_version` records the last one.
import type Database from 'better-sqlite3';

const migrations: string[] = [
  // 1: events keyed by dedup key, per-file checkpoints, key/value metadata.
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
     message_id TEXT,
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
     total INTEGER NOT NULL,
     reported_cost REAL,
     calc_cost REAL,
     is_sidechain INTEGER NOT NULL,
     superseded INTEGER NOT NULL DEFAULT 0,
     file_id INTEGER
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export const SCHEMA_VERSION = migrations.length;

/** Secondary indexes: dropped during a bulk load and rebuilt after it (see Store.beginBulkLoad). */
export const SECONDARY_INDEXES: Array<[name: string, definition: string]> = [
  ['events_ts', 'events (ts)'],
  ['events_file', 'events (file_id)'],
  ['events_message', 'events (message_id) WHERE message_id IS NOT NULL'],
];

export function createSecondaryIndexes(db: Database.Database): void {
  for (const [name, def] of SECONDARY_INDEXES) db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${def}`);
}

export function dropSecondaryIndexes(db: Database.Database): void {
  for (const [name] of SECONDARY_INDEXES) db.exec(`DROP INDEX IF EXISTS ${name}`);
}

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the index at ${db.name} has schema version ${current}, newer than this tokenmeter knows (${SCHEMA_VERSION}); upgrade tokenmeter`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  createSecondaryIndexes(db);
}
