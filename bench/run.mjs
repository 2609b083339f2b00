// npm run bench: tokenmeter against ccusage on the same generated history.
// BENCH_MB sets the history's size (default 1024); the data is generated once into bench/.data and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendTurns, generateHistory } from './generate-history.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const mb = Number(process.env.BENCH_MB ?? 1024);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const dataDir = join(here, '.data', `${mb}mb`);
const claudeDir = join(dataDir, 'claude');
const manifest = join(dataDir, 'manifest.json');
const cli = join(root, 'dist', 'cli.js');
const ccusageBin = join(root, 'node_modules', '.bin', 'ccusage');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function log(s) {
  process.stdout.write(`${s}\n`);
}

if (!existsSync(manifest)) {
  log(`generating a ${mb} MB history in ${dataDir} …`);
  rmSync(dataDir, { recursive: true, force: true });
  const t = performance.now();
  const res = generateHistory(claudeDir, { targetBytes: mb * 1048576 });
  writeFileSync(manifest, JSON.stringify(res));
  log(`  ${res.files} files, ${(res.bytes / 1048576).toFixed(0)} MB, ${res.totals.requests} requests in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const expected = JSON.parse(readFileSync(manifest, 'utf8'));
const appendDir = join(claudeDir, 'projects', '-bench-append');
rmSync(appendDir, { recursive: true, force: true });

const home = join(dataDir, 'tokenmeter-home');
const fakeHome = join(dataDir, 'home');
mkdirSync(fakeHome, { recursive: true });
const env = { ...process.env, HOME: fakeHome, CLAUDE_CONFIG_DIR: claudeDir, TOKENMETER_HOME: home, TZ: 'UTC', NO_COLOR: '1' };

/** Runs a command, returning wall seconds, peak RSS in MB (when GNU time is there) and stdout. */
function timed(cmd, args) {
  const t = performance.now();
  const res = gnuTime
    ? spawnSync(gnuTime, ['-f', '%M', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t) / 1000;
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  const rssKb = gnuTime ? Number(res.stderr.trim().split('\n').pop()) : NaN;
  return { wall, rss: rssKb / 1024, stdout: res.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function series(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(fn(i));
  return { wall: median(out.map((o) => o.wall)), rss: Math.max(...out.map((o) => o.rss)), last: out[out.length - 1] };
}

const tokens = (t) => ({ input: t.inputTokens, output: t.outputTokens, cacheCreate: t.cacheCreationTokens, cacheRead: t.cacheReadTokens, total: t.totalTokens });
const same = (a, b) => JSON.stringify(tokens(a)) === JSON.stringify(tokens(b));

/** The parts after the reports, each also runnable alone with BENCH_ONLY=<name>. */
const PARTS = {
  statusline: async () => (await import('./statusline.mjs')).benchStatusline({ cli, env, log, ccusageBin: existsSync(ccusageBin) ? ccusageBin : null }),
  'statusline-tui': async () => (await import('./statusline-tui.mjs')).benchStatuslineTui({ cli, log, home }),
  daemon: async () => {
    log('daemon (tokenmeter serve on the same history):');
    await (await import('./daemon.mjs')).benchDaemon({ cli, env, dataDir, log });
  },
  views: async () => (await import('./views.mjs')).benchViews({ cli, log }),
  guard: async () => (await import('./guard.mjs')).benchGuard({ cli, env, dataDir, log }),
  other: async () => (await import('./other.mjs')).benchOther({ cli, here, log }),
  proxy: async () => (await import('./proxy.mjs')).benchProxy({ cli, log }),
  fleet: async () => (await import('./fleet.mjs')).benchFleet({ cli, env, home, dataDir, log }),
};

const only = process.env.BENCH_ONLY;
if (only) {
  if (!PARTS[only]) throw new Error(`BENCH_ONLY: one of ${Object.keys(PARTS).join(', ')}`);
  // The daemon alone starts from a cold index of its own.
  if (only === 'daemon') rmSync(home, { recursive: true, force: true });
  await PARTS[only]();
  process.exit(0);
}

log(`history: ${(expected.bytes / 1048576).toFixed(0)} MB, ${expected.files} files, ${expected.totals.requests} requests; ${runs} runs each, median wall time`);
const cold = series(runs, () => {
  rmSync(home, { recursive: true, force: true });
  return timed(process.execPath, [cli, 'daily', '--json']);
});
const warm = series(Math.max(runs, 5), () => timed(process.execPath, [cli, 'daily', '--json']));
const session = join(appendDir, 'bench-append.jsonl');
mkdirSync(appendDir, { recursive: true });
let appended = { requests: 0 };
const afterAppend = series(runs, (i) => {
  const add = appendTurns(session, '/home/dev/bench-append', 'bench-append', 1048576, 100 + i, Date.parse('2026-11-20T19:00:00Z') + i * 86400e3);
  appended = { ...add, requests: appended.requests + add.requests };
  return timed(process.execPath, [cli, 'daily', '--json']);
});
const ours = JSON.parse(afterAppend.last.stdout).totals;

const rows = [
  ['tokenmeter cold index + daily --json', cold],
  ['tokenmeter warm daily --json', warm],
  ['tokenmeter warm after appending 1 MB', afterAppend],
];
let cc = null;
if (existsSync(ccusageBin)) {
  rmSync(appendDir, { recursive: true, force: true });
  cc = series(runs, () => timed(ccusageBin, ['daily', '--offline', '--json']));
  rows.push(['ccusage daily --offline --json', cc]);
}
log('');
log('| run | wall s | peak RSS MB |');
log('|---|---:|---:|');
for (const [name, r] of rows) log(`| ${name} | ${r.wall.toFixed(3)} | ${Number.isNaN(r.rss) ? 'n/a' : r.rss.toFixed(0)} |`);
log('');
const mbps = (expected.bytes / 1048576) / cold.wall;
log(`cold index throughput: ${mbps.toFixed(0)} MB/s`);
if (cc) {
  const theirs = JSON.parse(cc.last.stdout).totals;
  log(`cold / ccusage: ${(cold.wall / cc.wall).toFixed(2)}× ccusage's time (target ≤ 1.0)`);
  log(`warm: ${(cc.wall / warm.wall).toFixed(1)}× faster than ccusage (target ≥ 10)`);
  log(`warm after 1 MB append: ${(cc.wall / afterAppend.wall).toFixed(1)}× faster than ccusage`);
  const coldOurs = JSON.parse(cold.last.stdout).totals;
  log(`token totals, tokenmeter vs ccusage (same data): ${same(coldOurs, theirs) ? 'identical' : `DIFFER\n  ours   ${JSON.stringify(tokens(coldOurs))}\n  theirs ${JSON.stringify(tokens(theirs))}`}`);
  log(`cost, tokenmeter vs ccusage: $${coldOurs.totalCost.toFixed(2)} vs $${theirs.totalCost.toFixed(2)}`);
} else {
  log('ccusage is not installed: no comparison');
}
log(`token totals, tokenmeter vs generator: ${same(JSON.parse(cold.last.stdout).totals, expected.totals) ? 'identical' : 'DIFFER'}`);
log(`requests after appends: ${ours.requests} (expected ${expected.totals.requests + appended.requests})`);
log(`peak RSS of the cold index: ${Number.isNaN(cold.rss) ? 'n/a' : `${cold.rss.toFixed(0)} MB`} (target ≤ 200 MB)`);
rmSync(appendDir, { recursive: true, force: true });

for (const [name, run] of Object.entries(PARTS)) {
  if (name === 'daemon' && process.env.BENCH_DAEMON === '0') continue;
  log('');
  await run();
}
