// Crush keeps one SQLite database per project (`<data_dir>/crush.db`), each listed in its global
// `projects.json` (`${CRUSH_GLOBAL_DATA:-$XDG_DATA_HOME/crush}`): ../shared/reference/agents.md §11.
//
// Only a session's cost accumulates: its `prompt_tokens`/`completion_tokens` are gauges (the latest step's context
// and output, reset by a summary), and per-step tokens are never written. So each top-level session is one record
// that grows: its cost (children's included, as Crush adds them to the parent) as the reported cost, its tokens
// unknown (reports mark them, never zero), its model the last one its messages name. Read whole at each change: the
// sessions table is small, and its rows are updated in place. Read from Crush's schema, never run (see the README).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { emptyCounts } from '../../core/event.js';
import type { AgentSource } from '../agent-source.js';
import { discoveredDatabase, openLive } from '../database-file.js';
import { isObject, nonEmpty, type DatabaseFormat } from '../file-format.js';
import { emptyDiscovery, homeOf } from '../walk.js';

const crushDataDir = (env: NodeJS.ProcessEnv): string =>
  env.CRUSH_GLOBAL_DATA || join(env.XDG_DATA_HOME || join(homeOf(env), '.local', 'share'), 'crush');

/** Each project Crush has run in: its path and data folder (relative data folders are the project's). */
function projects(env: NodeJS.ProcessEnv, problems: string[]): Array<{ path: string; dataDir: string }> {
  const file = join(crushDataDir(env), 'projects.json');
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'malformed JSON'}`);
    return [];
  }
  const out: Array<{ path: string; dataDir: string }> = [];
  for (const p of isObject(list) && Array.isArray(list.projects) ? list.projects : []) {
    const path = isObject(p) ? nonEmpty(p.path) : null;
    const dataDir = isObject(p) ? nonEmpty(p.data_dir) : null;
    if (path && dataDir) out.push({ path, dataDir: isAbsolute(dataDir) ? dataDir : join(path, dataDir) });
  }
  return out;
}

/** Crush writes seconds where its schema says milliseconds (a trigger's strftime('%s')): either is read. */
const msOf = (t: number) => (t < 1e11 ? t * 1000 : t);

interface SessionRow {
  id: string;
  cost: number | null;
  created: number | null;
  updated: number | null;
  model: string | null;
}

export const crushDatabase: DatabaseFormat = {
  database: true,
  wholeRead: true,
  read(path, _state, ctx, emit, problem) {
    const { db, close } = openLive(path);
    try {
      const columns = new Set((db.prepare('PRAGMA table_info(sessions)').all() as Array<{ name: string }>).map((c) => c.name));
      const missing = ['id', 'parent_session_id', 'cost', 'updated_at'].filter((c) => !columns.has(c));
      if (missing.length) {
        if (columns.size > 0) problem(path, `table sessions has no column ${missing.join(', ')}: a schema this version of tokenmeter does not know`);
        return null;
      }
      const hasModel = (db.prepare("SELECT count(*) AS n FROM pragma_table_info('messages') WHERE name = 'model'").get() as { n: number }).n > 0;
      const rows = db.prepare(`SELECT s.id, s.cost, s.created_at AS created, s.updated_at AS updated,
          ${hasModel ? `(SELECT m.model FROM messages m WHERE m.session_id = s.id AND m.model IS NOT NULL AND m.model <> '' ORDER BY m.created_at DESC LIMIT 1)` : 'NULL'} AS model
        FROM sessions s WHERE s.parent_session_id IS NULL OR s.parent_session_id = ''`).all() as SessionRow[];
      for (const s of rows) {
        if (typeof s.cost !== 'number' || !(s.cost > 0)) continue; // nothing spent, or a flat-rate plan: nothing known
        const ts = msOf(Number(s.updated ?? s.created));
        emit({
          ...emptyCounts(), ts, tool: 'crush', source: 'transcript', host: ctx.host, sessionId: s.id, project: ctx.projectFallback,
          model: s.model ?? 'unknown', speed: 'standard', reportedCost: s.cost, dedupKey: `crush:${s.id}`, requestId: null,
          isSidechain: false, tokensUnknown: true,
        });
      }
      return null;
    } finally {
      close();
    }
  },
};

export const crushSource: AgentSource = {
  tool: 'crush',
  name: 'Crush',
  agent: 'crush',
  where: 'each project\'s `crush.db` (its live SQLite database, read-only), found through `~/.local/share/crush/projects.json`',
  yields: 'per session only (one record that grows): its cost as Crush recorded it, model, project; tokens unknown (Crush keeps no per-call counts)',
  env: ['CRUSH_GLOBAL_DATA', 'XDG_DATA_HOME'],
  serviceNames: ['crush'],
  roots: (env) => [crushDataDir(env), ...projects(env, []).map((p) => p.dataDir)],
  watch: (env) => [[crushDataDir(env)], ...projects(env, []).map((p) => [p.dataDir])],
  discover: (env) => {
    const out = emptyDiscovery();
    for (const p of projects(env, out.problems)) {
      const f = discoveredDatabase(join(p.dataDir, 'crush.db'), 'crush-db', out.problems);
      if (f) out.files.push({ ...f, projectFallback: p.path });
      out.folders.push(p.dataDir);
    }
    return out;
  },
  formats: { 'crush-db': crushDatabase },
};
