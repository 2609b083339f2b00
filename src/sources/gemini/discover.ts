// Where Gemini CLI keeps its logs: `~/.gemini/tmp/<project>/chats/session-*.jsonl`, subagents under
// `chats/<parentSessionId>/`, and legacy `session-*.json`; GEMINI_DIR relocates ~/.gemini, GEMINI_DATA_DIR (as
// ccusage reads it) the tmp folder itself.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { emptyDiscovery, homeOf, listVar, walk } from '../walk.js';

export function geminiTmpDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.GEMINI_DATA_DIR) return listVar(env.GEMINI_DATA_DIR);
  return [join(env.GEMINI_DIR || join(homeOf(env), '.gemini'), 'tmp')];
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
    known.set(process.getBuiltinModule('node:crypto').createHash('sha256').update(path).digest('hex'), path);
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

export function discoverGeminiFiles(env: NodeJS.ProcessEnv = process.env): AgentDiscovery {
  const out = emptyDiscovery();
  const seen = new Set<string>();
  for (const tmp of geminiTmpDirs(env)) {
    const projectOf = geminiProjectPaths(tmp, env.GEMINI_DIR || join(homeOf(env), '.gemini'));
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
