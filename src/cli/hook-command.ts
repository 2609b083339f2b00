// tokenmeter hook: for Claude Code's Stop, SubagentStop and SessionEnd hooks. Hooks carry no token counts; they say
// which transcripts just grew, and those new bytes are read into the index. A running daemon follows the files
// itself, so then there is nothing to do. It exits 0 whatever happens, within SessionEnd's 1.5 s budget.
import { basename, dirname } from 'node:path';
import { runningDaemon } from '../server/instance-lock.js';
import { daemonLockPath, hostName, indexPath } from './home.js';
import { probeTranscript } from './transcript-probe.js';

const DEADLINE_MS = 1200;
const PROBE_TIMEOUT_MS = 400;

export async function runHook(): Promise<void> {
  const giveUp = setTimeout(() => process.exit(0), Math.max(DEADLINE_MS - performance.now(), 50));
  try {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { transcript_path?: unknown; agent_transcript_path?: unknown };
    const paths = [input.transcript_path, input.agent_transcript_path].filter((p): p is string => typeof p === 'string' && p.endsWith('.jsonl'));
    if (paths.length === 0 || runningDaemon(daemonLockPath())) return;
    // An index to upgrade is left to a detached `tokenmeter index`, which also reads these transcripts.
    const { upgradingInBackground } = await import('./background-upgrade.js');
    if (upgradingInBackground()) return;
    const { SqliteStore } = await import('../store/sqlite.js');
    const { refreshIndex } = await import('../ingest/indexer.js');
    const store = new SqliteStore(indexPath());
    try {
      const files = [];
      for (const p of paths) {
        // Not written yet, gone, not a regular file, or on a mount that does not answer: nothing to read.
        const found = await probeTranscript(p, PROBE_TIMEOUT_MS);
        if (!found) continue;
        const { path, stat: st } = found;
        // A subagent's transcript lives in <session>/subagents/: its project is two folders up.
        const project = basename(dirname(path)) === 'subagents' ? basename(dirname(dirname(dirname(path)))) : basename(dirname(path));
        files.push({ path, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, source: 'claude-code' as const, sessionFallback: basename(path, '.jsonl'), projectFallback: project });
      }
      if (files.length) await refreshIndex(store, files, { host: hostName(), workers: 1, fewFiles: true });
    } finally {
      await store.close();
    }
  } catch (e) {
    if (process.env.DEBUG) process.stderr.write(`tokenmeter hook: ${(e as Error).message}\n`);
  } finally {
    clearTimeout(giveUp);
  }
}
