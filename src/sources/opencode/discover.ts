// Where OpenCode (and its fork Kilo) keep usage: `${XDG_DATA_HOME:-~/.local/share}/<app>/<app>.db` (also on macOS),
// channel builds' `<app>-<channel>.db` beside it, the file `<APP>_DB` names (absolute or relative to that folder);
// before the database, `storage/message/<session>/<message>.json` there.
import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { AgentDiscovery } from '../agent-source.js';
import { discoveredDatabase } from '../database-file.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';

export interface OpenCodeLike {
  /** Folder name under the data folder, database name stem and variable prefix: opencode, kilo. */
  app: string;
  databaseFormat: string;
  messageFormat: string;
}

export function dataDir(app: string, env: NodeJS.ProcessEnv): string {
  return join(env.XDG_DATA_HOME || join(homeOf(env), '.local', 'share'), app);
}

/** The databases: every `<app>*.db` in the data folder, and the one `<APP>_DB` names. */
export function databasePaths(app: string, env: NodeJS.ProcessEnv): string[] {
  const dir = dataDir(app, env);
  const paths: string[] = [];
  try {
    for (const name of readdirSync(dir)) if (name.startsWith(app) && name.endsWith('.db')) paths.push(join(dir, name));
  } catch {
    // no data folder yet
  }
  const named = env[`${app.toUpperCase()}_DB`];
  if (named) {
    const p = isAbsolute(named) ? named : join(dir, named);
    if (!paths.includes(p)) paths.push(p);
  }
  return paths;
}

export function discoverOpenCodeLike(a: OpenCodeLike, env: NodeJS.ProcessEnv): AgentDiscovery {
  const out = emptyDiscovery();
  const dir = dataDir(a.app, env);
  for (const path of databasePaths(a.app, env)) {
    const f = discoveredDatabase(path, a.databaseFormat, out.problems);
    if (f) {
      out.files.push(f);
      out.folders.push(dirname(path));
    }
  }
  // Legacy message files count only where no database took them over.
  if (out.files.length === 0) {
    walk(join(dir, 'storage', 'message'), (name, rel) => (rel.length === 1 && name.endsWith('.json') ? a.messageFormat : null), out, new Set(),
      (_path, rel) => ({ session: rel[0] ?? '', project: '' }));
  }
  return out;
}
