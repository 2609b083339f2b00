// Where Claude Code keeps transcripts: `projects/**/*.jsonl` under each root (subagent files included).
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { DirListing, DirListings, DiscoveredFile, Discovery } from '../discovery.js';

/** How long a folder must have been unchanged before its listing is kept (see `listing`). */
const STILL_MS = 2000;

export function claudeRoots(env: NodeJS.ProcessEnv = process.env): { roots: string[]; fromEnv: boolean } {
  const configured = env.CLAUDE_CONFIG_DIR?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  if (configured.length > 0) return { roots: configured.map(expandHome), fromEnv: true };
  const home = env.HOME || homedir();
  return { roots: [join(home, '.config', 'claude'), join(home, '.claude')], fromEnv: false };
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith(`~${sep}`) ? join(process.env.HOME || homedir(), p.slice(1)) : resolve(p);
}

/**
 * Lists every transcript once: a root reached twice (a symlink, a bind mount, or the same folder named twice)
 * yields each file once, by real path and by device and inode.
 */
export function discoverClaudeFiles(env: NodeJS.ProcessEnv = process.env, previous: DirListings = new Map()): Discovery {
  const { roots, fromEnv } = claudeRoots(env);
  const files: DiscoveredFile[] = [];
  const problems: string[] = [];
  const seenPaths = new Set<string>();
  const seenInodes = new Set<string>();
  const seenDirs = new Set<string>();
  let rootsFound = 0;
  const absent: string[] = [];

  const changed: DirListings = new Map();
  const now = Date.now();
  /**
   * A folder's entries: the listing kept from last time while its mtime is unchanged (a stat is far cheaper than a
   * read of the folder), else read afresh. A listing is kept only once its folder has been still for a while: an
   * entry added in the same clock tick as the read would not change the mtime again.
   */
  const listing = (dir: string, real: string): DirListing['entries'] => {
    const mtimeMs = statSync(dir).mtimeMs;
    const kept = previous.get(real);
    if (kept && kept.mtimeMs === mtimeMs) return kept.entries;
    const entries = readdirSync(dir, { withFileTypes: true }).map((e): [string, 'd' | 'f' | 'l' | 'o'] => [
      e.name, e.isSymbolicLink() ? 'l' : e.isDirectory() ? 'd' : e.isFile() ? 'f' : 'o',
    ]);
    if (now - mtimeMs > STILL_MS) changed.set(real, { mtimeMs, entries });
    return entries;
  };

  /**
   * `project` is the folder under projects/ the walk is in ('' at the top); `real` is the folder's real path when
   * known (a plain subfolder of a real folder), else it is resolved here. Paths are joined by hand: this runs for
   * every file at every report.
   */
  const walk = (dir: string, project: string, knownReal?: string) => {
    let real: string;
    try {
      real = knownReal ?? realpathSync.native(dir);
    } catch (e) {
      problems.push(`cannot resolve ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries: DirListing['entries'];
    try {
      entries = listing(dir, real);
    } catch (e) {
      problems.push(`cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    for (const [name, kind] of entries) {
      const path = dir + sep + name;
      const isLink = kind === 'l';
      let isDir = kind === 'd';
      let isFile = kind === 'f';
      let st: Stats | undefined;
      if (isLink) {
        try {
          st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link
        }
      }
      if (isDir) {
        walk(path, project || name, isLink ? undefined : real + sep + name);
        continue;
      }
      if (!isFile || !name.endsWith('.jsonl')) continue;
      try {
        st ??= statSync(path);
        // Only links need resolving: a plain file's real path is its real folder's plus its name.
        const realPath = isLink ? realpathSync.native(path) : real + sep + name;
        const inode = `${st.dev}:${st.ino}`;
        if (seenPaths.has(realPath) || seenInodes.has(inode)) continue;
        seenPaths.add(realPath);
        seenInodes.add(inode);
        files.push({
          path: realPath,
          dev: st.dev,
          ino: st.ino,
          size: st.size,
          mtimeMs: st.mtimeMs,
          source: 'claude-code',
          sessionFallback: name.slice(0, -'.jsonl'.length),
          projectFallback: project,
        });
      } catch (e) {
        problems.push(`cannot stat ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
  };

  for (const root of roots) {
    const projects = join(root, 'projects');
    let ok = false;
    try {
      ok = statSync(projects).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) {
      if (fromEnv) absent.push(projects);
      continue;
    }
    rootsFound++;
    walk(projects, '');
  }
  // A root named in CLAUDE_CONFIG_DIR that does not exist is worth a word, unless none exists (then `missing` says it).
  if (rootsFound > 0) for (const p of absent) problems.push(`no Claude Code transcripts at ${p} (named in CLAUDE_CONFIG_DIR)`);
  const missing = rootsFound === 0
    ? `no Claude Code data found: looked for projects/ in ${roots.join(', ')}${fromEnv ? '' : ' (set CLAUDE_CONFIG_DIR to point elsewhere)'}`
    : null;
  const removed = [...previous.keys()].filter((d) => !seenDirs.has(d));
  return { files, problems, missing, listings: { changed, removed }, folders: [...seenDirs] };
}
