// tokenmeter index: reads what is new in the logs into the index, then exits. Run by the daemon in a child process
// for large catch-ups; when that daemon goes away (its IPC channel closes), the child stops too.
import { SqliteStore } from '../store/sqlite.js';
import { indexPath } from './home.js';
import { refresh } from './refresh.js';

export async function runIndex(verbose: boolean): Promise<void> {
  const orphaned = () => process.exit(1);
  if (process.send) process.on('disconnect', orphaned);
  const store = new SqliteStore(indexPath());
  try {
    const r = await refresh(store, verbose, (l) => process.stderr.write(`${l}\n`));
    if (verbose) process.stderr.write(`tokenmeter: index current (${r.stats.events} requests read in ${r.durationMs.toFixed(0)} ms)\n`);
  } finally {
    await store.close();
  }
  if (process.send) {
    process.off('disconnect', orphaned);
    process.disconnect();
  }
}
