// tokenmeter import usage-tracking.json: the seeds' shared file (v1 or v2) into lifetime figures per host, which
// `tokenmeter servers` shows beside what the index counted.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseUsageTracking, SeedFormatError } from '../sources/seed/usage-tracking.js';
import { SqliteStore } from '../store/sqlite.js';
import { databaseUrl, indexPath } from './home.js';
import { thousands } from './statusline-format.js';
import { fileProblem, UsageError } from './usage-error.js';

export async function runImport(file: string, flags: { store?: string } = {}): Promise<void> {
  const url = databaseUrl(flags.store);
  const path = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code) throw new UsageError(`${path}: ${fileProblem(err)}`);
    const at = /position (\d+)/.exec(err.message)?.[1];
    throw new UsageError(`${path}: not JSON${at ? ` (at byte ${at})` : ''}`);
  }
  let parsed;
  try {
    parsed = parseUsageTracking(raw, path);
  } catch (e) {
    if (e instanceof SeedFormatError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  const store = new SqliteStore(indexPath());
  try {
    await store.importHosts(parsed.hosts);
  } finally {
    await store.close();
  }
  if (url) {
    // Fleet mode: the pooled views read the pooled store, so the figures go there too.
    const { PostgresStore } = await import('../store/postgres/store.js');
    const remote = new PostgresStore(url);
    try {
      await remote.importHosts(parsed.hosts);
    } catch (e) {
      throw new UsageError(`${(e as Error).message}; the figures are in the local index only (import again once it is reachable)`);
    } finally {
      await remote.close();
    }
  }
  process.stdout.write(`Imported ${path} (version ${parsed.version}): ${parsed.hosts.map((h) => `${h.host} ${thousands(h.tokens)} tokens, ${thousands(h.requests)} requests`).join('; ')}.\n` +
    'Importing the same file again replaces these figures; "tokenmeter servers" shows them beside the index\'s own.\n');
}
