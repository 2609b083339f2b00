// Fleet mode: local-first shipping. Every change to the local index is queued in the same transaction that made it
// (ship_log, filled by triggers), sent to the pooled store in batches, and taken off the queue only once the pooled
// store committed it. A crash or an outage anywhere in between leaves it queued; sending it again is harmless
// (the pooled store keeps the larger copy), so each request is counted there exactly once.
import type { PostgresStore } from '../store/postgres/store.js';
import type { SqliteStore } from '../store/sqlite.js';

export interface ShipperOptions {
  local: SqliteStore;
  remote: PostgresStore;
  host: string;
  version: string;
  /** Changes per shipment. */
  batch?: number;
  /** How often the host reports in when it has nothing to ship (its "last seen"). */
  heartbeatMs?: number;
  log: { info: (m: string) => void; warn: (m: string) => void };
  /** After each shipment that changed the pooled store. */
  onShipped?: (changes: number) => void;
}

const MAX_BACKOFF_MS = 30_000;

export class Shipper {
  shipped = 0;
  lastShippedAt = 0;
  lastError: string | null = null;
  private stopped = false;
  private wake: (() => void) | undefined;
  private nudged = false;
  private backingOff = false;
  private loop: Promise<void> | undefined;
  private backoffMs = 1000;
  private lastHeartbeat = 0;

  constructor(private readonly o: ShipperOptions) {}

  /** Ships one batch; returns how many changes it carried (0: nothing was waiting). */
  async shipOnce(): Promise<number> {
    const s = await this.o.local.nextShipment(this.o.batch ?? 5000);
    const now = Date.now();
    if (s.seqs.length === 0 && now - this.lastHeartbeat < (this.o.heartbeatMs ?? 30_000)) return 0;
    const backlog = await this.o.local.shipBacklog();
    await this.o.remote.ship(s, { host: this.o.host, backlog: backlog - s.seqs.length, version: this.o.version });
    this.lastHeartbeat = now;
    if (s.seqs.length === 0) return 0;
    await this.o.local.ackShipment(s.seqs);
    this.shipped += s.seqs.length;
    this.lastShippedAt = now;
    // Kept in the index, whoever shipped (the daemon or a report): `tokenmeter status` reads it.
    await this.o.local.setMeta('ship_last_at', String(now));
    return s.seqs.length;
  }

  /** Ships until nothing is waiting; returns the changes shipped. Throws when the pooled store cannot take them. */
  async drain(): Promise<number> {
    let n = 0;
    for (;;) {
      const k = await this.shipOnce();
      if (k === 0) break;
      n += k;
      this.o.onShipped?.(k);
    }
    return n;
  }

  /** Keeps shipping in the background: at once when nudged, else on the heartbeat; backs off while the pooled store is away. */
  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        let waitMs = this.o.heartbeatMs ?? 30_000;
        try {
          await this.drain();
          if (this.lastError !== null) {
            // At the outage warning's level, so whoever saw that sees this.
            this.o.log.warn(`${this.o.remote.where} is back: shipping resumed (${this.shipped} changes shipped since start)`);
            await this.o.local.setMeta('ship_last_error', '');
          }
          this.lastError = null;
          this.backoffMs = 1000;
        } catch (e) {
          const message = (e as Error).message;
          if (this.lastError === null) {
            const waiting = await this.o.local.shipBacklog().catch(() => NaN);
            this.o.log.warn(`cannot ship to the pooled store: ${message}; ${waiting} change(s) wait in the local index and go out when it is back`);
            await this.o.local.setMeta('ship_last_error', `${new Date().toISOString()} ${message}`).catch(() => undefined);
          }
          this.lastError = message;
          waitMs = this.backoffMs;
          this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
        }
        if (this.stopped) break;
        await this.sleep(waitMs, this.lastError === null);
      }
    })();
  }

  private sleep(ms: number, wakeOnNudge: boolean): Promise<void> {
    this.backingOff = !wakeOnNudge;
    if (wakeOnNudge && this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        this.nudged = false;
        resolve();
      };
    });
  }

  /** Something was written locally: ship it now (unless the pooled store is away; then at the next retry). */
  nudge(): void {
    this.nudged = true;
    if (!this.backingOff) this.wake?.();
  }

  /** Stops the loop after the shipment in progress, and ships what is left if the pooled store takes it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.lastError === null) await this.drain().catch(() => undefined);
  }
}
