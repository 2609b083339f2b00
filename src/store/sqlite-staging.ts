// A throwaway SQLite file an ingest worker writes its events into, so that the main thread merges them with one
// INSERT … SELECT in SQLite's own code instead of binding every row from JavaScript (see SqliteStore.importStaged).
import Database from 'better-sqlite3';
import type { PricedEvent } from './store.js';

export const STAGED_COLUMNS = [
  'dedup_key', 'message_id', 'ts', 'tool', 'source', 'host', 'session_id', 'project', 'model', 'speed',
  'input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'reasoning', 'total',
  'reported_cost', 'calc_cost', 'is_sidechain', 'file_id',
] as const;

/** Column values of an event, in STAGED_COLUMNS order. */
export function eventValues(e: PricedEvent): unknown[] {
  return [
    e.dedupKey, e.messageId, e.ts, e.tool, e.source, e.host, e.sessionId, e.project, e.model, e.speed,
    e.input, e.output, e.cacheRead, e.cacheWrite5m, e.cacheWrite1h, e.reasoning,
    e.input + e.output + e.cacheRead + e.cacheWrite5m + e.cacheWrite1h,
    e.reportedCost, e.calcCost, e.isSidechain ? 1 : 0, e.fileId,
  ];
}

export class SqliteStagingWriter {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(readonly path: string) {
    this.db = new Database(path);
    // Nothing here needs to survive a crash: the checkpoints only move once the merge commits.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`CREATE TABLE IF NOT EXISTS staged (${STAGED_COLUMNS.join(', ')})`);
    this.insert = this.db.prepare(`INSERT INTO staged VALUES (${STAGED_COLUMNS.map(() => '?').join(', ')})`);
  }

  add(events: PricedEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.insert.run(eventValues(e));
    })();
  }

  close(): void {
    this.db.close();
  }
}
