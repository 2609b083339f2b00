// Brings the store up to date with the files on disk, reading only bytes it has not read before.
import { availableParallelism } from 'node:os';
import { PriceBook } from '../core/pricing.js';
import { priceLookup, wantedPricingVersion } from './price-config.js';
import type { DiscoveredFile } from '../sources/discovery.js';
import type { Checkpoint, FileStamp, Store } from '../store/store.js';
import { BatchWriter } from './batch-writer.js';
import { headHash } from './fingerprint.js';
import { loadDatabase, openPriceBook } from './prices.js';
import { readInWorkers, workerScript } from './pool.js';
import { isDatabase, readLogFile, readWholeDatabase, rewrittenWhole, type ReadRequest, type ReadResult } from './read-file.js';
import { WriteLock } from './write-lock.js';

/** Below this many new bytes, starting worker threads costs more than it saves. */
export const PARALLEL_THRESHOLD_BYTES = 24 << 20;
/** A first load at least this large drops and rebuilds secondary indexes. */
const BULK_THRESHOLD_BYTES = 64 << 20;

export interface IndexOptions {
  host: string;
  /** Worker threads for large reads; defaults to one per core. */
  workers?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Only these files' checkpoints are needed (a few files in a large index): looked up one by one. */
  fewFiles?: boolean;
  /** The clock that judges timestamps (tests set it); defaults to now. */
  now?: number;
  /**
   * This thread must stay free to answer others (the daemon): it reads nothing itself, and a large read goes to
   * worker threads alone. By default it reads as one of the readers.
   */
  keepThreadFree?: boolean;
}

export interface FileProblem {
  path: string;
  line: number;
  message: string;
}

export interface IndexStats {
  files: number;
  filesRead: number;
  filesReplaced: number;
  bytesRead: number;
  events: number;
  badLines: number;
  /** The first bad lines and unreadable files, with where they are. */
  problems: FileProblem[];
  skippedSynthetic: number;
  skippedProgress: number;
  repriced: number;
  /** Milliseconds per phase, for --verbose. */
  phases: Record<string, number>;
}

function sameHead(path: string, stored: string): boolean {
  const len = Number(stored.split(':')[0]);
  return Number.isFinite(len) && headHash(path, len) === stored;
}

/**
 * File timestamps are coarse (a few ms on Linux, 1-2 s on some filesystems): a file written within this long before
 * its checkpoint may have been written again since with the same size and mtime.
 */
export const RACY_MS = 2000;

/**
 * The same file, unchanged since its checkpoint: unless it was last written so close to its checkpoint that size and
 * mtime cannot tell (then the fingerprints decide: an append of nothing checks the bytes before the offset, and the
 * head). A database's size counts its WAL's.
 */
function unchanged(file: DiscoveredFile, cp: FileStamp): boolean {
  return cp.dev === file.dev && cp.ino === file.ino && cp.size === file.size && cp.mtimeMs === file.mtimeMs && file.mtimeMs < cp.checkedAt - RACY_MS;
}

/** Decides, from the checkpoint alone where possible, what of a file must be read. */
function planFile(file: DiscoveredFile, cp: Checkpoint | undefined): 'skip' | 'append' | 'replace' | 'new' {
  if (!cp) return 'new';
  if (unchanged(file, cp)) return 'skip';
  // A database (its size counts its WAL's, which shrinks at each checkpoint) is read by what changed in it.
  if (isDatabase(file.source)) {
    if (cp.dev !== file.dev || cp.ino !== file.ino) return 'replace';
    return readWholeDatabase(file.source) ? 'replace' : 'append';
  }
  if (cp.dev !== file.dev || cp.ino !== file.ino || file.size < cp.offset) return 'replace';
  // A JSON document rewritten after each exchange: what it holds now replaces what it held.
  if (rewrittenWhole(file.source)) return 'replace';
  if (cp.offset > 0 && !sameHead(file.path, cp.headHash)) return 'replace';
  // The bytes just before the offset are checked by the reader itself (a rewrite there makes it start over).
  return 'append';
}

/** How many bytes of these files are not in the index yet. */
export function backlogBytes(files: DiscoveredFile[], checkpoints: Map<string, Checkpoint>): number {
  let n = 0;
  for (const f of files) {
    const cp = checkpoints.get(f.path);
    const action = planFile(f, cp);
    if (action === 'append') n += Math.max(f.size - cp!.offset, 0);
    else if (action !== 'skip') n += f.size;
  }
  return n;
}

/** Past this many changed files, all checkpoints are loaded at once rather than one by one. */
const CHECKPOINTS_ONE_BY_ONE = 64;

/**
 * The files that may have changed, with their checkpoints. Most files of a large history have not, and their stamps
 * alone (far cheaper to load than checkpoints) say so.
 */
async function filesToPlan(store: Store, files: DiscoveredFile[], fewFiles: boolean): Promise<{ changed: DiscoveredFile[]; checkpoints: Map<string, Checkpoint> }> {
  if (fewFiles) return { changed: files, checkpoints: await store.checkpointsOf(files.map((f) => f.path)) };
  const stamps = await store.fileStamps();
  const changed = files.filter((f) => {
    const stamp = stamps.get(f.path);
    return !stamp || !unchanged(f, stamp);
  });
  const checkpoints = changed.length > CHECKPOINTS_ONE_BY_ONE ? await store.checkpoints() : await store.checkpointsOf(changed.map((f) => f.path));
  return { changed, checkpoints };
}

