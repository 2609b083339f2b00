// The API proxy (run by bench/run.mjs): a loopback upstream streams Anthropic-shaped SSE at a fixed pace; requests go
// to it directly and through `tokenmeter serve`'s proxy, one at a time. Added latency, time to first byte, streamed
// throughput, and the daemon's CPU per 1,000 requests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitIndexed } from './util.mjs';

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const EVENTS = 20;
const PACE_MS = 2;
const BIG = Buffer.alloc(8 << 20, 'x');
const BIG_LINE = Buffer.from(`event: response.completed\ndata: ${JSON.stringify({
  type: 'response.completed', sequence_number: 3,
  response: { id: 'resp_bench', object: 'response', model: 'gpt-5', output: [{ type: 'message', content: [{ type: 'output_text', text: 'x'.repeat(16 << 20) }] }], usage: { input_tokens: 100, output_tokens: 4000000 } },
})}\n\n`);

function upstream() {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      if (req.url.startsWith('/v1/responses')) {
        // OpenAI's Responses API sends the whole response, outputs included, as one response.completed line.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < BIG_LINE.length; i += 65536) res.write(BIG_LINE.subarray(i, i + 65536));
        res.end();
        return;
      }
      if (req.url.startsWith('/big')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length });
        res.end(BIG);
        return;
      }
      const id = `msg_bench_${++n}`;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': `req_${id}` });
      res.write(`event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 12, cache_read_input_tokens: 40000, cache_creation_input_tokens: 100, output_tokens: 1 } } })}\n\n`);
      for (let i = 0; i < EVENTS; i++) {
        await new Promise((r) => setTimeout(r, PACE_MS));
        res.write(`event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'word '.repeat(20) } })}\n\n`);
      }
      res.end(`event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 420 } })}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function once(url, path) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let first = 0;
    let bytes = 0;
    const req = http.request(url + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': 'bench' } }, (res) => {
      res.on('data', (c) => {
        if (!first) first = performance.now() - t;
        bytes += c.length;
      });
      res.on('end', () => resolve({ ttfb: first, total: performance.now() - t, bytes }));
    });
    req.on('error', reject);
    req.end('{"model":"claude-sonnet-4-5","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}');
  });
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export async function benchProxy({ cli, log }) {
  const up = await upstream();
  const home = mkdtempSync(join(tmpdir(), 'tokenmeter-proxy-'));
  const port = await freePort();
  const env = { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, 'c'), TOKENMETER_HOME: join(home, 'tm') };
  const daemon = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), cli, 'serve', '--port', String(port), '--no-grpc', '--no-snapshot', '--anthropic-upstream', up.url, '--openai-upstream', up.url], { env, stdio: 'ignore' });
  try {
    await waitIndexed(port);
    const proxy = `http://127.0.0.1:${port}/anthropic`;
    const n = Number(process.env.BENCH_PROXY_REQUESTS ?? 1000);
    for (let i = 0; i < 50; i++) {
      await once(up.url, '/v1/messages');
      await once(proxy, '/v1/messages');
    }
    const direct = [];
    const proxied = [];
    const cpu0 = cpuSeconds(daemon.pid);
    for (let i = 0; i < n; i++) {
      // Alternated, so that both see the same machine.
      direct.push(await once(up.url, '/v1/messages'));
      proxied.push(await once(proxy, '/v1/messages'));
    }
    const cpu = cpuSeconds(daemon.pid) - cpu0;
    const added = proxied.map((p, i) => p.total - direct[i].total);
    const ttfbAdded = proxied.map((p, i) => p.ttfb - direct[i].ttfb);
    log(`API proxy: ${n} streamed messages (${EVENTS + 3} SSE events ${PACE_MS} ms apart), alternating direct and proxied, one at a time:`);
    log(`| | p50 ms | p99 ms |`);
    log(`|---|---:|---:|`);
    log(`| whole response, direct | ${percentile(direct.map((d) => d.total), 50).toFixed(2)} | ${percentile(direct.map((d) => d.total), 99).toFixed(2)} |`);
    log(`| whole response, proxied | ${percentile(proxied.map((d) => d.total), 50).toFixed(2)} | ${percentile(proxied.map((d) => d.total), 99).toFixed(2)} |`);
    log(`| added by the proxy | ${percentile(added, 50).toFixed(2)} | ${percentile(added, 99).toFixed(2)} |`);
    log(`| time to first byte, direct | ${percentile(direct.map((d) => d.ttfb), 50).toFixed(2)} | ${percentile(direct.map((d) => d.ttfb), 99).toFixed(2)} |`);
    log(`| time to first byte, proxied | ${percentile(proxied.map((d) => d.ttfb), 50).toFixed(2)} | ${percentile(proxied.map((d) => d.ttfb), 99).toFixed(2)} |`);
    log(`added p50 ${percentile(added, 50).toFixed(2)} ms (target ≤ 1 ms); first byte +${percentile(ttfbAdded, 50).toFixed(2)} ms p50; daemon CPU ${((cpu / n) * 1000).toFixed(2)} s per 1,000 requests (accounting included)`);
    const big = async (base) => {
      const t = performance.now();
      let bytes = 0;
      for (let i = 0; i < 10; i++) bytes += (await once(base, '/big')).bytes;
      return bytes / 1048576 / ((performance.now() - t) / 1000);
    };
    const dm = await big(up.url);
    const pm = await big(`http://127.0.0.1:${port}/anthropic`);
    log(`streamed throughput (8 MB bodies): direct ${dm.toFixed(0)} MB/s, proxied ${pm.toFixed(0)} MB/s`);
    // One 16 MB line, and how long /healthz takes to answer while it passes (the event loop must stay free).
    const line = async (base) => {
      let probes = 0;
      let worst = 0;
      let streaming = true;
      const probe = (async () => {
        while (streaming) {
          const t = performance.now();
          await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.arrayBuffer());
          worst = Math.max(worst, performance.now() - t);
          probes++;
        }
      })();
      const r = await once(base, '/v1/responses');
      streaming = false;
      await probe;
      return { ms: r.total, worst, probes };
    };
    const ld = await line(up.url);
    const lp = await line(`http://127.0.0.1:${port}/openai`);
    log(`one 16 MB response.completed line: direct ${ld.ms.toFixed(0)} ms, proxied ${lp.ms.toFixed(0)} ms; /healthz meanwhile at worst ${lp.worst.toFixed(1)} ms (${lp.probes} probes)`);
    const stored = await (await fetch(`http://127.0.0.1:${port}/api/summary`)).json();
    log(`requests the proxy counted: ${stored.totals.requests} (expected ${n + 50 + 1})`);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    up.server.close();
    agent.destroy();
    rmSync(home, { recursive: true, force: true });
  }
}
