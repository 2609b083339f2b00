// tokenmeter statusline: Claude Code's statusLine command. Reads the session's JSON on stdin and prints one line,
// asking the daemon when one runs (loopback HTTP, 120 ms) and the index otherwise, after reading only the current
// transcript's new bytes. It never fails Claude Code: whatever happens it prints a line and exits 0. While figures
// exist it shows figures: the last good line of the session is kept, and shown when a fresh one is not ready in time.
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PlanName } from '../core/limits.js';
import { runningDaemon } from '../server/instance-lock.js';
import type { StatusData, StatusInput } from '../server/status.js';
import { setPriceConfig } from '../ingest/price-config.js';
import type { Budget } from '../core/budgets.js';
import { loadConfig } from './config.js';
import { postToDaemon } from './daemon-client.js';
import { daemonLockPath, hostName, indexPath, statuslineBudgetMs, statuslineWaitMs, tokenmeterHome } from './home.js';
import { agedLine, StatuslineCache } from './statusline-cache.js';
import { DEFAULT_FORMAT, formatStatusLine } from './statusline-format.js';
import { probeTranscript } from './transcript-probe.js';

/**
 * How long a fresh line may take, counted from this command's own start (Node's start-up is not ours to spend):
 * Claude Code refreshes the line at most every 300 ms. Past it, a recent cached line is shown.
 */
const FRESH_MS = statuslineBudgetMs() - 50;
/** With no recent cached line, how long it waits for the index before saying it is busy. */
const WAIT_MS = statuslineWaitMs();
/** The daemon answers from memory in a few ms; longer means it is busy, and the index is asked instead. */
const DAEMON_TIMEOUT_MS = 120;
/** A cached line older than this says its age. */
const OLD_MS = 60_000;
/** New bytes of the current transcript read before answering, at most (~10 ms of parsing). */
const MAX_REFRESH_BYTES = 2 << 20;
/** How long looking at the transcript's path may take (a stale network mount never answers). */
const PROBE_TIMEOUT_MS = 150;
/** A status-line input is a few KB; more is not one. */
const MAX_INPUT_BYTES = 1 << 20;

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

/**
 * The input, as soon as it is a whole JSON object: Claude Code has been seen to write it and keep the pipe open
 * without an end, so waiting for the end alone could wait forever.
 */
function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (text: string) => {
      process.stdin.removeAllListeners('data');
      process.stdin.pause();
      resolve(text);
    };
    process.stdin.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      const text = Buffer.concat(chunks).toString('utf8');
      if (size > MAX_INPUT_BYTES) return settle(text);
      const t = text.trimEnd();
      if (t.endsWith('}')) {
        try {
          JSON.parse(t);
          settle(text);
        } catch {
          // not whole yet
        }
      }
    });
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
/** The index is being upgraded in the background: the last line (or a note) stands in meanwhile. */
class Upgrading extends Error {}

async function fromIndex(input: StatusInput, plan: PlanName | undefined, limit: string | undefined, budgets: Budget[]): Promise<StatusData> {
  const { SqliteStore } = await import('../store/sqlite.js');
  const { upgradingInBackground } = await import('./background-upgrade.js');
  if (upgradingInBackground()) throw new Upgrading('updating its index');
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
    return await statusData(store, input, { plan, limit, budgets, host: hostName() });
  } finally {
    await store.close();
  }
}

export async function runStatusline(argv: string[]): Promise<void> {
  const started = Date.now();
  let input: StatusInput | null = null;
  let cached: { line: string; at: number } | null = null;
  // Until stdin is read there is no session to look up: the longest wait applies (a second at least: Claude Code
  // writes the input at once).
  let timer = setTimeout(() => finish(fallback(input, 'busy, try again')), Math.max(WAIT_MS, 1000));
  /** Gives up at `at` (ms since the epoch): the cached line if there is one, else a short note. */
  const giveUpAt = (at: number) => {
    clearTimeout(timer);
    const answer = () => finish(cached ? agedLine(cached, Date.now(), OLD_MS) : fallback(input, 'busy, try again'));
    if (at <= Date.now()) return answer();
    timer = setTimeout(answer, at - Date.now());
  };
  try {
    const { values } = parseArgs({
      args: argv, strict: false,
      options: { format: { type: 'string' }, 'no-emoji': { type: 'boolean' }, 'no-color': { type: 'boolean' }, plan: { type: 'string' }, limit: { type: 'string' } },
    });
    const config = loadConfig();
    // What it indexes is priced as every other command prices it (the user's own prices first).
    setPriceConfig(config.pricing);
    const raw = await readStdin();
    try {
      input = raw.trim() ? (JSON.parse(raw) as StatusInput) : {};
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('not an object');
    } catch {
      input = null;
      clearTimeout(timer);
      return finish(fallback(null, 'unreadable status input'));
    }
    const cache = new StatuslineCache(join(tokenmeterHome(), 'statusline'));
    const key = JSON.stringify([input.session_id ?? '', argv]);
    cached = cache.read(key);
    // A recent line may stand in after a short while; an old one, or none, only after the long wait.
    giveUpAt(started + (cached && Date.now() - cached.at <= OLD_MS ? FRESH_MS : WAIT_MS));
    const plan = (typeof values.plan === 'string' ? values.plan : config.plan) as PlanName | undefined;
    const limit = typeof values.limit === 'string' ? values.limit : config.limit !== undefined ? String(config.limit) : undefined;
    let data: StatusData | undefined;
    const owner = runningDaemon(daemonLockPath());
    if (owner) {
      const q = new URLSearchParams();
      if (plan) q.set('plan', plan);
      if (limit) q.set('limit', limit);
      const query = q.size ? `?${q}` : '';
      data = await askDaemon(owner.port, raw.trim() || '{}', query, DAEMON_TIMEOUT_MS).catch(() => undefined);
      // In fleet mode the daemon's figures are the pool's: this machine's index alone would show other figures on
      // alternate calls. Then only the cached line stands in.
      if (!data && owner.fleet) {
        clearTimeout(timer);
        return finish(cached ? agedLine(cached, Date.now(), OLD_MS) : fallback(input, 'the daemon is busy, try again'));
      }
    }
    data ??= await fromIndex(input, plan, limit, config.budgets);
    const s = config.statusline ?? {};
    const line = formatStatusLine(data, {
      format: typeof values.format === 'string' ? values.format : s.format ?? DEFAULT_FORMAT,
      emoji: values['no-emoji'] ? false : s.emoji ?? true,
      color: !values['no-color'] && !process.env.NO_COLOR,
      thresholds: s.thresholds,
    });
    if (done) {
      // Too late for this call; the next one shows it.
      if (line) cache.write(key, line, Date.now());
      return;
    }
    clearTimeout(timer);
    if (line) cache.write(key, line, Date.now());
    finish(line || fallback(input, 'no usage yet'));
  } catch (e) {
    clearTimeout(timer);
    const why = e instanceof Upgrading ? e.message : `unavailable (${(e as Error).message.slice(0, 60)})`;
    finish(cached ? agedLine(cached, Date.now(), OLD_MS) : fallback(input, why));
  }
}
