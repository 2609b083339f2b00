// The API proxy with the official SDKs and curl as clients, a loopback stand-in as the upstream.
import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

let up: FakeUpstream;
let d: TestDaemon;
beforeAll(async () => {
  up = await startFakeUpstream();
  d = await startTestDaemon({ upstreams: { anthropic: up.url, openai: up.url } });
});
afterAll(async () => {
  await d?.stop();
  await up?.close();
});

async function stored(where = '1 = 1') {
  // Every response that has ended is accounted for: no guess at how long that takes.
  await d.daemon.proxyStats.idle();
  await d.daemon.settleNow();
  const s = new SqliteStore(join(d.home, 'index.sqlite'));
  try {
    return s.db.prepare(`SELECT dedup_key AS key, tool, source, model, session_id AS session, project, input, output, cache_read AS cacheRead,
      cache_write_5m AS w5, cache_write_1h AS w1, reasoning, request_id AS requestId FROM events WHERE ${where} ORDER BY id`).all() as Array<Record<string, unknown>>;
  } finally {
    await s.close();
  }
}

const anthropic = () => new Anthropic({ apiKey: 'sk-ant-api03-TESTKEY-not-real', baseURL: `${d.url}/anthropic`, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: 'sk-proj-TESTKEY-not-real', baseURL: `${d.url}/openai/v1`, maxRetries: 0 });

async function raw(base: string, path: string, body: object, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, type: r.headers.get('content-type'), retryAfter: r.headers.get('retry-after'), body: Buffer.from(await r.arrayBuffer()) };
}

