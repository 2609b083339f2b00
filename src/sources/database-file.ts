// Another program's SQLite database as a "file" of the index: its identity is the database file's, its size and
// time those of the database and its WAL together (a WAL-mode writer may change only the WAL for a long while).
import { statSync } from 'node:fs';
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
