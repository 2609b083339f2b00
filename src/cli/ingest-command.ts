// tokenmeter ingest: stores one request's usage read from stdin (see sources/hook/usage.ts), through the daemon when
// one runs (so its live figures include it), else into the index directly.
import Database from 'better-sqlite3';
import type { Tool, UsageEvent } from '../core/event.js';
import { isTool, TOOLS } from '../sources/registry.js';
import { runningDaemon } from '../server/instance-lock.js';
import { parsePushedUsage, UsageShapeError } from '../sources/hook/usage.js';
import { SqliteStore } from '../store/sqlite.js';
import { postToDaemon } from './daemon-client.js';
import { daemonLockPath, hostName, indexPath } from './home.js';
import { UsageError } from './usage-error.js';

export interface IngestFlags {
  model?: string;
  tool?: string;
  session?: string;
  project?: string;
  id?: string;
}

const MAX_STDIN = 16 << 20;

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > MAX_STDIN) throw new UsageError(`stdin: more than ${MAX_STDIN} bytes; expected one usage object or API response`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function store(ev: UsageEvent): Promise<void> {
  const daemon = runningDaemon(daemonLockPath());
  if (daemon) {
    const r = await postToDaemon(daemon.port, '/api/ingest', JSON.stringify({ events: [ev] }), 2000).catch(() => null);
    if (r?.status === 200) return;
  }
  const { openPriceBook, priceEvents } = await import('../ingest/prices.js');
  const s = new SqliteStore(indexPath());
  try {
    const book = await openPriceBook(s);
    await s.commit({ replacedFileIds: [], checkpoints: [], events: await priceEvents([ev], book) });
    await s.savePrices(book.takeAdded());
    await s.settle();
  } finally {
    await s.close();
  }
}

/** Whether the index already holds a request under this key (read-only: a daemon may be writing). */
function alreadyStored(key: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(indexPath(), { readonly: true, fileMustExist: true });
    return db.prepare('SELECT 1 FROM events WHERE dedup_key = ?').get(key) !== undefined;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

export async function runIngest(flags: IngestFlags): Promise<void> {
  if (flags.tool !== undefined && !isTool(flags.tool)) throw new UsageError(`--tool: expected one of ${TOOLS.join(', ')}, got "${flags.tool}"`);
  const raw = await readAll();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new UsageError(`stdin: not JSON${at ? ` (at byte ${at})` : ''}; expected {"usage": {...}} or an API response`);
  }
  let ev: UsageEvent;
  try {
    ev = parsePushedUsage(body, { ...flags, tool: flags.tool as Tool | undefined, host: hostName(), now: Date.now() });
  } catch (e) {
    if (e instanceof UsageShapeError) throw new UsageError(`stdin: ${e.message}`);
    throw e;
  }
  const known = !ev.dedupKey.startsWith('ingest:') && alreadyStored(ev.dedupKey);
  await store(ev);
  if (known) {
    process.stderr.write(`tokenmeter: id ${ev.dedupKey} was already stored; the larger of the two copies is kept\n`);
    return;
  }
  process.stderr.write(`tokenmeter: stored ${ev.model}: input ${ev.input}, output ${ev.output}, cache read ${ev.cacheRead}, cache write ${ev.cacheWrite5m + ev.cacheWrite1h} (${ev.dedupKey.startsWith('ingest:') ? 'no id: not idempotent' : `id ${ev.dedupKey}`})\n`);
}
