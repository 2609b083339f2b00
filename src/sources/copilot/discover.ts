// Where Copilot CLI keeps session events: `${COPILOT_HOME:-~/.copilot}/session-state/<session>/events.jsonl`, and
// the copy COPILOT_EVENTS_LOG_DIRECTORY asks for (the same calls, counted once by their response ids).
import { basename, dirname, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';

export const copilotHome = (env: NodeJS.ProcessEnv): string => env.COPILOT_HOME || join(homeOf(env), '.copilot');

export function copilotEventDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs = [join(copilotHome(env), 'session-state')];
  if (env.COPILOT_EVENTS_LOG_DIRECTORY) dirs.push(env.COPILOT_EVENTS_LOG_DIRECTORY);
  return dirs;
}

export function discoverCopilotFiles(env: NodeJS.ProcessEnv): AgentDiscovery {
  const out = emptyDiscovery();
  const seen = new Set<string>();
  const [state, ...extra] = copilotEventDirs(env);
  walk(state!, (name, rel) => (rel.length === 1 && name === 'events.jsonl' ? 'copilot' : null), out, seen,
    (path) => ({ session: basename(dirname(path)), project: '' }));
  for (const dir of extra) walk(dir, (name) => (name.endsWith('.jsonl') ? 'copilot' : null), out, seen, (path) => ({ session: basename(path, '.jsonl'), project: '' }));
  return out;
}
