// Collects what files yielded (priced events, checkpoints, replacements) and writes it in large transactions, each
// file's events and checkpoint always in the same one. Used on the main thread and inside each ingest worker.
import type { PriceBook } from '../core/pricing.js';
import type { Batch, Checkpoint, PricedEvent, Store } from '../store/store.js';
import { headHash } from './fingerprint.js';
import { loadDatabase, priceKnown, unpriced, type PriceFill } from './prices.js';
import type { ReadRequest, ReadResult } from './read-file.js';

/** Events per transaction: large enough to amortize a commit, small enough to bound memory. */
export const BATCH_EVENTS = 10_000;

export function checkpointOf(req: ReadRequest, r: ReadResult): Checkpoint {
  return {
    fileId: req.fileId, path: req.path, dev: req.stat.dev, ino: req.stat.ino, size: req.stat.size,
    mtimeMs: req.stat.mtimeMs, offset: r.offset, lines: r.lines, headHash: headHash(req.path, r.offset), tailHash: r.tailHash,
    checkedAt: req.now, state: r.state,
  };
}

export interface Lock {
  acquire(): void;
  release(): void;
}

export class BatchWriter {
  private batch: Batch = { replacedFileIds: [], events: [], checkpoints: [] };
  /** Prices asked for as files were read, awaited only when their batch is written. */
  private asking: Array<Promise<void>> = [];

  constructor(
    private readonly store: Store,
    private readonly priceBook: () => Promise<PriceBook>,
    private readonly lock?: Lock,
    private readonly fill: PriceFill = loadDatabase,
  ) {}

  async add(req: ReadRequest, r: ReadResult): Promise<void> {
    if (r.failure) return;
    if (req.replace || r.rewritten) this.batch.replacedFileIds.push(req.fileId);
    for (const p of r.problems) (this.batch.problems ??= []).push({ fileId: req.fileId, line: p.line, message: p.message });
    for (const w of r.readings) (this.batch.readings ??= []).push(w);
    if (r.events.length > 0) {
      const book = await this.priceBook();
      const missing = unpriced(r.events, book);
      if (missing.length > 0) {
        const asked = this.fill(book, missing);
        // A failure surfaces when the batch is written, not as a stray rejection now.
        asked.catch(() => {});
        this.asking.push(asked);
      }
      for (const e of r.events as PricedEvent[]) {
        e.fileId = req.fileId;
        this.batch.events.push(e);
      }
    }
    this.batch.checkpoints.push(checkpointOf(req, r));
    if (this.batch.events.length >= BATCH_EVENTS) await this.flush();
  }

  async flush(): Promise<void> {
    const b = this.batch;
    if (b.checkpoints.length === 0 && b.replacedFileIds.length === 0) return;
    if (this.asking.length > 0) {
      const asking = this.asking;
      this.asking = [];
      await Promise.all(asking);
    }
    this.lock?.acquire();
    this.batch = { replacedFileIds: [], events: [], checkpoints: [] };
    try {
      priceKnown(b.events, await this.priceBook());
      await this.store.commit(b);
    } finally {
      this.lock?.release();
    }
  }
}
