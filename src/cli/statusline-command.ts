// tokenmeter statusline: Claude Code's statusLine command. Reads the session's JSON on stdin and prints one line,
// asking the daemon when one runs (loopback HTTP, a hard timeout) and the index otherwise, after reading only the
// current transcript's new bytes. It never fails Claude Code: whatever happens it prints a line and exits 0, and it
// gives up at 300 ms of process time.
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { PlanName } from '../core/limits.js';
import { runningDaemon } from '../server/instance-lock.js';
import type { StatusData, StatusInput } from '../server/status.js';
import { loadConfig } from './config.js';
import { postToDaemon } from './daemon-client.js';
import { daemonLockPath, hostName, indexPath, statuslineBudgetMs } from './home.js';
import { DEFAULT_FORMAT, formatStatusLine } from './statusline-format.js';
import { probeTranscript } from './transcript-probe.js';

/**
 * Process time after which the line is given up for the fallback (Claude Code refreshes at most every 300 ms); the
 * budget is TOKENMETER_STATUSLINE_BUDGET_MS when set (a slow machine, tests on a loaded one).
 */
const DEADLINE_MS = statuslineBudgetMs() - 30;
const DAEMON_TIMEOUT_MS = 120;
/** New bytes of the current transcript read before answering, at most (~10 ms of parsing). */
const MAX_REFRESH_BYTES = 2 << 20;
/** How long looking at the transcript's path may take (a stale network mount never answers). */
const PROBE_TIMEOUT_MS = 150;

let done = false;
function finish(line: string): void {
  if (done) return;
  done = true;
  process.stdout.write(`${line}\n`, () => process.exit(0));
}

function fallback(input: StatusInput | null, why: string): string {
  const model = input?.model?.display_name ?? input?.model?.id;
  return `${model ? `${model} | ` : ''}tokenmeter: ${why}`;
}

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function askDaemon(port: number, body: string, query: string, timeoutMs: number): Promise<StatusData> {
  const r = await postToDaemon(port, `/api/statusline${query}`, body, timeoutMs);
  if (r.status !== 200) throw new Error(`daemon answered ${r.status}`);
  return JSON.parse(r.body) as StatusData;
}

/** Without a daemon: read the session's transcript's new bytes, then compute from the index. */
async function fromIndex(input: StatusInput, plan: PlanName | undefined, limit: string | undefined): Promise<StatusData> {
  const { SqliteStore } = await import('../store/sqlite.js');
  const { statusData } = await import('../server/status.js');
  const store = new SqliteStore(indexPath());
  try {
    const found = typeof input.transcript_path === 'string' ? await probeTranscript(input.transcript_path, PROBE_TIMEOUT_MS) : null;
    if (found) {
      try {
        const { path, stat: st } = found;
        const { backlogBytes, refreshIndex } = await import('../ingest/indexer.js');
        const file = {
          path, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, source: 'claude-code' as const,
          sessionFallback: basename(path, '.jsonl'), projectFallback: basename(dirname(path)),
        };
        // A large backlog (a long transcript never indexed) would not fit the time a status line has.
        if (backlogBytes([file], await store.checkpointsOf([path])) <= MAX_REFRESH_BYTES) await refreshIndex(store, [file], { host: hostName(), workers: 1, fewFiles: true });
      } catch {
        // A transcript not written yet (a session's first line), or gone: the index answers as it is.
      }
    }
    return await statusData(store, input, { plan, limit });
  } finally {
    await store.close();
  }
}

export async function runStatusline(argv: string[]): Promise<void> {
  let input: StatusInput | null = null;
  const left = DEADLINE_MS - performance.now();
  if (left <= 0) return finish(fallback(input, 'busy, try again'));
  const timer = setTimeout(() => finish(fallback(input, 'busy, try again')), left);
  try {
    const { values } = parseArgs({
      args: argv, strict: false,
      options: { format: { type: 'string' }, 'no-emoji': { type: 'boolean' }, 'no-color': { type: 'boolean' }, plan: { type: 'string' }, limit: { type: 'string' } },
    });
    const config = loadConfig();
    const raw = await readStdin();
    try {
      input = raw.trim() ? (JSON.parse(raw) as StatusInput) : {};
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('not an object');
    } catch {
      input = null;
      clearTimeout(timer);
      return finish(fallback(null, 'unreadable status input'));
    }
    const plan = (typeof values.plan === 'string' ? values.plan : config.plan) as PlanName | undefined;
    const limit = typeof values.limit === 'string' ? values.limit : config.limit !== undefined ? String(config.limit) : undefined;
    let data: StatusData | undefined;
    const owner = runningDaemon(daemonLockPath());
    if (owner) {
      const q = new URLSearchParams();
      if (plan) q.set('plan', plan);
      if (limit) q.set('limit', limit);
      const query = q.size ? `?${q}` : '';
      data = await askDaemon(owner.port, raw.trim() || '{}', query, Math.min(DAEMON_TIMEOUT_MS, DEADLINE_MS - performance.now() - 60)).catch(() => undefined);
    }
    data ??= await fromIndex(input, plan, limit);
    const s = config.statusline ?? {};
    const line = formatStatusLine(data, {
      format: typeof values.format === 'string' ? values.format : s.format ?? DEFAULT_FORMAT,
      emoji: values['no-emoji'] ? false : s.emoji ?? true,
      color: !values['no-color'] && !process.env.NO_COLOR,
      thresholds: s.thresholds,
    });
    clearTimeout(timer);
    finish(line || fallback(input, 'no usage yet'));
  } catch (e) {
    clearTimeout(timer);
    finish(fallback(input, `unavailable (${(e as Error).message.slice(0, 60)})`));
  }
}
