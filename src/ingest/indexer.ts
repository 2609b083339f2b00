// Brings the store up to date with the files on disk, reading only bytes it has not read before.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { PriceBook } from '../core/pricing.js';
import type { DiscoveredFile } from '../sources/discovery.js';
import type { Batch, Checkpoint, Store } from '../store/store.js';
import { readInWorkers, workerScript } from './pool.js';
import { priceEvents } from './price-events.js';
import { readLogFile, type PricedReadResult, type ReadRequest } from './read-file.js';
import { pricingVersion } from '../core/pricing-version.js';

const HEAD_BYTES = 1024;
/** Below this many new bytes, starting worker threads costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 24 << 20;
/** A first load at least this large drops and rebuilds secondary indexes. */
const BULK_THRESHOLD_BYTES = 64 << 20;
/** Events per transaction: large enough to amortize a commit, small enough to bound memory. */
const BATCH_EVENTS = 20_000;

export interface IndexOptions {
  host: string;
  /** Worker threads for large reads; defaults to one per core. */
  workers?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
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

interface Plan {
  req: ReadRequest;
  file: DiscoveredFile;
  replace: boolean;
}

/** `${length}:${sha1}` of the file's first bytes (at most HEAD_BYTES), or '' when unreadable. */
function headHash(path: string, size: number): string {
  const len = Math.min(HEAD_BYTES, size);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(len);
    const n = readSync(fd, buf, 0, len, 0);
    return `${n}:${createHash('sha1').update(buf.subarray(0, n)).digest('hex')}`;
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sameHead(path: string, stored: string): boolean {
  const len = Number(stored.split(':')[0]);
  return Number.isFinite(len) && headHash(path, len) === stored;
}

/** Decides, from the checkpoint alone where possible, what of a file must be read. */
function planFile(file: DiscoveredFile, cp: Checkpoint | undefined): 'skip' | 'append' | 'replace' | 'new' {
  if (!cp) return 'new';
  if (cp.dev !== file.dev || cp.ino !== file.ino || file.size < cp.offset) return 'replace';
  if (cp.size === file.size && cp.mtimeMs === file.mtimeMs) return 'skip';
  if (cp.offset > 0 && !sameHead(file.path, cp.headHash)) return 'replace';
  return 'append';
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
  const checkpoints = await store.checkpoints();
  const plans: Plan[] = [];
  let bytesTotal = 0;
  for (const file of files) {
    const cp = checkpoints.get(file.path);
    const action = planFile(file, cp);
    if (action === 'skip') continue;
    const fileId = cp?.fileId ?? (await store.registerFile(file.path));
    const fromOffset = action === 'append' ? cp!.offset : 0;
    const fromLine = action === 'append' ? cp!.lines : 0;
    bytesTotal += Math.max(file.size - fromOffset, 0);
    plans.push({
      file,
      replace: action === 'replace',
      req: {
        fileId, path: file.path, source: file.source, fromOffset, fromLine, host: opts.host,
        sessionFallback: file.sessionFallback, projectFallback: file.projectFallback,
      },
    });
  }

  // The price database is loaded only when something needs pricing: a warm report never pays for it.
  const wantedPricing = pricingVersion();
  const storedPricing = await store.getMeta('pricing');
  let prices: PriceBook | undefined;
  const priceBook = async () => (prices ??= new (await import('../core/pricing.js')).PriceBook());
  if (storedPricing !== wantedPricing && (storedPricing !== undefined || plans.length > 0)) {
    if (storedPricing !== undefined) {
      const book = await priceBook();
      stats.repriced = await store.reprice((e) => book.cost(e.model, e.ts, e.speed, e));
    }
    await store.setMeta('pricing', wantedPricing);
  }
  phase('plan');
  if (plans.length === 0) return stats;

  const byPath = new Map(plans.map((p) => [p.req.path, p]));
  let bytesDone = 0;
  /** Counts a finished file and returns its checkpoint, or null when it could not be read. */
  const account = (r: PricedReadResult): Checkpoint | null => {
    const plan = byPath.get(r.path)!;
    bytesDone += Math.max(plan.file.size - plan.req.fromOffset, 0);
    opts.onProgress?.(bytesDone, bytesTotal);
    if (r.failure) {
      stats.problems.push({ path: r.path, line: 0, message: `cannot read: ${r.failure}` });
      return null;
    }
    stats.filesRead++;
    if (plan.replace) stats.filesReplaced++;
    stats.bytesRead += r.bytesRead;
    stats.events += r.eventCount;
    stats.badLines += r.problemCount;
    stats.skippedSynthetic += r.skipped.synthetic;
    stats.skippedProgress += r.skipped.progress;
    for (const p of r.problems) if (stats.problems.length < 200) stats.problems.push({ path: r.path, ...p });
    return {
      fileId: plan.req.fileId, path: r.path, dev: plan.file.dev, ino: plan.file.ino,
      size: plan.file.size, mtimeMs: plan.file.mtimeMs, offset: r.offset, lines: r.lines,
      headHash: headHash(r.path, r.offset),
    };
  };
  // Largest first, so the last file to finish is a small one.
  plans.sort((a, b) => b.file.size - a.file.size);
  const requests = plans.map((p) => p.req);
  const bulk = bytesTotal >= BULK_THRESHOLD_BYTES && (await store.eventCount()) === 0;
  if (bulk) await store.beginBulkLoad();
  let batch: Batch = { replacedFileIds: plans.filter((p) => p.replace).map((p) => p.req.fileId), events: [], checkpoints: [] };
  const apply = async (r: PricedReadResult) => {
    const cp = account(r);
    if (!cp) return;
    for (const e of r.events) batch.events.push(e);
    batch.checkpoints.push(cp);
    if (batch.events.length >= BATCH_EVENTS) {
      const full = batch;
      batch = { replacedFileIds: [], events: [], checkpoints: [] };
      await store.commit(full);
    }
  };
  try {
    const workers = Math.min(opts.workers ?? availableParallelism(), plans.length);
    const script = workerScript();
    if (bytesTotal >= PARALLEL_THRESHOLD_BYTES && workers > 1 && script) {
      await readInWorkers(script, requests, workers, apply);
    } else {
      for (const req of requests) {
        const r = readLogFile(req);
        await apply({ ...r, events: r.events.length > 0 ? priceEvents(r.events, await priceBook(), req.fileId) : [] });
      }
    }
    if (batch.checkpoints.length > 0 || batch.replacedFileIds.length > 0) await store.commit(batch);
    phase('read+write');
  } finally {
    if (bulk) {
      await store.endBulkLoad();
      phase('indexes');
    }
  }
  await store.settle();
  phase('settle');
  return stats;
}