describe('API proxy', () => {
  it('counts an Anthropic SDK streamed message once, with the last message_delta (cumulative, never summed)', async () => {
    const stream = await anthropic().messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const e of stream) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
    expect(text).toBe('Hello from the stand-in.');
    const rows = await stored("model = 'claude-sonnet-4-5-20250929'");
    expect(rows).toEqual([expect.objectContaining({
      tool: 'api', source: 'proxy', model: 'claude-sonnet-4-5-20250929', input: 2095, output: 503, cacheRead: 41237, w5: 1800, w1: 300, requestId: 'req_fake_stream',
      session: expect.stringMatching(/^key-[0-9a-f]{12}$/),
    })]);
    // The client's key reaches the upstream.
    const sent = up.received.find((x) => x.url.startsWith('/v1/messages'))!;
    expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toMatch(/^(Bearer )?sk-ant-api03-TESTKEY-not-real$/);
  });

  it('counts OpenAI Chat Completions (JSON and the final usage chunk of a stream) and the Responses API', async () => {
    const client = openai();
    const json = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(json.usage?.prompt_tokens).toBe(1200);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    for await (const _ of stream) void _;
    const responses = await client.responses.create({ model: 'gpt-5', input: 'hi', stream: true });
    for await (const _ of responses) void _;
    const rows = await stored("tool = 'api' AND model LIKE 'gpt%'");
    expect(rows.map((r) => [r.key, r.model, r.input, r.cacheRead, r.output, r.reasoning])).toEqual([
      ['chatcmpl-fake1', 'gpt-4o', 176, 1024, 300, 128],
      ['chatcmpl-fake2', 'gpt-4o-mini', 176, 1024, 300, 128],
      ['resp_fake1', 'gpt-5', 904, 4096, 700, 512],
    ]);
  });

  it('returns exactly what the upstream sends, streamed or not, errors and retry-after included', async () => {
    for (const [path, body, headers] of [
      ['/v1/messages', { model: 'm', stream: true }, {}],
      ['/v1/messages', { model: 'm' }, {}],
      ['/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true } }, {}],
      ['/v1/responses', { model: 'm' }, {}],
      ['/v1/messages', { model: 'm' }, { 'x-fake': '429' }],
      ['/v1/messages', { model: 'm' }, { 'x-fake': '500' }],
    ] as Array<[string, object, Record<string, string>]>) {
      const direct = await raw(up.url, path, body, headers);
      const proxied = await raw(`${d.url}/${path.startsWith('/v1/messages') ? 'anthropic' : 'openai'}`, path, body, headers);
      expect(proxied, `${path} ${JSON.stringify(headers)}`).toEqual(direct);
    }
    const limited = await raw(`${d.url}/anthropic`, '/v1/messages', { model: 'm' }, { 'x-fake': '429' });
    expect([limited.status, limited.retryAfter]).toEqual([429, '7']);
  });

  it('is byte for byte the same for curl', async () => {
    const curl = (base: string) => new Promise<Buffer>((resolve) => {
      const c = spawn('curl', ['-sN', '-X', 'POST', `${base}/v1/messages`, '-H', 'content-type: application/json', '-H', 'x-api-key: k', '-d', '{"model":"claude-haiku-4-5","stream":true}']);
      const out: Buffer[] = [];
      c.stdout.on('data', (b: Buffer) => out.push(b));
      c.on('close', () => resolve(Buffer.concat(out)));
    });
    const [direct, proxied] = [await curl(up.url), await curl(`${d.url}/anthropic`)];
    expect(proxied.length).toBeGreaterThan(500);
    expect(proxied.equals(direct)).toBe(true);
  });

  it('streams chunks as they arrive, and passes a mid-stream reset and a client abort along', async () => {
    const started = performance.now();
    const r = await fetch(`${d.url}/anthropic/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-fake': 'slow' }, body: '{"model":"m","stream":true}' });
    const reader = r.body!.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - started;
    let rest = 0;
    for (;;) {
      const c = await reader.read();
      if (c.done) break;
      rest += c.value.length;
    }
    const allAt = performance.now() - started;
    expect(first.value!.length).toBeGreaterThan(0);
    expect(rest).toBeGreaterThan(0);
    // The stand-in waits 150 ms between its 8 events: the first arrived long before the last.
    expect(allAt - firstAt).toBeGreaterThan(700);

    // A reset after the headers breaks the client's stream, as it would without the proxy; one before them (the
    // upstream never answered) is a 502 that says so. Either way the client knows.
    const reset = await fetch(`${d.url}/anthropic/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-fake': 'reset' }, body: '{"model":"m","stream":true}' })
      .then(async (res) => (res.status === 502 ? 'bad gateway' : (await res.arrayBuffer(), 'completed')))
      .catch(() => 'broken');
    expect(['broken', 'bad gateway']).toContain(reset);

    const ac = new AbortController();
    const aborted = await fetch(`${d.url}/anthropic/v1/messages`, { method: 'POST', signal: ac.signal, headers: { 'content-type': 'application/json', 'x-fake': 'slow' }, body: '{"model":"m","stream":true}' });
    const rd = aborted.body!.getReader();
    await rd.read();
    ac.abort();
    const rec = up.received.at(-1)!;
    await expect.poll(() => rec.aborted, { timeout: 15_000 }).toBe(true);
  }, 20_000);

  it('attributes by header and key hash, strips its headers, and stores neither the key nor the prompt', async () => {
    const secretKey = 'sk-ant-api03-SUPERSECRETKEYVALUE-0123456789';
    const prompt = 'PROMPT-TEXT-NEVER-TO-BE-STORED';
    const r = await fetch(`${d.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': secretKey, 'x-tokenmeter-project': 'billing-svc', 'x-tokenmeter-session': 'nightly-42' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: prompt }], metadata: { note: secretKey } }),
    });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    const got = up.received.at(-1)!;
    expect(got.headers['x-tokenmeter-project']).toBeUndefined();
    expect(got.body).toContain(prompt); // forwarded as it was
    const rows = await stored("session_id = 'nightly-42'");
    expect(rows).toEqual([expect.objectContaining({ project: 'billing-svc', model: 'claude-haiku-4-5' })]);
    await d.daemon.stop();
    for (const f of ['index.sqlite', 'index.sqlite-wal', 'daemon.log']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(d.home, f)).toString('latin1');
      } catch {
        continue;
      }
      expect(bytes.includes(secretKey), f).toBe(false);
      expect(bytes.includes(prompt), f).toBe(false);
    }
  });
});

describe('API proxy with --inject-stream-usage', () => {
  it('counts a streamed chat completion whose client did not ask for usage, and hands the client exactly the stream it asked for', async () => {
    const u = await startFakeUpstream();
    const p = await startTestDaemon({ upstreams: { anthropic: u.url, openai: u.url }, injectStreamUsage: true });
    try {
      const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };
      const direct = await raw(u.url, '/v1/chat/completions', body);
      const proxied = await raw(`${p.url}/openai`, '/v1/chat/completions', body);
      expect(proxied).toEqual(direct);
      expect(direct.body.toString()).not.toContain('"usage":{');
      expect(JSON.parse(u.received.at(-1)!.body).stream_options).toEqual({ include_usage: true });
      await p.daemon.proxyStats.idle();
      await p.daemon.settleNow();
      const totals = await p.json('/api/usage?group=model');
      expect(totals.rows).toEqual([expect.objectContaining({ key: 'gpt-4o-mini', input: 176, cacheRead: 1024, output: 300 })]);
    } finally {
      await p.stop();
      await u.close();
    }
  });
});

describe('API proxy, never in the way', () => {
  /** An upstream that streams `mb` of text deltas and then `final` (one SSE event), writing only as fast as it is read. */
  async function bigUpstream(mb: number, final: string) {
    const state = { sent: 0, waiting: false, done: false };
    const server = createServer(async (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const delta = Buffer.from(`event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: 'x'.repeat(16_000) })}\n\n`);
      while (state.sent < mb * 1048576) {
        state.sent += delta.length;
        if (!res.write(delta)) {
          state.waiting = true;
          await once(res, 'drain');
          state.waiting = false;
        }
      }
      res.end(final);
      state.done = true;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
  }

  const completed = (text: string, usage: object) => `event: response.completed\ndata: ${JSON.stringify({
    type: 'response.completed', sequence_number: 9,
    response: { id: 'resp_big1', object: 'response', status: 'completed', instructions: 'Be brief.', model: 'gpt-5', output: [{ type: 'message', id: 'msg_o', role: 'assistant', content: [{ type: 'output_text', text }] }], usage, user: null, metadata: {} },
  })}\n\n`;
  const usage = { input_tokens: 5000, input_tokens_details: { cached_tokens: 4096 }, output_tokens: 700, output_tokens_details: { reasoning_tokens: 512 }, total_tokens: 5700 };

  it('holds the upstream back while the client reads slowly, and then passes everything on', async () => {
    const big = await bigUpstream(200, completed('done', usage));
    const p = await startTestDaemon({ upstreams: { anthropic: big.url, openai: big.url } });
    try {
      const port = Number(new URL(p.url).port);
      let received = 0;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/openai/v1/responses', method: 'POST', headers: { 'content-type': 'application/json' } }, resolve)
          .on('error', reject).end('{"model":"gpt-5","stream":true}');
      });
      response.pause();
      // The client reads nothing: the upstream soon waits for its socket to drain, far short of the 200 MB.
      await expect.poll(async () => {
        const before = big.state.sent;
        await new Promise((r) => setTimeout(r, 250));
        return big.state.waiting && big.state.sent === before;
      }, { timeout: 30_000, interval: 0 }).toBe(true);
      expect(big.state.sent).toBeLessThan(48 * 1048576);
      expect(big.state.done).toBe(false);
      response.on('data', (c: Buffer) => (received += c.length));
      response.resume();
      await once(response, 'end');
      expect(big.state.done).toBe(true);
      expect(received).toBe(big.state.sent + Buffer.byteLength(completed('done', usage)));
      await p.daemon.proxyStats.idle();
      await p.daemon.settleNow();
      expect((await p.json('/api/usage?group=model')).rows).toEqual([expect.objectContaining({ key: 'gpt-5', input: 904, cacheRead: 4096, output: 700 })]);
    } finally {
      await p.stop();
      await big.close();
    }
  }, 60_000);

  it('reads usage from a 16 MB response.completed line, whatever its text holds', async () => {
    // The output quotes JSON that looks like usage, escaped as it must be inside a string.
    const text = `${'y'.repeat(8 << 20)} {"usage":{"input_tokens":999999}} ,"usage":{"output_tokens":1} ${'z'.repeat(8 << 20)}`;
    const big = await bigUpstream(1, completed(text, usage));
    const p = await startTestDaemon({ upstreams: { anthropic: big.url, openai: big.url } });
    try {
      const r = await fetch(`${p.url}/openai/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-5","stream":true}' });
      const body = Buffer.from(await r.arrayBuffer());
      expect(body.length).toBe(big.state.sent + Buffer.byteLength(completed(text, usage)));
      await p.daemon.proxyStats.idle();
      await p.daemon.settleNow();
      expect(p.daemon.proxyStats.failures).toEqual({});
      expect((await p.json('/api/usage?group=model')).rows).toEqual([expect.objectContaining({ key: 'gpt-5', input: 904, cacheRead: 4096, output: 700, reasoning: 512 })]);
    } finally {
      await p.stop();
      await big.close();
    }
  }, 60_000);

  it('counts a response whose usage is not made of counts as an accounting failure, not a request', async () => {
    const bad = await bigUpstream(0, completed('hi', { input_tokens: 'many', output_tokens: 12 }) + completed('hi', { input_tokens: 5e18, output_tokens: 1 }));
    const p = await startTestDaemon({ upstreams: { anthropic: bad.url, openai: bad.url } });
    try {
      for (let i = 0; i < 2; i++) await (await fetch(`${p.url}/openai/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"stream":true}' })).arrayBuffer();
      await p.daemon.proxyStats.idle();
      await p.daemon.settleNow();
      expect((await p.json('/api/summary')).totals.requests).toBe(0);
      expect(await (await p.get('/metrics')).text()).toMatch(/^tokenmeter_proxy_accounting_failures_total\{reason="unreadable"\} 2$/m);
    } finally {
      await p.stop();
      await bad.close();
    }
  });

  it('counts proxied requests as accounting failures while the store fails, and still answers the client', async () => {
    const u = await startFakeUpstream();
    const p = await startTestDaemon({ upstreams: { anthropic: u.url, openai: u.url } });
    try {
      // The index turns read-only under the daemon (a full disk, a permissions change).
      p.daemon['store'].db.pragma('query_only = 1');
      const answer = await raw(`${p.url}/anthropic`, '/v1/messages', { model: 'claude-haiku-4-5' });
      expect(answer.status).toBe(200);
      await p.daemon.proxyStats.idle();
      const metrics = await p.get('/metrics');
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^tokenmeter_proxy_accounting_failures_total\{reason="store"\} 1$/m);
      p.daemon['store'].db.pragma('query_only = 0');
    } finally {
      await p.stop();
      await u.close();
    }
  });
});

describe('API proxy, when the upstream fails', () => {
  it('answers 502 in the API\'s own error shape, naming the upstream, so that SDKs say what happened', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const upstream = `http://127.0.0.1:${closed}`;
    const p = await startTestDaemon({ upstreams: { anthropic: upstream, openai: upstream } });
    try {
      const a = await new Anthropic({ apiKey: 'k', baseURL: `${p.url}/anthropic`, maxRetries: 0 })
        .messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(a).toBeInstanceOf(Anthropic.APIError);
      expect((a as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
      expect((a as Error).message).toContain(`tokenmeter proxy: the upstream ${upstream} did not answer (ECONNREFUSED)`);
      const o = await new OpenAI({ apiKey: 'k', baseURL: `${p.url}/openai/v1`, maxRetries: 0 })
        .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(o).toBeInstanceOf(OpenAI.APIError);
      expect((o as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((o as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_unreachable');
      expect((o as Error).message).toContain('did not answer (ECONNREFUSED)');
      expect(await (await p.get('/metrics')).text()).toMatch(/^tokenmeter_proxy_requests_total\{api="anthropic",status="upstream-error",client="Anthropic\/JS"\} 1$/m);
    } finally {
      await p.stop();
    }
  });
});
