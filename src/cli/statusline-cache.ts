// The last good status line of each session, kept in a small file: when a fresh answer cannot be had in time (a busy
// machine, a daemon that is slow to answer), the last one is shown instead of nothing.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CachedLine {
  /** When it was computed, ms since the epoch. */
  at: number;
  line: string;
}

/** Cached lines nobody asked for in this long are removed now and then. */
const KEEP_MS = 7 * 86_400_000;

export class StatuslineCache {
  constructor(private readonly dir: string) {}

  /** One file per session and way of printing it (format, options): its key hashed into a name. */
  private file(key: string): string {
    return join(this.dir, `${createHash('sha1').update(key).digest('hex').slice(0, 20)}.json`);
  }

  read(key: string): CachedLine | null {
    try {
      const v = JSON.parse(readFileSync(this.file(key), 'utf8')) as CachedLine;
      return typeof v.at === 'number' && typeof v.line === 'string' ? v : null;
    } catch {
      return null;
    }
  }

  /** Written whole or not at all (a rename), so a reader never sees half a line. */
  write(key: string, line: string, at: number): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const path = this.file(key);
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ at, line } satisfies CachedLine));
      renameSync(tmp, path);
      if (Math.random() < 0.02) this.prune(at);
    } catch {
      // A cache that cannot be written only means no fallback next time.
    }
  }

  private prune(now: number): void {
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      try {
        if (now - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { force: true });
      } catch {
        // gone already
      }
    }
  }
}

/** How a cached line says its age once it is old: ` (5m ago)`. */
export function agedLine(c: CachedLine, now: number, oldMs: number): string {
  const age = now - c.at;
  if (age <= oldMs) return c.line;
  const m = Math.round(age / 60_000);
  return `${c.line} (${m >= 120 ? `${Math.round(m / 60)}h` : `${m}m`} ago)`;
}
