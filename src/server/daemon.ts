// `tokenmeter serve`: one process that keeps the index current as logs grow, receives telemetry, and serves
// everything that polls. Writes to the store happen one at a time (file ingestion and telemetry take turns), and
// each write is followed by a pull into the in-memory read model.
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { backlogBytes, PARALLEL_THRESHOLD_BYTES, RACY_MS, refreshIndex, type IndexStats } from '../ingest/indexer.js';
import { openPriceBook } from '../ingest/prices.js';
import { TelemetryIngest } from '../ingest/telemetry.js';
import { FolderWatcher, type Change } from '../ingest/watcher.js';
import { discoverAll, logRoots } from '../sources/discover-all.js';
import { agentOfFormat } from '../sources/registry.js';
import { statDatabase } from '../sources/database-file.js';
import { isDatabase } from '../ingest/read-file.js';
import type { DiscoveredFile } from '../sources/discovery.js';
import { SqliteStore } from '../store/sqlite.js';
import type { ViewStore } from '../store/store.js';
import type { PostgresStore } from '../store/postgres/store.js';
import type { Shipper } from '../ingest/shipper.js';
import type { PriceBook } from '../core/pricing.js';
import type { Budget } from '../core/budgets.js';
import { LOCAL_ZONE } from '../core/time.js';
import { Api } from './api.js';
import { budgetUses } from './budgets.js';
import { Alerter, type AlertConfig, type AlerterOptions } from './alerts.js';
import { statusData, type StatusData, type StatusInput } from './status.js';
import type { PlanName } from '../core/limits.js';
import { Guard, isLoopbackHost } from './guard.js';
import { buildHttpApp } from './http.js';
import { InstanceLock } from './instance-lock.js';
import { LiveState } from './live.js';
import { Logger } from './log.js';
import { MetricsExposition } from './metrics.js';
import { startGrpc } from './otlp-grpc.js';
import { OtlpReceiver } from './otlp-receiver.js';
import { newSalt, ProxyStats } from './proxy.js';
import type { ExportProtocol } from './otlp-export.js';
import { SnapshotWriter } from './snapshot.js';
import { StreamHub } from './stream.js';

/** Appends arriving together (a streamed response writes several lines) are read in one pass. */
const DEBOUNCE_MS = 8;
/**
 * Telemetry commits bring the report rollup up to date at most this often (a read settles at once): under load,
 * one rollup refresh serves many commits.
 */
const SETTLE_MS = 200;

export interface DaemonOptions {
  home: string;
  indexPath: string;
  bindHost: string;
  port: number;
  /** null: no gRPC receiver. */
  grpcPort: number | null;
  token: string | undefined;
  hostName: string;
  snapshotPath: string | null;
  sweepMs: number;
  logger: Logger;
  version: string;
  env: NodeJS.ProcessEnv;
  /**
   * How to run `tokenmeter index` in a child process (node arguments up to the command), for large catch-ups: the
   * child's memory goes back to the system when it exits, so the resident daemon stays small. Without it, the
   * daemon reads everything itself.
   */
  indexCommand?: string[];
  /** The built dashboard's folder. */
  webRoot?: string | null;
  /** Where the API proxy forwards to (/anthropic/… and /openai/…). */
  upstreams?: { anthropic: string; openai: string };
  injectStreamUsage?: boolean;
  /** Push tokenmeter's metrics to an OpenTelemetry backend. */
  otlpExport?: { endpoint: string; protocol: ExportProtocol; temporality: 'delta' | 'cumulative'; intervalMs: number; scope?: 'host' | 'pooled' };
  /** Fleet mode: the PostgreSQL database this daemon ships to and whose pooled figures it serves. */
  database?: string;
  /** The config's budgets, read each time they are asked for (an edited config applies at once). */
  budgets?: () => Budget[];
  /** Where alerts go (the config's `alerts`), read each time one is sent. */
  alerts?: () => AlertConfig;
  /** How often budgets are looked at for alerts (default 30 s). */
  alertEveryMs?: number;
  /** Stand-ins for the desktop notifier and the webhook's backoff (tests). */
  alertSinks?: Pick<AlerterOptions, 'notify' | 'sleep'>;
}

/** How often a daemon in fleet mode looks for other hosts' shipments. */
const FLEET_POLL_MS = 1000;
/** The longest a status line or the dashboard waits for the pooled store before taking the local figures. */
const POOLED_ANSWER_MS = 1500;

export class StartupError extends Error {}

