// OpenCode's database (and Kilo's, the same schema): ../shared/reference/agents.md §1-2. Each model call ends with a
// `step-finish` part `{tokens {input, output, reasoning, cache {read, write}}, cost}`; its message row has the model,
// provider, cwd and times. A message's own `tokens` is only its last step's, and `session` sums and the `event`
// log repeat what the parts hold: only parts are counted, keyed by part id. `input` excludes both cache kinds and
// `output` excludes reasoning, so reasoning is added back into output.
//
// Read incrementally by rowid (parts are appended; OpenCode has no index on their times), re-reading the last few
// rows in case one was updated just after it was written. If rows at or below the cursor changed in number (a
// session deleted, then new rows taking freed rowids), everything is read again: keys make that idempotent.
import type Database from 'better-sqlite3';
import type { UsageEvent } from '../../core/event.js';
import { openLive } from '../database-file.js';
import { count, FormatError, isObject, nonEmpty, recordedCost, type DatabaseFormat, type FileContext } from '../file-format.js';

interface Cursor {
  /** The last part rowid read. */
  rowid: number;
  /** How many parts had a rowid up to `rowid` then. */
  upTo: number;
}

const BATCH = 2000;
/** Rows before the cursor read again, in case they were updated after they were read. */
const REREAD = 32;

interface PartRow {
  rowid: number;
  id: string;
  session: string;
  created: number;
  data: string;
  message: string | null;
}

function partEvent(row: PartRow, tool: string, ctx: FileContext): UsageEvent | string | null {
  let part: unknown;
  let message: unknown = null;
  try {
    part = JSON.parse(row.data);
    if (row.message) message = JSON.parse(row.message);
  } catch {
    return `part ${row.id}: malformed JSON`;
  }
  if (!isObject(part) || part.type !== 'step-finish') return null;
  if (!isObject(part.tokens)) return `part ${row.id}: step-finish without tokens`;
  const t = part.tokens;
  const cache = isObject(t.cache) ? t.cache : {};
  const m = isObject(message) ? message : {};
  try {
    const at = `part ${row.id} tokens`;
    const reasoning = count(t, 'reasoning', at);
    const counts = {
      input: count(t, 'input', at), output: count(t, 'output', at) + reasoning, reasoning,
      cacheRead: count(cache, 'read', `${at}.cache`), cacheWrite5m: count(cache, 'write', `${at}.cache`),
    };
    if (counts.input + counts.output + counts.cacheRead + counts.cacheWrite5m === 0) return null;
    return {
      input: counts.input, output: counts.output, cacheRead: counts.cacheRead, cacheWrite5m: counts.cacheWrite5m,
      cacheWrite1h: 0, reasoning: counts.reasoning, ts: row.created, tool, source: 'transcript', host: ctx.host, sessionId: row.session,
      project: (isObject(m.path) ? nonEmpty(m.path.cwd) : null) ?? ctx.projectFallback,
      model: nonEmpty(m.modelID) ?? 'unknown', speed: 'standard', reportedCost: recordedCost(part.cost),
      dedupKey: `${tool}:${row.id}`, requestId: null, isSidechain: false,
    };
  } catch (e) {
    if (e instanceof FormatError) return e.message;
    throw e;
  }
}

export function openCodeDatabase(tool: string): DatabaseFormat {
  return {
    database: true,
    read(path, state, ctx, emit, problem) {
      const { db, close } = openLive(path);
      try {
        const columns = new Set((db.prepare('PRAGMA table_info(part)').all() as Array<{ name: string }>).map((c) => c.name));
        const missing = ['id', 'message_id', 'session_id', 'time_created', 'data'].filter((c) => !columns.has(c));
        if (missing.length) {
          // A schema this version does not know (or an empty database OpenCode has not set up yet): nothing to read.
          if (columns.size > 0) problem(path, `table part has no column ${missing.join(', ')}: a schema this version of tokenmeter does not know`);
          return state;
        }
        // One read transaction: a consistent snapshot while the writer goes on.
        return db.transaction(() => readParts(db, state, tool, path, ctx, emit, problem))();
      } finally {
        close();
      }
    },
  };
}

function readParts(db: Database.Database, state: string | null, tool: string, path: string, ctx: FileContext, emit: (e: UsageEvent) => void, problem: (where: string, message: string) => void): string {
  let cursor: Cursor = state ? (JSON.parse(state) as Cursor) : { rowid: 0, upTo: 0 };
  const upTo = (rowid: number) => (db.prepare('SELECT count(*) AS n FROM part WHERE rowid <= ?').get(rowid) as { n: number }).n;
  if (cursor.rowid > 0 && upTo(cursor.rowid) !== cursor.upTo) cursor = { rowid: 0, upTo: 0 };
  const select = db.prepare(`SELECT p.rowid AS rowid, p.id AS id, p.session_id AS session, p.time_created AS created, p.data AS data, m.data AS message
    FROM part p LEFT JOIN message m ON m.id = p.message_id
    WHERE p.rowid > ? AND p.data LIKE '%step-finish%' ORDER BY p.rowid LIMIT ${BATCH}`);
  const last = (db.prepare('SELECT max(rowid) AS r FROM part').get() as { r: number | null }).r ?? 0;
  let from = Math.max(cursor.rowid - REREAD, 0);
  for (;;) {
    const rows = select.all(from) as PartRow[];
    for (const row of rows) {
      const e = partEvent(row, tool, ctx);
      if (typeof e === 'string') problem(path, e);
      else if (e) emit(e);
    }
    if (rows.length < BATCH) break;
    from = rows[rows.length - 1]!.rowid;
  }
  // Read up to the last row that existed when the read began; the next read takes what came since.
  return JSON.stringify({ rowid: last, upTo: upTo(last) } satisfies Cursor);
}
