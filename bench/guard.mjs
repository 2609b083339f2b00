// The guard hook's whole-process time (run by bench/run.mjs on the same history and index): `node -e 0`, then
// `tokenmeter guard` with no budget, and with three budgets (one enforced), without and with a running daemon.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitIndexed } from './util.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeRuns(cmd, args, env, input, runs) {
  const times = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    status = spawnSync(cmd, args, { env, input, encoding: 'utf8' }).status;
    times.push(performance.now() - t);
  }
  return { median: median(times), status };
}

export async function benchGuard({ cli, env, dataDir, log }) {
  const runs = Number(process.env.BENCH_STATUSLINE_RUNS ?? 30);
  const dir = join(dataDir, 'guard');
  mkdirSync(dir, { recursive: true });
  const none = join(dir, 'none.json');
  const three = join(dir, 'three.json');
  writeFileSync(none, '{}');
  writeFileSync(three, JSON.stringify({ budgets: [
    { name: 'daily', period: 'day', usd: 1e9, enforce: true }, { name: 'weekly', period: 'week', tokens: 1e12 }, { name: 'window', period: '5h', usd: 1e9, enforce: true },
  ] }));
  const input = JSON.stringify({ session_id: 'bench', cwd: '/home/dev/app', hook_event_name: 'UserPromptSubmit', prompt: 'x' });
  const guard = (config) => timeRuns(process.execPath, [cli, 'guard'], { ...env, TOKENMETER_CONFIG: config }, input, runs);
  timeRuns(process.execPath, [cli, 'daily', '--json'], env, '', 1); // the index warm and current
  const node = timeRuns(process.execPath, ['-e', '0'], env, '', runs);
  const plainNone = guard(none);
  const plainThree = guard(three);
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--no-grpc', '--no-snapshot'], { env: { ...env, TOKENMETER_CONFIG: three }, stdio: 'ignore' });
  try {
    await waitIndexed(port);
    const daemonThree = guard(three);
    log(`guard hook, whole process, median of ${runs}:`);
    log('| | ms | over node -e 0 |');
    log('|---|---:|---:|');
    log(`| node -e 0 | ${node.median.toFixed(0)} | |`);
    log(`| tokenmeter guard, no budget | ${plainNone.median.toFixed(0)} | +${(plainNone.median - node.median).toFixed(0)} |`);
    log(`| tokenmeter guard, 3 budgets, no daemon | ${plainThree.median.toFixed(0)} | +${(plainThree.median - node.median).toFixed(0)} |`);
    log(`| tokenmeter guard, 3 budgets, daemon running | ${daemonThree.median.toFixed(0)} | +${(daemonThree.median - node.median).toFixed(0)} (target ≤ +20) |`);
    log(`exit codes: ${[plainNone, plainThree, daemonThree].map((r) => r.status).join(', ')} (0: let through)`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
