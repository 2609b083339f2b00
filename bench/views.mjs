// The views under load (run by bench/run.mjs): the dashboard's frame times in Chromium while 50 requests a second
// arrive, and the CPU of `tokenmeter live` while it watches.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitIndexed } from './util.mjs';

const CHROMIUM = '/usr/bin/chromium';
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];



function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export async function benchViews({ cli, log }) {
  const home = mkdtempSync(join(tmpdir(), 'tokenmeter-views-'));
  const env = { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, 'claude'), TOKENMETER_HOME: join(home, 'tm') };
  const port = await freePort();
  const daemon = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--no-grpc'], { env, stdio: 'ignore' });
  try {
    await waitIndexed(port);
    const seconds = Number(process.env.BENCH_VIEW_SECONDS ?? 10);
    let n = 0;
    const push = setInterval(() => {
      const body = JSON.stringify({ events: [{
        ts: Date.now(), tool: 'api', source: 'hook', host: 'bench', sessionId: 'views', project: '/bench', model: 'claude-sonnet-4-5',
        speed: 'standard', input: 100, output: 400, cacheRead: 5000, cacheWrite5m: 200, cacheWrite1h: 0, reasoning: 0,
        reportedCost: null, dedupKey: `views-${Date.now()}-${n++}`, requestId: null, isSidechain: false,
      }] });
      void fetch(`http://127.0.0.1:${port}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => undefined);
    }, 20); // 50 a second

    if (existsSync(CHROMIUM)) {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('#connection.live');
      const m = await page.evaluate(async (ms) => {
        const frames = [];
        const tasks = [];
        new PerformanceObserver((l) => l.getEntries().forEach((e) => tasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
        let last = performance.now();
        const end = last + ms;
        await new Promise((resolve) => {
          const f = (t) => {
            frames.push(t - last);
            last = t;
            if (t < end) requestAnimationFrame(f);
            else resolve(undefined);
          };
          requestAnimationFrame(f);
        });
        return { frames, tasks, events: window.tokenmeter.debug.events };
      }, seconds * 1000);
      await browser.close();
      log(`dashboard at 50 requests/s for ${seconds} s (headless Chromium, no GPU): ${m.events} events drawn, frame interval p50 ${percentile(m.frames, 50).toFixed(1)} ms, p99 ${percentile(m.frames, 99).toFixed(1)} ms; ${m.tasks.length} tasks over 50 ms${m.tasks.length ? ` (longest ${Math.max(...m.tasks).toFixed(0)} ms)` : ''}`);
    } else {
      log('dashboard: no /usr/bin/chromium, skipped');
    }

    // tokenmeter live, watching in a terminal (tmux) while the requests keep coming.
    if (spawnSync('tmux', ['-V']).status === 0) {
      const sock = `tm-bench-${process.pid}`;
      const envs = Object.entries({ HOME: env.HOME, CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR, TOKENMETER_HOME: env.TOKENMETER_HOME }).map(([k, v]) => `${k}=${v}`).join(' ');
      spawnSync('tmux', ['-L', sock, 'new-session', '-d', '-x', '120', '-y', '40', `env ${envs} ${process.execPath} ${cli} live`]);
      await new Promise((r) => setTimeout(r, 2000));
      // env execs node: the pane's process is tokenmeter live itself.
      const pid = Number(spawnSync('tmux', ['-L', sock, 'display', '-p', '#{pane_pid}'], { encoding: 'utf8' }).stdout.trim());
      const a = cpuSeconds(pid);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const b = cpuSeconds(pid);
      spawnSync('tmux', ['-L', sock, 'kill-server']);
      log(`tokenmeter live watching for ${seconds} s (daemon running, 50 requests/s arriving): CPU ${(((b - a) / seconds) * 100).toFixed(2)} % (target ≤ 2 %)`);
    }
    clearInterval(push);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(home, { recursive: true, force: true });
  }
}
