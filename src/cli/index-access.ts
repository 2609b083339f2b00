// Opens the index for a command, brought up to date first unless a running daemon keeps it current.
import { runningDaemon } from '../server/instance-lock.js';
import { SqliteStore } from '../store/sqlite.js';
import { daemonLockPath, indexPath } from './home.js';
import { refresh } from './refresh.js';

export async function withIndex<T>(verbose: boolean, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(indexPath());
  try {
    // A running daemon keeps the index current to the quarter second; reading the logs again would only compete with it.
    const daemon = runningDaemon(daemonLockPath());
    if (!daemon) await refresh(store, verbose, (l) => process.stderr.write(`${l}\n`));
    else if (verbose) process.stderr.write(`tokenmeter: the index is kept current by the daemon (pid ${daemon.pid})\n`);
    return await fn(store);
  } finally {
    await store.close();
  }
}