export async function refreshIndex(store: Store, files: DiscoveredFile[], opts: IndexOptions): Promise<IndexStats> {
  const stats: IndexStats = {
    files: files.length, filesRead: 0, filesReplaced: 0, bytesRead: 0, events: 0, badLines: 0, problems: [],
    skippedSynthetic: 0, skippedProgress: 0, repriced: 0, phases: {},
  };
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    stats.phases[name] = (stats.phases[name] ?? 0) + now - mark;
    mark = now;
  };
  const { changed, checkpoints } = await filesToPlan(store, files, opts.fewFiles ?? false);
  const requests: ReadRequest[] = [];
  const unregistered: ReadRequest[] = [];
  let bytesTotal = 0;
  for (const file of changed) {
    const cp = checkpoints.get(file.path);
    const action = planFile(file, cp);
    if (action === 'skip') continue;
    const append = action === 'append';
    bytesTotal += Math.max(file.size - (append ? cp!.offset : 0), 0);
    const req: ReadRequest = {
      fileId: cp?.fileId ?? 0, path: file.path, source: file.source,
      fromOffset: append ? cp!.offset : 0, fromLine: append ? cp!.lines : 0, replace: action === 'replace',
      stat: { dev: file.dev, ino: file.ino, size: file.size, mtimeMs: file.mtimeMs },
      host: opts.host, sessionFallback: file.sessionFallback, projectFallback: file.projectFallback, models: file.models,
      state: append ? cp?.state ?? null : null, now: opts.now ?? Date.now(), expectTail: append ? cp!.tailHash : undefined,
    };
    requests.push(req);
    if (!cp) unregistered.push(req);
  }
  if (unregistered.length > 0) {
    const ids = await store.registerFiles(unregistered.map((r) => r.path));
    unregistered.forEach((r, i) => (r.fileId = ids[i]!));
  }

  // Stored costs follow the price database and the pricing rules: when either changed, every cost is computed again.
  const wantedPricing = wantedPricingVersion();
  const storedPricing = await store.getMeta('pricing');
  if (storedPricing !== wantedPricing && (storedPricing !== undefined || requests.length > 0)) {
    if (storedPricing !== undefined) {
      const book = new PriceBook(await priceLookup());
      stats.repriced = await store.reprice((e) => book.cost(e.model, e.ts, e.speed, e));
    }
    await store.setMeta('pricing', wantedPricing);
  }
  let prices: PriceBook | undefined;
  const priceBook = async () => (prices ??= await openPriceBook(store));
  phase('plan');
  if (requests.length === 0) {
    // Nothing new, but a run cut short may have left the rollup behind the events.
    await store.settle();
    return stats;
  }

  const sizes = new Map(requests.map((r) => [r.path, Math.max(r.stat.size - r.fromOffset, 0)]));
  let bytesDone = 0;
  const account = (r: ReadResult) => {
    bytesDone += sizes.get(r.path) ?? 0;
    opts.onProgress?.(bytesDone, bytesTotal);
    if (r.failure) {
      stats.problems.push({ path: r.path, line: 0, message: `cannot read: ${r.failure}` });
      return;
    }
    stats.filesRead++;
    if (r.rewritten) stats.filesReplaced++;
    stats.bytesRead += r.bytesRead;
    stats.events += r.eventCount;
    stats.badLines += r.problemCount;
    stats.skippedSynthetic += r.skipped.synthetic;
    stats.skippedProgress += r.skipped.progress;
    for (const p of r.problems) if (stats.problems.length < 200) stats.problems.push({ path: r.path, ...p });
  };
  stats.filesReplaced = requests.filter((r) => r.replace).length;

  // Largest first, so the last file to finish is a small one.
  requests.sort((a, b) => b.stat.size - b.fromOffset - (a.stat.size - a.fromOffset));
  const workers = Math.min(opts.workers ?? availableParallelism(), requests.length);
  const script = workerScript();
  const shared = store.sharedLocation?.();
  let touched: number[] = [];
  if (bytesTotal >= PARALLEL_THRESHOLD_BYTES && (workers > 1 || (opts.keepThreadFree && workers > 0)) && script && shared) {
    // Workers write into the index themselves, one at a time, and so does this thread, which reads as one of them
    // (unless it must stay free) and settles the index afterwards.
    const bulk = bytesTotal >= BULK_THRESHOLD_BYTES && (await store.eventCount()) === 0;
    if (bulk) await store.beginBulkLoad();
    try {
      // The workers' questions for prices are answered from this thread's book, which loads the database once.
      let answering: Promise<PriceBook> | undefined;
      const answers = () => (answering ??= priceBook().then(async (b) => (await loadDatabase(b, []), b)));
      const lock = new WriteLock();
      const writer = new BatchWriter(store, answers, lock);
      const here = async (req: ReadRequest) => {
        const r = readLogFile(req);
        await writer.add(req, r);
        return r;
      };
      touched = await readInWorkers(script, { dbPath: shared, lock: lock.buffer }, requests, opts.keepThreadFree ? workers : workers - 1,
        account, answers, opts.keepThreadFree ? undefined : here);
      await writer.flush();
      if (prices) await store.savePrices(prices.takeAdded());
      phase('read+write (workers)');
    } finally {
      if (bulk) {
        await store.endBulkLoad();
        phase('indexes');
      }
    }
  } else {
    const writer = new BatchWriter(store, priceBook);
    for (const req of requests) {
      const r = readLogFile(req);
      account(r);
      await writer.add(req, r);
    }
    await writer.flush();
    if (prices) await store.savePrices(prices.takeAdded());
    phase('read+write');
  }
  await store.settle(touched);
  phase('settle');
  return stats;
}
