// Where pi keeps sessions: `${PI_CODING_AGENT_DIR:-~/.pi/agent}/sessions/--<cwd, / \ : as ->--/<time>_<uuid>.jsonl`,
// or flat in the folder PI_CODING_AGENT_SESSION_DIR or settings.json's `sessionDir` names (walked recursively).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';

const expand = (p: string, env: NodeJS.ProcessEnv) => (p === '~' || p.startsWith('~/') ? homeOf(env) + p.slice(1) : p);

export function piAgentDir(env: NodeJS.ProcessEnv): string {
  return env.PI_CODING_AGENT_DIR ? expand(env.PI_CODING_AGENT_DIR, env) : join(homeOf(env), '.pi', 'agent');
}

/** The session folders: the default one, and the one the environment or settings name. */
export function piSessionDirs(env: NodeJS.ProcessEnv): string[] {
  const agent = piAgentDir(env);
  const dirs = [join(agent, 'sessions')];
  let configured = env.PI_CODING_AGENT_SESSION_DIR;
  if (!configured) {
    try {
      const s = JSON.parse(readFileSync(join(agent, 'settings.json'), 'utf8')) as { sessionDir?: unknown };
      if (typeof s.sessionDir === 'string' && s.sessionDir) configured = s.sessionDir;
    } catch {
      // no settings, or not JSON: pi itself falls back to its default folder
    }
  }
  if (configured && !dirs.includes(expand(configured, env))) dirs.push(expand(configured, env));
  return dirs;
}

/** `--home-ana-proj--` back to `/home/ana/proj` (lossy for names with dashes: the header's cwd wins). */
function cwdOfFolder(name: string | undefined): string {
  return name && name.startsWith('--') && name.endsWith('--') ? `/${name.slice(2, -2).replaceAll('-', '/')}` : '';
}

export function discoverPiFiles(env: NodeJS.ProcessEnv): AgentDiscovery {
  const out = emptyDiscovery();
  const seen = new Set<string>();
  for (const dir of piSessionDirs(env)) {
    walk(dir, (name) => (name.endsWith('.jsonl') ? 'pi' : null), out, seen, (path, rel) => ({
      // <time>_<uuid>.jsonl: the session id follows the last underscore.
      session: basename(path, '.jsonl').split('_').at(-1)!,
      project: cwdOfFolder(rel[0]),
    }));
  }
  return out;
}
