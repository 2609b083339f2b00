// Where Cline keeps usage. Cline CLI 3.x: `${CLINE_DATA_DIR:-~/.cline/data}/sessions/<id>/<id>.messages.json`, with
// the session's cwd in `<id>.json` beside it. The VS Code extensions (Cline, Roo Code, Kilo Code) and Cline CLI 2.x:
// `tasks/<taskId>/ui_messages.json` under each editor's `User/globalStorage/<extension id>/` (every VS Code-family
// editor: Code, Insiders, VSCodium, Cursor, Windsurf…, local or remote server) and under `~/.cline/data/`, with each
// task's cwd in `state/taskHistory.json`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { isObject } from '../file-format.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';

/** The extensions that keep Cline's task files, by their VS Code ids. */
export const CLINE_EXTENSIONS = ['saoudrizwan.claude-dev', 'rooveterinaryinc.roo-cline', 'kilocode.kilo-code'];

export const clineDataDir = (env: NodeJS.ProcessEnv): string => env.CLINE_DATA_DIR || join(env.CLINE_DIR || join(homeOf(env), '.cline'), 'data');
export const clineSessionsDir = (env: NodeJS.ProcessEnv): string => env.CLINE_SESSION_DATA_DIR || join(clineDataDir(env), 'sessions');

/**
 * Every `User/globalStorage` folder of a VS Code-family editor on this machine: any editor folder under the
 * platform's settings folders that has one (so a fork we never heard of is found too), and the remote servers'.
 */
export function editorStorages(env: NodeJS.ProcessEnv): string[] {
  const home = homeOf(env);
  const bases = [env.XDG_CONFIG_HOME || join(home, '.config'), join(home, 'Library', 'Application Support'), ...(env.APPDATA ? [env.APPDATA] : [])];
  const found: string[] = [];
  for (const base of bases) {
    let names: string[];
    try {
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const storage = join(base, name, 'User', 'globalStorage');
      if (existsSync(storage)) found.push(storage);
    }
  }
  let dotted: string[] = [];
  try {
    dotted = readdirSync(home).filter((n) => /^\.[\w-]+-server(-insiders)?$/.test(n));
  } catch {
    // no home folder
  }
  for (const server of dotted) {
    const storage = join(home, server, 'data', 'User', 'globalStorage');
    if (existsSync(storage)) found.push(storage);
  }
  return found;
}

/** The folders holding `tasks/`: each extension's storage in each editor, and Cline CLI 2.x's data folder. */
export function clineTaskRoots(env: NodeJS.ProcessEnv): string[] {
  return [clineDataDir(env), ...editorStorages(env).flatMap((s) => CLINE_EXTENSIONS.map((id) => join(s, id)))];
}

/** Each task's cwd from the task history beside the tasks (a task's own sums there are never counted). */
function taskCwds(root: string): Map<string, string> {
  const cwds = new Map<string, string>();
  try {
    const history: unknown = JSON.parse(readFileSync(join(root, 'state', 'taskHistory.json'), 'utf8'));
    for (const item of Array.isArray(history) ? history : []) {
      if (isObject(item) && typeof item.id === 'string' && typeof item.cwdOnTaskInitialization === 'string') cwds.set(item.id, item.cwdOnTaskInitialization);
    }
  } catch {
    // no history (older versions kept it in state.vscdb): the task's project stays unknown
  }
  return cwds;
}

/** A Cline 3.x session's cwd, from `<id>.json` beside its messages; kept by mtime between discoveries. */
const sessionCwds = new Map<string, { mtimeMs: number; cwd: string }>();
function sessionCwd(messagesPath: string): string {
  const path = join(dirname(messagesPath), `${basename(messagesPath, '.messages.json')}.json`);
  try {
    const { mtimeMs } = statSync(path);
    const known = sessionCwds.get(path);
    if (known?.mtimeMs === mtimeMs) return known.cwd;
    const s: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const cwd = isObject(s) ? (typeof s.cwd === 'string' ? s.cwd : typeof s.workspace_root === 'string' ? s.workspace_root : '') : '';
    sessionCwds.set(path, { mtimeMs, cwd });
    return cwd;
  } catch {
    return ''; // not written yet, or being rewritten: the next discovery tries again
  }
}

export function discoverClineFiles(env: NodeJS.ProcessEnv): AgentDiscovery {
  const out = emptyDiscovery();
  const seen = new Set<string>();
  walk(clineSessionsDir(env), (name) => (name.endsWith('.messages.json') ? 'cline-session' : null), out, seen, (path) => ({
    session: basename(path, '.messages.json'),
    project: sessionCwd(path),
  }));
  for (const root of clineTaskRoots(env)) {
    if (!existsSync(join(root, 'tasks'))) continue;
    const cwds = taskCwds(root);
    walk(join(root, 'tasks'), (name, rel) => (name === 'ui_messages.json' && rel.length === 1 ? 'cline-task' : null), out, seen, (_path, rel) => ({
      session: rel[0]!,
      project: cwds.get(rel[0]!) ?? '',
    }));
  }
  return out;
}
