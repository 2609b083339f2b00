// Opens the index for a command, brought up to date first unless a running daemon keeps it current. In fleet mode
// (--store postgres://… or TOKENMETER_DATABASE_URL) the command reads the pooled figures of every host, after
// shipping what this machine has not shipped yet; if the pooled store cannot be reached it says so and shows this
// machine's figures.
import { runningDaemon } from '../server/instance-lock.js';
import { SqliteStore } from '../store/sqlite.js';
import type { ViewStore } from '../store/store.js';
import { daemonLockPath, databaseUrl, hostName, indexPath } from './home.js';
import { UsageError } from './usage-error.js';

export interface IndexAccess {
  verbose?: boolean;
  /** --store: the pooled store's URL, or "local". */
  store?: string;
}

export async function withIndex<T>(access: IndexAccess | boolean, fn: (store: ViewStore, local: SqliteStore) => Promise<T>): Promise<T> {
  const { verbose = false, store: storeFlag } = typeof access === 'boolean' ? { verbose: access } : access;
  const url = databaseUrl(storeFlag);
  const store = new SqliteStore(indexPath());
  const say = (l: string) => process.stderr.write(`${l}\n`);
  try {
    // A running daemon keeps the index current to the quarter second; reading the logs again would only compete with it.
    const daemon = runningDaemon(daemonLockPath());
    // Reading the logs (discovery, every agent's parser, the indexer) is loaded only when this command does it.
    if (!daemon) await (await import('./refresh.js')).refresh(store, verbose, say);
    else if (verbose) say(`tokenmeter: the index is kept current by the daemon (pid ${daemon.pid})`);
    if (!url) return await fn(store, store);
    return await withPooled(url, store, !daemon, say, (view) => fn(view, store));
  } finally {
    await store.close();
  }
}

async function withPooled<T>(url: string, local: SqliteStore, ship: boolean, say: (l: string) => void, fn: (view: ViewStore) => Promise<T>): Promise<T> {
  const [{ PostgresStore, PostgresConfigError, shipTarget }, { PooledView }, { Shipper }] = await Promise.all([
    import('../store/postgres/store.js'), import('../store/pooled-view.js'), import('../ingest/shipper.js'),
  ]);
  const remote = new PostgresStore(url);
  try {
    let down: Error | null = null;
    if (ship) {
      // No daemon ships for this machine: what it read just now goes out before the pooled figures are read.
      // Under this home's host name (serve --host-name keeps it); no heartbeat (this is not a daemon).
      const host = hostName();
      await local.enableShipping(shipTarget(url), host);
      const shipper = new Shipper({ local, remote, host, version: 'cli', heartbeatMs: Infinity, log: { info: () => undefined, warn: () => undefined } });
      await shipper.drain().catch((e: Error) => (down = e));
    }
    // A URL that cannot work is the user's to fix, not an outage to wait out.
    if ((down as Error | null) instanceof PostgresConfigError) throw new UsageError((down as unknown as Error).message);
    const view = new PooledView(remote, local, (e) => (down ??= e));
    const out = await fn(down ? local : view);
    if ((down as Error | null) instanceof PostgresConfigError) throw new UsageError((down as unknown as Error).message);
    if (down) {
      say(`tokenmeter: ${(down as Error).message}; showing this machine's figures only (${await local.shipBacklog()} change(s) wait to be shipped)`);
    }
    return out;
  } finally {
    await remote.close();
  }
}
