// Brings the index up to date before a command answers, and tells the user what could not be read.
import { discoverAll } from '../sources/discover-all.js';
import { refreshIndex, type IndexStats } from '../ingest/indexer.js';
import type { Store } from '../store/store.js';
import { hostName } from './home.js';
import { progressBar } from './progress.js';

export interface RefreshReport {
  stats: IndexStats;
  missing: string | null;
  durationMs: number;
}

export async function refresh(store: Store, verbose: boolean, log: (line: string) => void): Promise<RefreshReport> {
  const started = performance.now();
  const discovery = discoverAll(process.env, await store.dirListings());
  await store.saveDirListings(discovery.listings);
  const discoveryMs = performance.now() - started;
  const bar = progressBar();
  let stats: IndexStats;
  try {
    stats = await refreshIndex(store, discovery.files, { host: hostName(), onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.done();
  }
  const durationMs = performance.now() - started;
  if (discovery.missing) log(`tokenmeter: ${discovery.missing}`);
  if (verbose) {
    log(
      `tokenmeter: ${stats.files} files, ${stats.filesRead} read (${stats.filesReplaced} replaced), ` +
        `${(stats.bytesRead / 1048576).toFixed(1)} MB, ${stats.events} requests, ${stats.badLines} bad lines, ` +
        `${stats.skippedSynthetic} synthetic and ${stats.skippedProgress} progress lines skipped` +
        `${stats.repriced ? `, ${stats.repriced} costs recomputed` : ''} in ${durationMs.toFixed(0)} ms ` +
        `(${Object.entries({ discovery: discoveryMs, ...stats.phases }).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})`,
    );
    for (const p of discovery.problems) log(`tokenmeter: ${p}`);
    for (const p of stats.problems) log(`${p.path}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  } else {
    const unreadable = discovery.problems.length + stats.problems.filter((p) => p.line === 0).length;
    if (stats.badLines > 0 || unreadable > 0) {
      log(`tokenmeter: skipped ${stats.badLines} bad lines${unreadable ? ` and ${unreadable} unreadable paths` : ''} (--verbose shows where)`);
    }
  }
  return { stats, missing: discovery.missing, durationMs };
}