/** Runs `fn`s one after another, in call order. */
function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

export class Daemon {
  private readonly log: Logger;
  private store!: SqliteStore;
  /** What the outputs read: the local index, or in fleet mode the pooled store. */
  private view!: ViewStore;
  private remote: PostgresStore | undefined;
  shipper: Shipper | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private remoteMarker: string | null = null;
  private lock!: InstanceLock;
  private live!: LiveState;
  private telemetry!: TelemetryIngest;
  private stream!: StreamHub;
  private alerter?: Alerter;
  private alertTimer?: NodeJS.Timeout;
  private snapshot: SnapshotWriter | undefined;
  private watcher: FolderWatcher | undefined;
  private closeHttp: (() => Promise<void>) | undefined;
  private closeGrpc: (() => Promise<void>) | undefined;
  private readonly exclusive = serial();
  private files = new Map<string, DiscoveredFile>();
  private pendingPaths = new Set<string>();
  private pendingSweep = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private prices: Promise<PriceBook> | undefined;
  private readonly startedAt = Date.now();
  private settleTimer: NodeJS.Timeout | undefined;
  private settlePending = false;
  private parseErrors = 0;
  private child: ChildProcess | undefined;
  /** The OTLP metrics exporter, when --otlp-export is on. */
  exporter: { flush: () => Promise<void>; stop: () => Promise<void> } | undefined;
  private indexedOnce = false;
  /** What the last sweep found, said again in the log only when it changes. */
  private lastFound = '';
  private lastRoots: string | null = null;
  private saidMissing = false;
  private transcriptEvents = 0;
  httpPort = 0;
  grpcPort: number | null = null;

  constructor(private readonly opts: DaemonOptions) {
    this.log = opts.logger;
  }

