// The plain recursive walk most agents' discovery needs: every file a rule accepts, each once (by real path and by
// device and inode), with the folders walked for watching. Claude Code's discovery has its own, listing-cached walk.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DiscoveredFile, FileSourceName } from './discovery.js';
import type { AgentDiscovery } from './agent-source.js';

export const homeOf = (env: NodeJS.ProcessEnv) => env.HOME || homedir();
/** A comma-separated list of folders in a variable (CODEX_HOME=a,b). */
export const listVar = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];

export const emptyDiscovery = (): Required<Pick<AgentDiscovery, 'files' | 'problems' | 'folders'>> => ({ files: [], problems: [], folders: [] });

/** Which format a file is in (null: not a log), from its name and the folders between the walk's root and it. */
export type FileRule = (name: string, rel: string[]) => FileSourceName | null;
/** The session and project a file stands for when its records do not say. */
export type FileMeta = (path: string, rel: string[]) => { session: string; project: string };

/** Every file under `dir` (recursively) that `keep` accepts. `seen` spans the walks of one discovery. */
export function walk(dir: string, keep: FileRule, out: AgentDiscovery, seen: Set<string>, meta: FileMeta, rel: string[] = []): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') out.problems.push(`cannot read directory ${dir}: ${code}`);
    return;
  }
  out.folders.push(dir);
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      walk(path, keep, out, seen, meta, [...rel, e.name]);
      continue;
    }
    const source = keep(e.name, rel);
    if (!source) continue;
    try {
      const real = realpathSync.native(path);
      const st = statSync(real);
      const id = `${st.dev}:${st.ino}`;
      if (seen.has(real) || seen.has(id)) continue;
      seen.add(real);
      seen.add(id);
      const m = meta(real, rel);
      out.files.push({ path: real, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, source, sessionFallback: m.session, projectFallback: m.project });
    } catch (err) {
      out.problems.push(`cannot stat ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
}
