// npm run bench: tokenmeter against ccusage on the same generated history, ending with one table of the speed targets
// (first index at 200 MB and BENCH_MB beside ccusage, warm reports and start-up beside `node -e 0`, every agent's
// MB/s beside Claude Code's), so that a regression shows. BENCH_MB sets the main history's size (default 1024),
// BENCH_SIZES the other first-index sizes (default 200; BENCH_MB is always one); data is generated once into
// bench/.data and reused. BENCH_ONLY=speed prints the table alone (without the agents' rows, from the `other` part).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
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

/** The generated history of `size` MB (made once into bench/.data and reused) and what it holds. */
function historyOf(size) {
  const dir = join(here, '.data', `${size}mb`);
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) {
    log(`generating a ${size} MB history in ${dir} …`);
    rmSync(dir, { recursive: true, force: true });
    const t = performance.now();
    const res = generateHistory(join(dir, 'claude'), { targetBytes: size * 1048576 });
    writeFileSync(file, JSON.stringify(res));
    log(`  ${res.files} files, ${(res.bytes / 1048576).toFixed(0)} MB, ${res.totals.requests} requests in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return { dir, expected: JSON.parse(readFileSync(file, 'utf8')) };
}
const expected = historyOf(mb).expected;
const appendDir = join(claudeDir, 'projects', '-bench-append');
rmSync(appendDir, { recursive: true, force: true });

const home = join(dataDir, 'tokenmeter-home');
const fakeHome = join(dataDir, 'home');
mkdirSync(fakeHome, { recursive: true });
const env = { ...process.env, HOME: fakeHome, CLAUDE_CONFIG_DIR: claudeDir, TOKENMETER_HOME: home, TZ: 'UTC', NO_COLOR: '1' };

/** Runs a command, returning wall seconds, peak RSS in MB (when GNU time is there) and stdout. */
function timed(cmd, args, withEnv = env) {
  const t = performance.now();
  const res = gnuTime
    ? spawnSync(gnuTime, ['-f', '%M', cmd, ...args], { env: withEnv, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { env: withEnv, encoding: 'utf8', maxBuffer: 1 << 28 });
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

/**
 * A command that takes a few tens of ms more than `node -e 0`, on a machine whose timings wander by tens: many runs,
 * each beside a run of `node -e 0`, so that both medians come from the same minutes.
 */
function besideNode(n, fn) {
  const zero = [];
  const s = series(n, (i) => {
    zero.push(timed(process.execPath, ['-e', '0']).wall);
    return fn(i);
  });
  return { ...s, zero: median(zero) };
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
  other: async () => (summary.agents = await (await import('./other.mjs')).benchOther({ cli, here, log })),
  speed: async () => {
    await speedFigures();
    printSummary();
  },
  proxy: async () => (await import('./proxy.mjs')).benchProxy({ cli, log }),
  fleet: async () => (await import('./fleet.mjs')).benchFleet({ cli, env, home, dataDir, log }),
};

/** The issue's targets, measured: filled by speedFigures() and `other`, printed by printSummary(). */
const summary = { sizes: [], startup: null, daemonWarm: null, agents: null };
const ms = (s) => `${(s * 1000).toFixed(0)} ms`;

/**
 * A first index and a warm report of each size (BENCH_SIZES, default 200, and BENCH_MB) beside ccusage's report of the
 * same history, runs alternating between the two; start-up beside `node -e 0`; a report while a daemon keeps the
 * index current.
 */
async function speedFigures() {
  // The main size is always among them: the detailed runs below reuse its figures.
  const sizes = [...new Set([...(process.env.BENCH_SIZES ?? '200').split(',').map(Number), mb])];
  const cc = existsSync(ccusageBin);
  for (const size of sizes) {
    const { dir, expected: want } = historyOf(size);
    const e = { ...env, HOME: join(dir, 'home'), CLAUDE_CONFIG_DIR: join(dir, 'claude'), TOKENMETER_HOME: join(dir, 'tokenmeter-home') };
    mkdirSync(e.HOME, { recursive: true });
    rmSync(join(dir, 'claude', 'projects', '-bench-append'), { recursive: true, force: true });
    const ours = [];
    const theirs = [];
    for (let i = 0; i < runs; i++) {
      rmSync(e.TOKENMETER_HOME, { recursive: true, force: true });
      ours.push(timed(process.execPath, [cli, 'daily', '--json'], e));
      if (cc) theirs.push(timed(ccusageBin, ['daily', '--offline', '--json'], e));
    }
    const warm = besideNode(Math.max(runs, 15), () => timed(process.execPath, [cli, 'daily', '--json'], e));
    const pick = (rs) => ({ wall: median(rs.map((r) => r.wall)), rss: Math.max(...rs.map((r) => r.rss)), last: rs.at(-1) });
    const o = pick(ours);
    const t = cc ? pick(theirs) : null;
    const totals = JSON.parse(o.last.stdout).totals;
    summary.sizes.push({
      size, files: want.files, ours: o, theirs: t, warm, env: e,
      exact: same(totals, want.totals) && (!t || same(totals, JSON.parse(t.last.stdout).totals)),
    });
  }
  const zero = [];
  const version = [];
  const help = [];
  // Start-up differs from node -e 0 by a few ms on a machine whose timings wander by tens: many runs, interleaved.
  for (let i = 0; i < 31; i++) {
    zero.push(timed(process.execPath, ['-e', '0']).wall);
    version.push(timed(process.execPath, [cli, '--version']).wall);
    help.push(timed(process.execPath, [cli, '--help']).wall);
  }
  summary.startup = { zero: median(zero), version: median(version), help: median(help) };

  // A report while the daemon runs: the index is kept current by it, and the command only reads.
  const last = summary.sizes.at(-1);
  const { freePort, waitIndexed } = await import('./util.mjs');
  const port = await freePort();
  const grpcPort = await freePort();
  const daemon = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--grpc-port', String(grpcPort)], { env: last.env, stdio: 'ignore' });
  try {
    await waitIndexed(port);
    // What a daemon does once it is up (watches, a first sweep) is over before the reports are timed.
    await new Promise((r) => setTimeout(r, 3000));
    summary.daemonWarm = besideNode(Math.max(runs, 15), () => timed(process.execPath, [cli, 'daily', '--json'], last.env));
  } finally {
    daemon.kill('SIGTERM');
    await once(daemon, 'exit');
  }
}

function printSummary() {
  const zero = summary.startup?.zero;
  const yes = (ok) => (ok ? 'yes' : '**no**');
  log('');
  log('speed, beside ccusage and node -e 0 (medians; ratios are ours ÷ theirs):');
  log('| measure | tokenmeter | ccusage | node -e 0 | ratio or over | target | met |');
  log('|---|---:|---:|---:|---:|---|---|');
  for (const s of summary.sizes) {
    const r = s.theirs ? s.ours.wall / s.theirs.wall : NaN;
    log(`| first index + daily --json, ${s.size} MB (${s.files} files) | ${s.ours.wall.toFixed(2)} s | ${s.theirs ? `${s.theirs.wall.toFixed(2)} s` : 'n/a'} | | ${r.toFixed(2)}× | ≤ 1.0× | ${yes(r <= 1)} |`);
    log(`| peak RSS of that first index | ${s.ours.rss.toFixed(0)} MB | ${s.theirs ? `${s.theirs.rss.toFixed(0)} MB` : 'n/a'} | | | ≤ 200 MB | ${yes(s.ours.rss <= 200)} |`);
    const over = s.warm.wall - s.warm.zero;
    log(`| warm daily --json, ${s.size} MB | ${s.warm.wall.toFixed(3)} s | ${s.theirs ? `${s.theirs.wall.toFixed(2)} s` : 'n/a'} | ${s.warm.zero.toFixed(3)} s | +${ms(over)} | ≤ +60 ms | ${yes(over <= 0.06)} |`);
    log(`| totals, ${s.size} MB | ${s.exact ? 'identical to the generator and ccusage' : '**DIFFER**'} | | | | exact | ${yes(s.exact)} |`);
  }
  if (summary.daemonWarm) {
    const { wall: d, zero: z } = summary.daemonWarm;
    log(`| warm daily --json, daemon running | ${d.toFixed(3)} s | | ${z.toFixed(3)} s | +${ms(d - z)} | ≤ +60 ms | ${yes(d - z <= 0.06)} |`);
  }
  if (summary.startup) {
    const { version, help } = summary.startup;
    log(`| --version | ${version.toFixed(3)} s | | ${zero.toFixed(3)} s | +${ms(version - zero)} | ≤ +15 ms | ${yes(version - zero <= 0.015)} |`);
    log(`| --help | ${help.toFixed(3)} s | | ${zero.toFixed(3)} s | +${ms(help - zero)} | ≤ +15 ms | ${yes(help - zero <= 0.015)} |`);
  }
  for (const a of summary.agents ?? []) {
    if (a.tool === 'claude-code') continue;
    log(`| ${a.tool} first index, MB/s (${a.mb} MB) | ${a.rate.toFixed(0)} MB/s | | | ${a.ratio.toFixed(2)}× Claude Code's | ≥ 1.0× | ${yes(a.ratio >= 1)} |`);
  }
}

const only = process.env.BENCH_ONLY;
if (only) {
  if (!PARTS[only]) throw new Error(`BENCH_ONLY: one of ${Object.keys(PARTS).join(', ')}`);
  // The daemon alone starts from a cold index of its own.
  if (only === 'daemon') rmSync(home, { recursive: true, force: true });
  await PARTS[only]();
  process.exit(0);
}

await speedFigures();
log('');
log(`history: ${(expected.bytes / 1048576).toFixed(0)} MB, ${expected.files} files, ${expected.totals.requests} requests; ${runs} runs each, median wall time`);
// The first index, warm report and ccusage's report of this size were timed by speedFigures().
const { ours: cold, warm, theirs: cc } = summary.sizes.find((s) => s.size === mb);
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
if (cc) rows.push(['ccusage daily --offline --json', cc]);
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
  if (name === 'speed' || (name === 'daemon' && process.env.BENCH_DAEMON === '0')) continue;
  log('');
  await run();
}
printSummary();
