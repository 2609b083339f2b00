// What a daemon in fleet mode reads: the pooled store (every host), and while it cannot be reached, this machine's own
// index, so that the status line and the dashboard keep answering. Telemetry counters are always the local ones.
import { PostgresError, type PostgresStore } from './postgres/store.js';
import type { ViewStore } from './store.js';

/** After a failure the pooled store is not asked again for this long, doubling while it stays away. */
const RETRY_MS = 5000;
const MAX_RETRY_MS = 60_000;


export class PooledView implements ViewStore {
  private downUntil = 0;
  private retryMs = RETRY_MS;

  constructor(
    readonly remote: PostgresStore,
    private readonly local: ViewStore,
    private readonly onDown: (e: Error) => void = () => undefined,
    /**
     * A pooled answer slower than this is not waited for and the local one is given (a server that stopped answering
     * must not hold a status line); the daemon sets it, a report waits as long as the query takes.
     */
    private readonly answerMs = Infinity,
  ) {}

  /** Whether the last call reached the pooled store. */
  get pooled(): boolean {
    return Date.now() >= this.downUntil;
  }

  private async either<T>(fn: (s: ViewStore) => Promise<T>): Promise<T> {
    if (Date.now() < this.downUntil) return fn(this.local);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<never>((_, reject) => {
      if (this.answerMs !== Infinity) {
        timer = setTimeout(() => reject(new PostgresError(`${this.remote.where} did not answer within ${this.answerMs} ms`)), this.answerMs);
      }
    });
    try {
      const answer = await Promise.race([fn(this.remote), slow]);
      this.retryMs = RETRY_MS;
      return answer;
    } catch (e) {
      if (!(e instanceof PostgresError)) throw e;
      this.downUntil = Date.now() + this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      this.onDown(e);
      return fn(this.local);
    } finally {
      clearTimeout(timer);
    }
  }

  usage: ViewStore['usage'] = (f, g) => this.either((s) => s.usage(f, g));
  timeRange: ViewStore['timeRange'] = (f) => this.either((s) => s.timeRange(f));
  eventsSince: ViewStore['eventsSince'] = (ts) => this.either((s) => s.eventsSince(ts));
  totals: ViewStore['totals'] = () => this.either((s) => s.totals());
  breakdown: ViewStore['breakdown'] = (f, by) => this.either((s) => s.breakdown(f, by));
  timeBuckets: ViewStore['timeBuckets'] = (f, ms) => this.either((s) => s.timeBuckets(f, ms));
  sumSince: ViewStore['sumSince'] = (ts) => this.either((s) => s.sumSince(ts));
  hostFigures: ViewStore['hostFigures'] = (w) => this.either((s) => s.hostFigures(w));
  importedHosts: ViewStore['importedHosts'] = () => this.either((s) => s.importedHosts());
  limitReadings: ViewStore['limitReadings'] = (w, since) => this.either((s) => s.limitReadings(w, since));
  addLimitReading: ViewStore['addLimitReading'] = (r) => this.either((s) => s.addLimitReading(r));
  getMeta: ViewStore['getMeta'] = (k) => this.either((s) => s.getMeta(k));
  setMeta: ViewStore['setMeta'] = (k, v) => this.either((s) => s.setMeta(k, v));
  eventCount: ViewStore['eventCount'] = () => this.either((s) => s.eventCount());
  counters: ViewStore['counters'] = () => this.local.counters();
  // Ids are the pooled store's own: the read model follows them there only (it waits while the server is away).
  eventsAfter: ViewStore['eventsAfter'] = (id, limit) => this.remote.eventsAfter(id, limit);
  lastEventId: ViewStore['lastEventId'] = () => this.remote.lastEventId();
}
