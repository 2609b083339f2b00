// tokenmeter doctor: what tokenmeter sees and where its sources disagree, so a user can tell which number to trust.
import { existsSync } from 'node:fs';
import { claudeRoots } from '../sources/claude-code/discover.js';
import { runningDaemon } from '../server/instance-lock.js';
import { SqliteStore } from '../store/sqlite.js';
import { daemonLockPath, indexPath } from './home.js';

const counts = (c: { input: number; output: number; cacheRead: number; cacheWrite: number }) =>
  `in ${c.input}, out ${c.output}, cache read ${c.cacheRead}, cache write ${c.cacheWrite}`;

export async function runDoctor(flags: { json?: boolean; limit: string }): Promise<number> {
  const limit = Math.max(Number(flags.limit) || 20, 1);
  const path = indexPath();
  const daemon = runningDaemon(daemonLockPath());
  const roots = claudeRoots().roots.map((r) => ({ root: r, found: existsSync(`${r}/projects`) }));
  if (!existsSync(path)) {
    const report = { index: path, exists: false, daemon, roots };
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `No index yet at ${path}: run "tokenmeter" or "tokenmeter serve".\n`);
    return 0;
  }
  const store = new SqliteStore(path);
  try {
    const bySource = await store.requestsBySources();
    const requests = await store.requestDisagreements(limit);
    const sessions = await store.sessionDisagreements(limit);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ index: path, daemon, roots, bySource, requestDisagreements: requests, sessionDisagreements: sessions }, null, 2)}\n`);
      return requests.length + sessions.length > 0 ? 1 : 0;
    }
    const out: string[] = [];
    out.push(`Index: ${path}`);
    out.push(daemon ? `Daemon: running (pid ${daemon.pid}, http://${daemon.host}:${daemon.port})` : 'Daemon: not running (reports read the logs themselves)');
    for (const r of roots) out.push(`Claude Code root ${r.root}: ${r.found ? 'transcripts found' : 'no projects/ folder'}`);
    out.push('Requests by the sources that saw them:');
    for (const s of bySource) out.push(`  ${s.sources.padEnd(24)} ${s.requests}`);
    if (requests.length === 0 && sessions.length === 0) {
      out.push('No disagreements between sources.');
    } else {
      if (requests.length) out.push(`Requests whose sources disagree (${requests.length}${requests.length === limit ? '+' : ''}):`);
      for (const r of requests) {
        out.push(`  ${r.requestId} (session ${r.sessionId}, ${r.model}, ${new Date(r.ts).toISOString()})`);
        for (const c of r.copies) out.push(`    ${c.source.padEnd(10)} ${counts(c)}`);
      }
      if (sessions.length) out.push(`Sessions whose token metrics disagree with their per-request records (${sessions.length}):`);
      for (const s of sessions) {
        out.push(`  ${s.sessionId} (${s.tool})`);
        out.push(`    metrics    ${counts(s.metrics)}`);
        out.push(`    requests   ${counts(s.requests)}`);
      }
      out.push('Reports count the per-request copy (the transcript over telemetry); token metrics count only for sessions nothing else covers.');
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return requests.length + sessions.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
