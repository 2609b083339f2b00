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
     dedup_key TEXT PRIMARY KEY,
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
   ) WITHOUT ROWID;
   CREATE INDEX events_ts ON events (ts);
   CREATE INDEX events_file ON events (file_id);
   CREATE INDEX events_message ON events (message_id) WHERE message_id IS NOT NULL;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export const SCHEMA_VERSION = migrations.length;

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
}
