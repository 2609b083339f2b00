// Where Codex CLI and Gemini CLI keep their logs. Codex: `${CODEX_HOME:-~/.codex}/sessions/YYYY/MM/DD/rollout-*.jsonl`
// and `archived_sessions/` (a file in both counts once, as its sessions/ copy); CODEX_HOME may list several homes.
// Gemini: `~/.gemini/tmp/<project>/chats/session-*.jsonl`, subagents under `chats/<parentSessionId>/`, and legacy
// `session-*.json`; GEMINI_DIR relocates ~/.gemini, GEMINI_DATA_DIR (as ccusage reads it) the tmp folder itself.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { DiscoveredFile, FileSourceName } from './discovery.js';

export interface SimpleDiscovery {
  files: DiscoveredFile[];
  problems: string[];
  folders: string[];
}

const home = (env: NodeJS.ProcessEnv) => env.HOME || homedir();
const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];

/** Every file under `dir` (recursively) that `keep` accepts, with the folders walked. */
function walk(dir: string, keep: (name: string, rel: string[]) => FileSourceName | null, out: SimpleDiscovery, seen: Set<string>, meta: (path: string, rel: string[]) => { session: string; project: string }, rel: string[] = []): void {
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

export function codexRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = list(env.CODEX_HOME);
  return configured.length ? configured : [join(home(env), '.codex')];
}

export function discoverCodexFiles(env: NodeJS.ProcessEnv = process.env): SimpleDiscovery {
  const out: SimpleDiscovery = { files: [], problems: [], folders: [] };
  const seen = new Set<string>();
  const rollout = (name: string) => (name.startsWith('rollout-') && name.endsWith('.jsonl') ? 'codex' : null);
  // The session id closes the file name: rollout-<YYYY-MM-DDTHH-MM-SS>-<uuid>.jsonl.
  const meta = (path: string) => ({ session: basename(path, '.jsonl').slice(-36), project: '' });
  for (const root of codexRoots(env)) {
    walk(join(root, 'sessions'), rollout, out, seen, meta);
    const names = new Set(out.files.map((f) => basename(f.path)));
    walk(join(root, 'archived_sessions'), (n) => (names.has(n) ? null : rollout(n)), out, seen, meta);
  }
  return out;
}

export function geminiTmpDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.GEMINI_DATA_DIR) return list(env.GEMINI_DATA_DIR);
  return [join(env.GEMINI_DIR || join(home(env), '.gemini'), 'tmp')];
}

/**
 * A Gemini project folder's name back to the project's path. Gemini CLI names them by a short slug it records in
 * `~/.gemini/projects.json` ({"projects": {"<path>": "<slug>"}}) and in the folder's `.project_root`; older versions
 * by the SHA-256 of the path, which the registry's paths can be matched against. A name none of these explains stays.
 */
function geminiProjectPaths(tmp: string, geminiDir: string): (name: string) => string {
  let registry: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readFileSync(join(geminiDir, 'projects.json'), 'utf8')) as { projects?: unknown };
    if (parsed.projects && typeof parsed.projects === 'object') registry = parsed.projects as Record<string, unknown>;
  } catch {
    // no registry (an older Gemini CLI): folder names stay, unless they have a .project_root
  }
  const known = new Map<string, string>();
  for (const [path, slug] of Object.entries(registry)) {
    if (typeof slug === 'string') known.set(slug, path);
    known.set(createHash('sha256').update(path).digest('hex'), path);
  }
  const found = new Map<string, string>();
  return (name) => {
    let path = found.get(name);
    if (path === undefined) {
      try {
        path = readFileSync(join(tmp, name, '.project_root'), 'utf8').trim() || undefined;
      } catch {
        path = undefined;
      }
      path ??= known.get(name) ?? name;
      found.set(name, path);
    }
    return path;
  };
}

export function discoverGeminiFiles(env: NodeJS.ProcessEnv = process.env): SimpleDiscovery {
  const out: SimpleDiscovery = { files: [], problems: [], folders: [] };
  const seen = new Set<string>();
  for (const tmp of geminiTmpDirs(env)) {
    const projectOf = geminiProjectPaths(tmp, env.GEMINI_DIR || join(home(env), '.gemini'));
    walk(tmp, (name, rel) => {
      // <project>/chats/session-*.jsonl, <project>/chats/<parent>/<id>.jsonl (subagents), <project>/chats/session-*.json
      const inChats = rel.length >= 2 && rel[1] === 'chats';
      if (!inChats) return null;
      if (name.endsWith('.jsonl') && (rel.length === 3 || name.startsWith('session-'))) return 'gemini';
      if (rel.length === 2 && name.startsWith('session-') && name.endsWith('.json')) return 'gemini-json';
      return null;
    }, out, seen, (path, rel) => ({ session: basename(path).replace(/\.jsonl?$/, ''), project: rel[0] ? projectOf(rel[0]) : '' }));
  }
  return out;
}
