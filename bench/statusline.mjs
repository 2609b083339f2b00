// Status-line whole-process time (run by bench/run.mjs on the same history and index): `node -e 0`, tokenmeter
// statusline without and with a running daemon, and ccusage statusline on the same input.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitIndexed } from './util.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeRuns(cmd, args, env, input, runs) {
  const times = [];
  let out = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { env, input, encoding: 'utf8' });
    times.push(performance.now() - t);
    out = r.stdout;
  }
  return { median: median(times), out: out.trim() };
}


/** A real session of the history: its newest transcript. */
function pickSession(claudeDir) {
  const projects = join(claudeDir, 'projects');
  let best = null;
  for (const p of readdirSync(projects)) {
    for (const f of readdirSync(join(projects, p))) {
      if (!f.endsWith('.jsonl')) continue;
      const path = join(projects, p, f);
      const m = statSync(path).mtimeMs;
      if (!best || m > best.m) best = { path, m, id: f.slice(0, -6) };
    }
  }
  return best;
}

export async function benchStatusline({ cli, env, log, ccusageBin }) {
  const runs = Number(process.env.BENCH_STATUSLINE_RUNS ?? 30);
  const s = pickSession(env.CLAUDE_CONFIG_DIR);
  const input = JSON.stringify({
    session_id: s.id, transcript_path: s.path, cwd: '/home/dev/app', model: { id: 'claude-sonnet-4-5-20250929', display_name: 'Sonnet 4.5' },
    cost: { total_cost_usd: 1.23, total_duration_ms: 60000, total_api_duration_ms: 20000 }, version: '2.1.197',
    rate_limits: { five_hour: { used_percentage: 42, resets_at: Math.floor(Date.now() / 1000) + 7200 } },
  });
  const node = timeRuns(process.execPath, ['-e', '0'], env, '', runs);
  const plain = timeRuns(process.execPath, [cli, 'statusline'], { ...env, NO_COLOR: '1' }, input, runs);
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--no-grpc', '--no-snapshot'], { env, stdio: 'ignore' });
  try {
    await waitIndexed(port);
    const daemon = timeRuns(process.execPath, [cli, 'statusline'], { ...env, NO_COLOR: '1' }, input, runs);
    log(`status line, whole process, median of ${runs} (1 input, session ${s.id.slice(0, 8)}…):`);
    log(`| | ms | over node -e 0 | target |`);
    log(`|---|---:|---:|---:|`);
    log(`| node -e 0 | ${node.median.toFixed(0)} | | |`);
    log(`| tokenmeter statusline, daemon running | ${daemon.median.toFixed(0)} | +${(daemon.median - node.median).toFixed(0)} | ≤ +20 |`);
    log(`| tokenmeter statusline, no daemon | ${plain.median.toFixed(0)} | +${(plain.median - node.median).toFixed(0)} | ≤ +60 |`);
    if (ccusageBin) {
      const cc = timeRuns(ccusageBin, ['statusline', '--offline'], env, input, Math.min(runs, 10));
      log(`| ccusage statusline --offline | ${cc.median.toFixed(0)} | +${(cc.median - node.median).toFixed(0)} | |`);
      log(`ccusage: ${cc.out.split('\n')[0]}`);
    }
    log(`tokenmeter: ${daemon.out}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
