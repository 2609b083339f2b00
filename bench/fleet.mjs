// Fleet mode against the PostgreSQL on this machine (TOKENMETER_BENCH_DATABASE_URL, default 127.0.0.1:5432/test):
// shipping throughput, a pooled `daily --json` over 10 hosts each holding the whole bench history (its events under
// their own keys and host name: "1 GB-equivalent" per host), and the status line with a daemon in fleet mode.
// Run by bench/run.mjs after the reports (which leave the index of the history in `home`).
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitIndexed } from './util.mjs';

const HOSTS = Number(process.env.BENCH_FLEET_HOSTS ?? 10);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args, env, input) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wall: (performance.now() - t) / 1000, stdout: r.stdout, stderr: r.stderr };
}

export async function benchFleet({ cli, env, home, dataDir, log }) {
  const base = process.env.TOKENMETER_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `tm_bench_${process.pid}`;
  const url = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const homes = [];
  try {
    // Each host: a copy of the bench index whose events carry their own keys and host name.
    let events = 0;
    for (let i = 0; i < HOSTS; i++) {
      const h = join(dataDir, `fleet-home-${i}`);
      rmSync(h, { recursive: true, force: true });
      mkdirSync(h, { recursive: true });
      // The index is checkpointed (WAL folded in) by the reports that ran before.
      copyFileSync(join(home, 'index.sqlite'), join(h, 'index.sqlite'));
      const db = new Database(join(h, 'index.sqlite'));
      db.pragma('journal_mode = WAL');
      db.prepare(`UPDATE events SET dedup_key = dedup_key || ?, host = ?`).run(`#${i}`, `host-${String(i).padStart(2, '0')}`);
      db.exec(`DELETE FROM meta WHERE key IN ('ship_target', 'ship_host', 'ship_last_at', 'ship_last_error')`);
      events = db.prepare('SELECT COUNT(*) AS n FROM events').get().n;
      db.close();
      homes.push(h);
    }
    const envOf = (i) => ({ ...env, TOKENMETER_HOME: homes[i], TOKENMETER_HOST_NAME: `host-${String(i).padStart(2, '0')}` });
    const local = median([0, 1, 2].map(() => timed([cli, 'daily', '--json', '--store', 'local'], envOf(0)).wall));
    // Shipping: the first pooled report of each host ships its whole index first (no daemon runs for it).
    const ships = [];
    for (let i = 0; i < HOSTS; i++) ships.push(timed([cli, 'daily', '--json', '--store', url], envOf(i)).wall - local);
    const shipped = events * HOSTS;
    const shipSeconds = ships.reduce((a, b) => a + b, 0);
    const pooled = [0, 1, 2].map(() => timed([cli, 'daily', '--json', '--store', url], envOf(0)));
    const totals = JSON.parse(pooled.at(-1).stdout).totals;
    const one = JSON.parse(timed([cli, 'daily', '--json', '--store', 'local'], envOf(0)).stdout).totals;
    const size = (await admin.query(`SELECT pg_total_relation_size('${schema}.events') + pg_total_relation_size('${schema}.usage_rollup') AS b`)).rows[0].b;
    log(`fleet (PostgreSQL ${base.replace(/\/\/[^@]*@/, '//')}; ${HOSTS} hosts × ${events} requests = ${shipped} in the pool, ${(Number(size) / 1048576).toFixed(0)} MB there):`);
    log('| | figure |');
    log('|---|---:|');
    log(`| shipping, events/s (whole indexes, batches of 5000, one host at a time) | ${Math.round(shipped / shipSeconds)} |`);
    log(`| shipping one host's index (${events} requests), s, median | ${median(ships).toFixed(2)} |`);
    log(`| pooled daily --json over ${HOSTS} hosts, s, median of 3 | ${median(pooled.map((p) => p.wall)).toFixed(3)} |`);
    log(`| local daily --json (one host), s, median of 3 | ${local.toFixed(3)} |`);
    log(`pooled totals = ${HOSTS} × one host's: ${totals.totalTokens === one.totalTokens * HOSTS && totals.requests === one.requests * HOSTS ? 'yes' : `NO (${totals.totalTokens} vs ${one.totalTokens} × ${HOSTS})`}`);

    // The status line, answered by a daemon in fleet mode from its pooled read model.
    const port = await freePort();
    const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--no-grpc', '--no-snapshot', '--store', url], { env: envOf(0), stdio: 'ignore' });
    try {
      await waitIndexed(port);
      const input = JSON.stringify({ session_id: 'bench-fleet', model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' } });
      const runs = Number(process.env.BENCH_STATUSLINE_RUNS ?? 30);
      const node = median(Array.from({ length: runs }, () => timed(['-e', '0'], env, '').wall));
      const sl = median(Array.from({ length: runs }, () => timed([cli, 'statusline'], { ...envOf(0), NO_COLOR: '1' }, input).wall));
      log(`| status line with a fleet-mode daemon, ms (over node -e 0) | ${(sl * 1000).toFixed(0)} (+${((sl - node) * 1000).toFixed(0)}) |`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
}
