// Where Codex CLI keeps its logs: `${CODEX_HOME:-~/.codex}/sessions/YYYY/MM/DD/rollout-*.jsonl` and
// `archived_sessions/` (a file in both counts once, as its sessions/ copy); CODEX_HOME may list several homes.
import { basename, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { emptyDiscovery, homeOf, listVar, walk } from '../walk.js';

export function codexRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = listVar(env.CODEX_HOME);
  return configured.length ? configured : [join(homeOf(env), '.codex')];
}

export function discoverCodexFiles(env: NodeJS.ProcessEnv = process.env): AgentDiscovery {
  const out = emptyDiscovery();
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
