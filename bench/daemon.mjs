// The daemon's figures (run by bench/run.mjs after the CLI benchmarks, on the same history and index):
// append-to-visible latency through /metrics, OTLP ingest throughput on loopback (JSON and protobuf), and idle CPU
// and RSS with the whole history indexed.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { freePort } from './util.mjs';

const CLK_TCK = 100;


function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port, method, path, body, headers = {}, retried = false) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-length': body.length, ...headers } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    // A kept-alive socket the server closed while it sat idle: once more on a new one.
    req.on('error', (e) => (!retried && e.code === 'ECONNRESET' ? request(port, method, path, body, headers, true).then(resolve, reject) : reject(e)));
    req.end(body);
  });
}

/** CPU seconds (user + system) and RSS MB of a process, from /proc. */
function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  return { cpu, rss };
}

async function waitFor(fn, ms = 600_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const requestsOnMetrics = (text) => [...text.matchAll(/^tokenmeter_requests_total\{[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);

/** A typical Claude Code export: one api_request event (logs), and one interval of token and cost counters (metrics). */
export function typicalBodies(prefix, i) {
  const now = String(BigInt(Date.now()) * 1000000n);
  const s = (key, v) => ({ key, value: { stringValue: v } });
  const n = (key, v) => ({ key, value: { intValue: String(v) } });
  const resource = { attributes: [s('service.name', 'claude-code'), s('service.version', '2.1.197'), s('os.type', 'linux'), s('host.arch', 'x64')] };
  const common = [s('session.id', `bench-otlp-${prefix}`), s('user.id', 'a'.repeat(64)), s('terminal.type', 'xterm-256color'), s('app.version', '2.1.197')];
  const logs = {
    resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events', version: '2.1.197' }, logRecords: [{
      timeUnixNano: now, observedTimeUnixNano: now, body: { stringValue: 'claude_code.api_request' },
      attributes: [...common, s('event.name', 'api_request'), s('event.timestamp', new Date().toISOString()), n('event.sequence', 1),
        s('prompt.id', `p-${prefix}-${i}`), s('model', 'claude-sonnet-4-5-20250929'), n('input_tokens', 4), n('output_tokens', 212),
        n('cache_read_tokens', 41237), n('cache_creation_tokens', 1820), { key: 'cost_usd', value: { doubleValue: 0.0228 } },
        n('cost_usd_micros', 22800), n('duration_ms', 5310), s('request_id', `req_bench_${prefix}_${i}`), s('speed', 'normal'),
        s('query_source', 'repl_main_thread'), s('effort', 'medium')],
    }] }] }],
  };
  const point = (type, value) => ({ attributes: [...common, s('model', 'claude-sonnet-4-5-20250929'), s('type', type)], startTimeUnixNano: now, timeUnixNano: now, asDouble: value });
  const metrics = {
    resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code', version: '2.1.197' }, metrics: [
      { name: 'claude_code.token.usage', unit: 'tokens', sum: { aggregationTemporality: 1, isMonotonic: true,
        dataPoints: [point('input', 4), point('output', 212), point('cacheRead', 41237), point('cacheCreation', 1820)] } },
      { name: 'claude_code.cost.usage', unit: 'USD', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ ...point('x', 0.0228), attributes: [...common, s('model', 'claude-sonnet-4-5-20250929')] }] } },
    ] }] }],
  };
  return { logs, metrics };
}

