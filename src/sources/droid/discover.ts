// Where Factory Droid keeps sessions: `${FACTORY_HOME_OVERRIDE:-$HOME}/.factory/sessions/<cwd, / as ->/<uuid>.settings.json`
// (its running totals; `.bak` is the version before, never read) beside `<uuid>.jsonl` (the transcript: no usage,
// but its first line's `session_start.cwd` is the project). `~/.factory/settings.json`'s `customModels` say which
// model a `custom:<display name>-<n>` is.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { isObject } from '../file-format.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';

export const factoryDir = (env: NodeJS.ProcessEnv): string => join(env.FACTORY_HOME_OVERRIDE || homeOf(env), '.factory');
export const droidSessionsDir = (env: NodeJS.ProcessEnv): string => join(factoryDir(env), 'sessions');

/** `custom:<display name, spaces as ->-<n>` → the model of the custom model with that display name. */
export function customModels(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const s: unknown = JSON.parse(readFileSync(join(factoryDir(env), 'settings.json'), 'utf8'));
    for (const m of isObject(s) && Array.isArray(s.customModels) ? s.customModels : []) {
      if (isObject(m) && typeof m.model === 'string' && typeof m.displayName === 'string') out[`custom:${m.displayName.trim().replace(/\s+/g, '-')}`] = m.model;
    }
  } catch {
    // no settings: custom models keep their names (priced as unknown)
  }
  return out;
}

/** The cwd the transcript's first line records; kept per file (the first line never changes). */
const cwds = new Map<string, string>();
function transcriptCwd(path: string): string {
  const known = cwds.get(path);
  if (known !== undefined) return known;
  let cwd = '';
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(16384);
      const n = readSync(fd, buf, 0, buf.length, 0);
      const first = buf.subarray(0, n).toString('utf8').split('\n')[0]!;
      const o: unknown = JSON.parse(first);
      if (isObject(o) && typeof o.cwd === 'string') cwd = o.cwd;
    } finally {
      closeSync(fd);
    }
  } catch {
    return ''; // not there yet, or its first line not complete: asked again next time
  }
  cwds.set(path, cwd);
  return cwd;
}

export function discoverDroidFiles(env: NodeJS.ProcessEnv): AgentDiscovery {
  const out = emptyDiscovery();
  const models = customModels(env);
  walk(droidSessionsDir(env), (name) => (name.endsWith('.settings.json') ? 'droid-session' : null), out, new Set(), (path) => ({
    session: basename(path, '.settings.json'),
    project: transcriptCwd(path.replace(/\.settings\.json$/, '.jsonl')),
  }));
  for (const f of out.files) f.models = models;
  return out;
}
