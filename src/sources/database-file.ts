// Another program's SQLite database as a "file" of the index: its identity is the database file's, its size and
// time those of the database and its WAL together (a WAL-mode writer may change only the WAL for a long while).
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiscoveredFile } from './discovery.js';

export function statDatabase(path: string): { dev: number; ino: number; size: number; mtimeMs: number } {
  const db = statSync(path);
  let size = db.size;
  let mtimeMs = db.mtimeMs;
  try {
    const wal = statSync(`${path}-wal`);
    size += wal.size;
    mtimeMs = Math.max(mtimeMs, wal.mtimeMs);
  } catch {
    // no WAL (checkpointed and removed, or a rollback-journal database)
  }
  return { dev: db.dev, ino: db.ino, size, mtimeMs };
}

/** A database found at `path`, or a problem saying why it cannot be used. */
export function discoveredDatabase(path: string, source: string, problems: string[]): DiscoveredFile | null {
  try {
    const st = statDatabase(path);
    if (!statSync(path).isFile()) return null;
    return { path, ...st, source, sessionFallback: '', projectFallback: '' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(`cannot stat ${path}: ${code ?? (e as Error).message}`);
    return null;
  }
}

/** Opens another program's live database without writing to it or waiting for its writer. */
export function openLive(path: string): { db: Database.Database; close: () => void } {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 100 });
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get(); // fails here if the WAL index cannot be opened
    return { db, close: () => db.close() };
  } catch (e) {
    // A folder we may not write to (the WAL index needs it): read a private copy instead.
    if (!/readonly|unable to open|SQLITE_CANTOPEN|SQLITE_READONLY/i.test(`${(e as { code?: string }).code} ${(e as Error).message}`)) throw e;
    const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-db-'));
    copyFileSync(path, join(dir, 'copy.db'));
    try {
      copyFileSync(`${path}-wal`, join(dir, 'copy.db-wal'));
    } catch {
      // no WAL
    }
    const db = new Database(join(dir, 'copy.db'), { fileMustExist: true });
    return { db, close: () => { db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
}