  async start(): Promise<void> {
    const o = this.opts;
    if (!isLoopbackHost(o.bindHost) && !o.token) {
      throw new StartupError(`listening on ${o.bindHost} (not loopback) needs a bearer token: set --token or TOKENMETER_TOKEN`);
    }
    mkdirSync(o.home, { recursive: true });
    this.lock = new InstanceLock(join(o.home, 'daemon.lock'));
    const owner = () => ({ pid: process.pid, port: this.httpPort || o.port, host: o.bindHost, startedAt: new Date(this.startedAt).toISOString(), fleet: o.database !== undefined });
    this.lock.acquire(owner());
    try {
      // A small page cache: the daemon reads small ranges (totals, today, the current window), not whole histories.
      this.store = new SqliteStore(o.indexPath, { cacheMb: 4 });
      this.view = this.store;
      if (o.database) await this.startFleet(o.database);
      this.live = new LiveState(this.view);
      await this.live.start().catch((e: Error) => {
        if (!this.remote) throw e;
        this.log.warn(`the pooled store is not reachable (${e.message}); serving this machine's figures until it is`);
      });
      const priceBook = () => (this.prices ??= openPriceBook(this.store));
      this.telemetry = new TelemetryIngest({
        store: this.store, host: o.hostName, priceBook, exclusive: this.exclusive,
        onCommit: () => this.scheduleSettle(),
      });
      const receiver = new OtlpReceiver(this.telemetry, o.hostName, (m) => this.log.warn(m));
      const guard = new Guard({ bindHost: o.bindHost, token: o.token });
      const budgets = async () => budgetUses(this.view, o.budgets?.() ?? [], { timeZone: LOCAL_ZONE });
      const metrics = new MetricsExposition(this.live, this.view, {
        budgets,
        filesWatched: () => this.files.size,
        parseErrors: () => this.parseErrors,
        ingested: () => ({ transcript: this.transcriptEvents, ...this.telemetry.received }),
        otlp: () => ({ requests: receiver.requests, rejected: receiver.rejected }),
        proxy: () => this.proxyStats,
      });
      this.stream = new StreamHub(this.live);
      // The dashboard's window is the active tool's: the tool of the latest request.
      const api = new Api(this.view, this.live, { version: o.version, host: o.hostName, startedAt: this.startedAt },
        (tool) => this.statusFor({}, { tool }), budgets);
      const app = buildHttpApp({
        guard, receiver, metrics, api, stream: this.stream, log: (m) => this.log.warn(m), beforeRead: () => this.settleNow(),
        ingest: (events) => this.telemetry.accept({ events, usage: [], counters: [], rejected: 0, problems: [] }),
        statusline: (input, q) => this.statusFor(input, q),
        mcp: async () => (await import('./mcp.js')).buildMcpServer({
          // Each answer reads the figures once the index has what was accepted so far.
          withStore: async (fn) => {
            await this.settleNow();
            return fn(this.view);
          },
          budgets: () => o.budgets?.() ?? [], version: o.version,
        }),
        webRoot: o.webRoot ?? null,
        proxy: {
          stats: this.proxyStats,
          options: {
            upstreams: o.upstreams ?? { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com' }, host: o.hostName,
            salt: await this.proxySalt(), log: (m) => this.log.warn(m), injectStreamUsage: o.injectStreamUsage,
            store: (e) => this.telemetry.accept({ events: [e], usage: [], counters: [], rejected: 0, problems: [] }),
          },
        },
        health: () => ({
          version: o.version, pid: process.pid, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
          filesWatched: this.files.size, streamClients: this.stream.size, indexing: this.busy,
          fleet: this.fleetHealth(),
          memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [`${k}Mb`, Math.round(v / 1048576)])),
        }),
      });
      try {
        await app.listen({ host: o.bindHost, port: o.port });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') throw new StartupError(`port ${o.port} on ${o.bindHost} is already in use (another tokenmeter or an OTel Collector?); choose another with --port or TOKENMETER_PORT`);
        throw e;
      }
      this.closeHttp = () => app.close();
      const address = app.server.address();
      this.httpPort = typeof address === 'object' && address ? address.port : o.port;
      if (o.grpcPort !== null) {
        try {
          const g = await startGrpc(o.bindHost, o.grpcPort, receiver, guard);
          this.grpcPort = g.port;
          this.closeGrpc = g.close;
        } catch (e) {
          const why = /EADDRINUSE/.test((e as Error).message) ? 'the port is already in use' : (e as Error).message;
          throw new StartupError(`cannot listen for OTLP/gRPC on ${o.bindHost}:${o.grpcPort}: ${why} (--grpc-port to change it, --no-grpc to turn it off)`);
        }
      }
      this.lock.update(owner());
      this.log.info(`listening on http://${o.bindHost}:${this.httpPort}${this.grpcPort !== null ? `, OTLP/gRPC on ${o.bindHost}:${this.grpcPort}` : ''}; index ${o.indexPath}`);

      this.watcher = new FolderWatcher({
        logOf: logNamed,
        onChange: (c) => this.schedule(c),
        sweepMs: o.sweepMs,
        onError: (dir, e) => this.log.debug(`cannot watch ${dir}: ${e.message}`),
      });
      if (o.otlpExport) {
        const { startOtlpExport } = await import('./otlp-export.js');
        this.exporter = await startOtlpExport({ ...o.otlpExport, host: o.hostName, version: o.version, live: this.live });
        this.log.info(`exporting metrics to ${o.otlpExport.endpoint} (${o.otlpExport.protocol}, ${o.otlpExport.temporality}, every ${o.otlpExport.intervalMs / 1000} s, ${o.otlpExport.scope === 'pooled' ? 'every host' : `host ${o.hostName}`})`);
      }
      if (o.snapshotPath) {
        this.snapshot = new SnapshotWriter(o.snapshotPath, () => snapshotOf(api), () => this.live.version, (e) => this.log.warn(`snapshot ${o.snapshotPath}: ${e.message}`));
        this.snapshot.start();
      }
      this.alerter = new Alerter({
        store: this.store, view: this.view, uses: budgets, config: () => o.alerts?.() ?? {}, log: (m) => this.log.warn(m),
        publish: (a) => this.stream.publish('alert', a), ...o.alertSinks,
      });
      this.alertTimer = setInterval(() => void this.checkAlerts().catch((e: Error) => this.log.warn(`alerts: ${e.message}`)), o.alertEveryMs ?? 30_000);
      this.alertTimer.unref();
      if (this.shipper) {
        this.shipper.start();
        this.pollTimer = setInterval(() => void this.pollRemote(), FLEET_POLL_MS);
        this.pollTimer.unref();
      }
      // The first pass may be a cold index of a large history; the endpoints answer meanwhile.
      this.schedule({ kind: 'sweep' });
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /**
   * Status-line answers, kept while nothing new is stored (and at most 5 s, for the rates): Claude Code asks after
   * every message and on a timer, mostly about the same session.
   */
  private statusCache = new Map<string, { version: number; at: number; data: Promise<StatusData> }>();

  private statusFor(input: StatusInput, q: Record<string, string | undefined>): Promise<StatusData> {
    const key = JSON.stringify([input.session_id, input.model?.display_name ?? input.model?.id, input.rate_limits, q.plan, q.limit, q.tool]);
    const now = Date.now();
    const hit = this.statusCache.get(key);
    // In fleet mode other hosts change the figures every second or so: an answer up to a second old still stands,
    // so a busy fleet costs the pooled store at most one status query per second and session.
    const fresh = hit && (hit.version === this.live.version || (this.shipper !== undefined && now - hit.at < 1000));
    if (hit && fresh && now - hit.at < 5000) return hit.data;
    // It may record an official reading: a write, so it takes its turn.
    const data = this.exclusive(() => statusData(this.view, input, { plan: q.plan as PlanName | undefined, limit: q.limit, tool: q.tool, budgets: this.opts.budgets?.(), host: this.opts.hostName }));
    if (this.statusCache.size > 100) this.statusCache.clear();
    this.statusCache.set(key, { version: this.live.version, at: now, data });
    data.catch(() => this.statusCache.delete(key));
    return data;
  }

  readonly proxyStats = new ProxyStats();

  /** The salt of API-key hashes: made once per index, so a key's hash is stable and says nothing elsewhere. */
  private async proxySalt(): Promise<string> {
    let salt = await this.store.getMeta('proxy_salt');
    if (!salt) await this.store.setMeta('proxy_salt', (salt = newSalt()));
    return salt;
  }

  private scheduleSettle(): void {
    this.settlePending = true;
    this.settleTimer ??= setTimeout(() => void this.settleNow().catch((e: Error) => this.log.error(`settling the index: ${e.message}`)), SETTLE_MS);
  }

  /** Brings the rollup and the read model up to date with everything committed. */
  async settleNow(): Promise<void> {
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (!this.settlePending) return;
    this.settlePending = false;
    await this.exclusive(() => this.store.settle());
    await this.afterWrite();
  }

  /**
   * Fleet mode: every local change is queued for the pooled store (migrations and triggers in the local index), a
   * shipper sends it, and the outputs read the pooled figures. PostgreSQL being away at start is not an error: the
   * daemon indexes locally and ships when it is back.
   */
  private async startFleet(url: string): Promise<void> {
    const [{ PostgresStore, shipTarget }, { PooledView }, { Shipper }] = await Promise.all([
      import('../store/postgres/store.js'), import('../store/pooled-view.js'), import('../ingest/shipper.js'),
    ]);
    const remote = (this.remote = new PostgresStore(url));
    await this.store.enableShipping(shipTarget(url), this.opts.hostName);
    this.view = new PooledView(remote, this.store, (e) => this.log.debug(`pooled store: ${e.message}; answering from the local index`), POOLED_ANSWER_MS);
    this.shipper = new Shipper({
      local: this.store, remote, host: this.opts.hostName, version: this.opts.version, log: this.log,
      onShipped: () => void this.pullView(),
    });
    this.log.info(`fleet mode: shipping to ${remote.where} as host ${this.opts.hostName}`);
  }

  private fleetHealth(): Record<string, unknown> | null {
    if (!this.shipper || !this.remote) return null;
    return {
      database: this.remote.where, host: this.opts.hostName, shipped: this.shipper.shipped,
      lastShippedAt: this.shipper.lastShippedAt ? new Date(this.shipper.lastShippedAt).toISOString() : null,
      lastError: this.shipper.lastError,
    };
  }

  /** After a local write: the read model follows the local index, or in fleet mode the shipment that carries it. */
  private async afterWrite(): Promise<void> {
    if (this.shipper) this.shipper.nudge();
    else await this.live.pull();
  }

  private async pullView(): Promise<void> {
    try {
      await this.live.pull();
    } catch (e) {
      this.log.debug(`reading the pooled store: ${(e as Error).message}`);
    }
  }

  /** Another host's shipment changed the pooled figures: the read model catches up. */
  private async pollRemote(): Promise<void> {
    const marker = await this.remote?.changeMarker().catch(() => null);
    if (marker === null || marker === undefined || marker === this.remoteMarker) return;
    this.remoteMarker = marker;
    await this.pullView();
  }

  private schedule(c: Change): void {
    if (this.stopping) return;
    if (c.kind === 'sweep') this.pendingSweep = true;
    else for (const p of c.paths) this.pendingPaths.add(p);
    if (!this.timer && !this.running) this.timer = setTimeout(() => void this.runPending(), DEBOUNCE_MS);
  }

  /** Whether log files are being read or about to be. */
  get busy(): boolean {
    return this.timer !== undefined || this.running !== undefined;
  }

  /** Resolves when everything seen so far is in the store (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.timer || this.running) {
      if (this.running) await this.running;
      else await new Promise((r) => setTimeout(r, DEBOUNCE_MS));
    }
  }

  private async runPending(): Promise<void> {
    this.timer = undefined;
    this.running = (async () => {
      while ((this.pendingSweep || this.pendingPaths.size > 0) && !this.stopping) {
        const sweep = this.pendingSweep;
        const paths = this.pendingPaths;
        this.pendingSweep = false;
        this.pendingPaths = new Set();
        try {
          await this.exclusive(() => (sweep ? this.sweep() : this.readFiles(paths)));
          await this.afterWrite();
        } catch (e) {
          this.log.error(`indexing failed: ${(e as Error).stack ?? (e as Error).message}`);
        }
      }
    })();
    await this.running;
    this.running = undefined;
  }

  /** `quiet`: reads that follow a watch event, one per message a tool writes, are logged at debug level only. */
  private account(stats: IndexStats, started: number, quiet = false): void {
    this.parseErrors += stats.badLines;
    this.transcriptEvents += stats.events;
    if (stats.filesRead > 0) {
      const line = `read ${stats.filesRead} file(s), ${(stats.bytesRead / 1048576).toFixed(2)} MB, ${stats.events} requests in ${(performance.now() - started).toFixed(0)} ms`;
      if (quiet) this.log.debug(line);
      else this.log.info(line);
    }
    for (const p of stats.problems) this.log.info(`${p.path}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  }

  /** Looks at every root and file again: new sessions, new roots, anything watching missed. */
  private async sweep(): Promise<void> {
    const started = performance.now();
    const discovery = discoverAll(this.opts.env, await this.store.dirListings());
    await this.store.saveDirListings(discovery.listings);
    if (discovery.missing && !this.saidMissing) this.log.warn(`${discovery.missing}; the daemon looks again every sweep, and takes telemetry meanwhile`);
    this.saidMissing = discovery.missing !== null;
    const before = this.files;
    this.files = new Map(discovery.files.map((f) => [f.path, f]));
    const found = describeFound(discovery.files);
    if (found !== this.lastFound) this.log.info(`found ${found}`);
    this.lastFound = found;
    // Usually nothing changed that watching did not already deliver: then there is nothing to plan or read.
    const unchanged = before.size === this.files.size && discovery.files.every((f) => {
      const b = before.get(f.path);
      return b !== undefined && b.size === f.size && b.mtimeMs === f.mtimeMs && b.ino === f.ino && b.dev === f.dev;
    });
    if (!unchanged || !this.indexedOnce) {
      if (this.opts.indexCommand && backlogBytes(discovery.files, await this.store.checkpoints()) >= PARALLEL_THRESHOLD_BYTES) {
        await this.indexInChild(this.opts.indexCommand);
      }
      // What the child left (or all of it, if it failed) is read by workers: this thread answers the API meanwhile.
      const stats = await refreshIndex(this.store, discovery.files, { host: this.opts.hostName, keepThreadFree: true });
      this.indexedOnce = true;
      this.account(stats, started);
    } else {
      // Sizes and mtimes alike, but a file written in the same timestamp tick as its last read may differ: those few
      // are planned again (their checkpoints decide whether a look at their bytes is due).
      const now = Date.now();
      const recent = discovery.files.filter((f) => now - f.mtimeMs < 2 * RACY_MS);
      if (recent.length > 0) this.account(await refreshIndex(this.store, recent, { host: this.opts.hostName, fewFiles: true }), started, true);
    }
    const roots = this.watchRoots();
    if (roots.join('\n') !== this.lastRoots) this.log.info(`watching ${roots.length ? roots.join(', ') : 'no log folder yet (looked again every sweep)'}`);
    this.lastRoots = roots.join('\n');
    this.watcher?.setFolders(new Set([...roots, ...discovery.folders]));
    this.log.debug(`sweep: ${discovery.files.length} files${unchanged ? ', none changed' : ''} in ${(performance.now() - started).toFixed(1)} ms`);
  }

  /** Runs `tokenmeter index` and waits for it; a failure only means this process reads what is left itself. */
  private async indexInChild(command: string[]): Promise<void> {
    const started = performance.now();
    this.log.info('a large backlog: indexing it in a child process');
    const child = spawn(process.execPath, [...command, 'index'], { env: this.opts.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.once('error', (e) => {
        err += e.message;
        resolve(-1);
      });
    });
    this.child = undefined;
    if (code === 0) this.log.info(`the child process indexed the backlog in ${(performance.now() - started).toFixed(0)} ms`);
    else if (!this.stopping) this.log.warn(`indexing in a child process failed (${code}): ${err.trim()}; reading the logs in this process`);
  }

  /** Where logs may appear (each source's folders that exist): watched, so that a first file there is seen. */
  private watchRoots(): string[] {
    const out: string[] = [];
    for (const candidates of logRoots(this.opts.env)) {
      for (const dir of candidates) {
        try {
          if (statSync(dir).isDirectory()) {
            out.push(realpathSync.native(dir));
            break;
          }
        } catch {
          // not there (yet): the sweep looks again
        }
      }
    }
    return out;
  }

  /** Reads the files a watch event named; one not seen before (a new session) takes a sweep. */
  private async readFiles(paths: Set<string>): Promise<void> {
    const started = performance.now();
    const batch: DiscoveredFile[] = [];
    for (const path of paths) {
      const known = this.files.get(path);
      if (!known) {
        if (existsSync(path)) return this.sweep();
        continue;
      }
      try {
        const st = isDatabase(known.source) ? statDatabase(path) : statSync(path);
        const f = { ...known, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
        this.files.set(path, f);
        batch.push(f);
      } catch {
        return this.sweep(); // removed or replaced
      }
    }
    if (batch.length === 0) return;
    this.account(await refreshIndex(this.store, batch, { host: this.opts.hostName, fewFiles: true }), started, true);
  }

  /** Stops taking work, finishes what was taken (file reads, telemetry writes), and closes the store. */
  /** Looks at every budget for alerts now, with the index settled first (also done every alertEveryMs). */
  async checkAlerts() {
    if (!this.alerter) return [];
    await this.settleNow();
    return this.alerter.check();
  }

  /** Resolves once alerts being delivered are done (delivered or given up). */
  async alertsIdle(): Promise<void> {
    await this.alerter?.idle();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.child?.kill('SIGTERM');
      this.watcher?.close();
      this.snapshot?.stop();
      clearTimeout(this.timer);
      this.timer = undefined;
      this.stream?.close();
      await this.closeHttp?.().catch(() => undefined);
      await this.closeGrpc?.().catch(() => undefined);
      await this.telemetry?.flush().catch(() => undefined);
      if (this.running) await this.running;
      await this.settleNow().catch(() => undefined);
      // A last export of the final figures.
      await this.exporter?.stop().catch(() => undefined);
      await this.exclusive(async () => undefined);
      clearInterval(this.pollTimer);
      // Webhook retries under way are not waited for: a stopping daemon does not hang on someone else's server.
      clearInterval(this.alertTimer);
      await this.shipper?.stop().catch(() => undefined);
      await this.remote?.close().catch(() => undefined);
      if (this.snapshot) await this.snapshot.write().catch(() => undefined);
      await this.store?.close().catch(() => undefined);
      this.lock?.release();
      this.log.info('stopped');
    })();
    return this.stopping;
  }
}

/** The log a changed file name belongs to (see FolderWatcher): logs, and databases through their WAL. */
function logNamed(name: string): string | null | undefined {
  if (name.endsWith('.jsonl') || name.endsWith('.json') || name.endsWith('.db')) return name;
  if (name.endsWith('.db-wal')) return name.slice(0, -4);
  if (name.endsWith('.db-shm') || name.endsWith('.db-journal')) return null;
  return undefined;
}

/** "412 log files (claude-code 380, codex 20, gemini 12)". */
function describeFound(files: DiscoveredFile[]): string {
  const by = new Map<string, number>();
  for (const f of files) {
    const tool = agentOfFormat(f.source)?.tool ?? f.source;
    by.set(tool, (by.get(tool) ?? 0) + 1);
  }
  return `${files.length} log file${files.length === 1 ? '' : 's'}${by.size ? ` (${[...by].map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`;
}

/** What token-metrics.json holds: the summary a status line needs, without all-time breakdowns. */
async function snapshotOf(api: Api) {
  const s = await api.summary();
  return {
    updatedAt: s.updatedAt, host: s.host, session: s.session, today: s.today, window: s.window,
    tokensPerMinute: s.rate.tokensPerMinute, costPerHour: s.rate.costPerHour,
  };
}