export async function loadProto(dir) {
  const out = join(dir, 'otlp-proto.mjs');
  await build({ entryPoints: [new URL('../src/sources/otlp/proto.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
  return import(out);
}

/** Sends `count` pre-built requests over `concurrency` connections; returns requests/s and latency percentiles. */
export async function load(port, path, bodies, type, concurrency) {
  const latencies = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const t = performance.now();
      const res = await request(port, 'POST', path, body, { 'content-type': type });
      latencies.push(performance.now() - t);
      if (res.status !== 200) failed++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return { rps: bodies.length / secs, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

export async function benchDaemon({ cli, env, dataDir, log }) {
  const port = await freePort();
  const grpcPort = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--grpc-port', String(grpcPort)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const health = async () => JSON.parse((await request(port, 'GET', '/healthz')).body);
  try {
    const t0 = performance.now();
    await waitFor(async () => ((await health()).indexing === false ? true : undefined));
    log(`daemon up with the index current in ${((performance.now() - t0) / 1000).toFixed(2)} s (RSS ${usage(child.pid).rss.toFixed(0)} MB)`);

    // Idle: the whole history indexed, nothing happening, nobody polling.
    const idleSeconds = Number(process.env.BENCH_IDLE_S ?? 30);
    await new Promise((r) => setTimeout(r, 2000));
    const a = usage(child.pid);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const b = usage(child.pid);
    const idleCpu = ((b.cpu - a.cpu) / idleSeconds) * 100;
    log(`idle over ${idleSeconds} s: CPU ${idleCpu.toFixed(2)} % (target < 0.5 %), RSS ${b.rss.toFixed(0)} MB (target ≤ 80 MB)`);

    // Reads: what a status line or a dashboard asks, answered from memory and the rollup.
    for (const path of ['/api/summary', '/metrics']) {
      const times = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await request(port, 'GET', path);
        times.push(performance.now() - t);
      }
      log(`GET ${path} (200 in a row): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`);
    }

    // Append-to-visible: one assistant line appended, /metrics polled until it counts it.
    const dir = join(env.CLAUDE_CONFIG_DIR, 'projects', '-bench-live');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'bench-live.jsonl');
    appendFileSync(file, '');
    await new Promise((r) => setTimeout(r, 500)); // the new folder and file are picked up
    await waitFor(async () => ((await health()).indexing === false ? true : undefined));
    const samples = [];
    const appends = Number(process.env.BENCH_APPENDS ?? 200);
    let seen = requestsOnMetrics((await request(port, 'GET', '/metrics')).body);
    for (let i = 0; i < appends; i++) {
      const line = JSON.stringify({
        parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/dev/live', sessionId: 'bench-live', version: '2.1.197',
        type: 'assistant', uuid: `u-${i}`, timestamp: new Date().toISOString(), requestId: `req_live_${i}`,
        message: { id: `msg_live_${Date.now()}_${i}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'x'.repeat(800) }], stop_reason: 'end_turn',
          usage: { input_tokens: 3, cache_creation_input_tokens: 100, cache_read_input_tokens: 5000, output_tokens: 50, service_tier: 'standard' } },
      });
      const t = performance.now();
      appendFileSync(file, `${line}\n`);
      await waitFor(async () => {
        const n = requestsOnMetrics((await request(port, 'GET', '/metrics')).body);
        return n > seen ? n : undefined;
      }, 10_000).then((n) => (seen = n));
      samples.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
    log(`append → visible on /metrics (${appends} appends): p50 ${percentile(samples, 50).toFixed(1)} ms, p99 ${percentile(samples, 99).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms (target p99 ≤ 250 ms)`);
    rmSync(dir, { recursive: true, force: true });

    // OTLP ingest throughput: with wrk when it is installed (a C load generator leaves the cores to the daemon),
    // else from this process.
    const proto = await loadProto(dataDir);
    const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error ? null : 'wrk';
    const seconds = Number(process.env.BENCH_OTLP_SECONDS ?? 10);
    const count = Number(process.env.BENCH_OTLP_REQUESTS ?? 20000);
    const concurrency = Number(process.env.BENCH_OTLP_CONCURRENCY ?? 32);
    log(`OTLP load: ${wrk ? `wrk, 1 thread, ${concurrency} connections, ${seconds} s` : `${count} exports from Node, ${concurrency} connections`} per case`);
    for (const signal of ['logs', 'metrics']) {
      for (const encoding of ['json', 'protobuf']) {
        const type = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
        const encode = (body) => (encoding === 'json' ? Buffer.from(JSON.stringify(body)) : Buffer.from(proto.encodeExportRequest(signal, body)));
        let r;
        let size;
        if (wrk) {
          const template = encode(typicalBodies(`${signal}${encoding}${Date.now()}`, 'XXXXXXXXXX')[signal]);
          size = template.length;
          const file = join(dataDir, `otlp-${signal}-${encoding}.body`);
          writeFileSync(file, template);
          const out = spawnSync('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--latency', '-s', new URL('./otlp-load.lua', import.meta.url).pathname,
            `http://127.0.0.1:${port}/v1/${signal}`, '--', file, type], { encoding: 'utf8' }).stdout;
          const ms = (label) => {
            const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
            return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
          };
          r = { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: ms('50'), p99: ms('99'), failed: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) };
        } else {
          const bodies = [];
          for (let i = 0; i < count; i++) bodies.push(encode(typicalBodies(`${signal}${encoding}${Date.now()}`, String(i).padStart(10, '0'))[signal]));
          size = bodies[0].length;
          r = await load(port, `/v1/${signal}`, bodies, type, concurrency);
        }
        log(`OTLP ${signal} ${encoding} (${(size / 1024).toFixed(1)} KB each): ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${r.failed ? `, ${r.failed} FAILED` : ''} (target ≥ 5,000 req/s)`);
      }
    }
    const h = await health();
    log(`daemon after the load: RSS ${usage(child.pid).rss.toFixed(0)} MB, V8 heap in use ${h.memory.heapUsedMb} MB of ${h.memory.heapTotalMb} MB`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    agent.destroy();
  }
}
