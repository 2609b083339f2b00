// Follows log folders for changes: an fs.watch per folder (inotify on Linux, FSEvents on macOS) says which file
// changed, within milliseconds; a periodic sweep catches what watching misses (network file systems, a folder created
// before its watch, an event queue overflow). Callers learn either the files that changed or that they should look
// at everything again.
import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';

export type Change = { kind: 'files'; paths: Set<string> } | { kind: 'sweep' };

export interface WatcherOptions {
  /**
   * The log a changed name belongs to (itself, or the database whose WAL it is), null for a name that never
   * matters (a database's shared-memory file), undefined for anything else (a new folder: look again).
   */
  logOf: (name: string) => string | null | undefined;
  onChange: (c: Change) => void;
  sweepMs: number;
  onError?: (dir: string, e: Error) => void;
}

export class FolderWatcher {
  private watchers = new Map<string, FSWatcher>();
  private sweepTimer: NodeJS.Timeout;

  constructor(private readonly opts: WatcherOptions) {
    this.sweepTimer = setInterval(() => opts.onChange({ kind: 'sweep' }), opts.sweepMs);
    this.sweepTimer.unref();
  }

  get count(): number {
    return this.watchers.size;
  }

  /** Watches exactly these folders: new ones are added, ones no longer listed are closed. */
  setFolders(dirs: Iterable<string>): void {
    const wanted = new Set(dirs);
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          const file = name ? this.opts.logOf(String(name)) : undefined;
          if (file) this.opts.onChange({ kind: 'files', paths: new Set([dir + sep + file]) });
          else if (file === undefined) this.opts.onChange({ kind: 'sweep' }); // a new folder, or an event without a name
        });
        w.on('error', (e) => {
          this.watchers.get(dir)?.close();
          this.watchers.delete(dir);
          this.opts.onError?.(dir, e);
          this.opts.onChange({ kind: 'sweep' });
        });
        this.watchers.set(dir, w);
      } catch (e) {
        // Gone since it was listed, or out of inotify watches: the sweep still covers it.
        this.opts.onError?.(dir, e as Error);
      }
    }
  }

  close(): void {
    clearInterval(this.sweepTimer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
