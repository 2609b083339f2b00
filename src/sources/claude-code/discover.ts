// Where Claude Code keeps transcripts: `projects/**/*.jsonl` under each root (subagent files included).
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { DiscoveredFile, Discovery } from '../discovery.js';

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
export function discoverClaudeFiles(env: NodeJS.ProcessEnv = process.env): Discovery {
  const { roots, fromEnv } = claudeRoots(env);
  const files: DiscoveredFile[] = [];
  const problems: string[] = [];
  const seenPaths = new Set<string>();
  const seenInodes = new Set<string>();
  const seenDirs = new Set<string>();
  let rootsFound = 0;
  const absent: string[] = [];

  /** `real` is the folder's real path when known (a plain subfolder of a real folder), else it is resolved here. */
  const walk = (dir: string, projectsDir: string, knownReal?: string) => {
    let real: string;
    try {
      real = knownReal ?? realpathSync.native(dir);
    } catch (e) {
      problems.push(`cannot resolve ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push(`cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let st: Stats | undefined;
      if (entry.isSymbolicLink()) {
        try {
          st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link
        }
      }
      if (isDir) {
        walk(path, projectsDir, entry.isSymbolicLink() ? undefined : join(real, entry.name));
        continue;
      }
      if (!isFile || !entry.name.endsWith('.jsonl')) continue;
      try {
        st ??= statSync(path);
        // Only links need resolving: a plain file's real path is its real folder's plus its name.
        const realPath = entry.isSymbolicLink() ? realpathSync.native(path) : join(real, entry.name);
        const inode = `${st.dev}:${st.ino}`;
        if (seenPaths.has(realPath) || seenInodes.has(inode)) continue;
        seenPaths.add(realPath);
        seenInodes.add(inode);
        const rel = relative(projectsDir, path).split(sep);
        files.push({
          path: realPath,
          dev: st.dev,
          ino: st.ino,
          size: st.size,
          mtimeMs: st.mtimeMs,
          source: 'claude-code',
          sessionFallback: basename(entry.name, '.jsonl'),
          projectFallback: rel.length > 1 ? rel[0]! : '',
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
    walk(projects, projects);
  }
  // A root named in CLAUDE_CONFIG_DIR that does not exist is worth a word, unless none exists (then `missing` says it).
  if (rootsFound > 0) for (const p of absent) problems.push(`no Claude Code transcripts at ${p} (named in CLAUDE_CONFIG_DIR)`);
  const missing = rootsFound === 0
    ? `no Claude Code data found: looked for projects/ in ${roots.join(', ')}${fromEnv ? '' : ' (set CLAUDE_CONFIG_DIR to point elsewhere)'}`
    : null;
  return { files, problems, missing };
}
