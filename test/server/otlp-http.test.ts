// Hand-made OTLP bodies for what the SDK never sends: resets, odd shapes, broken encodings, oversized bodies, and
// the rules about which source counts a request.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeExportRequest } from '../../src/sources/otlp/proto.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { sessionTotals, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine } from '../helpers/transcript.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.stop();
});

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const ns = (offsetMs: number) => String(NOW_NS + BigInt(offsetMs) * 1_000_000n);
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

function sumMetric(name: string, temporality: 1 | 2, points: Array<{ attrs: unknown[]; start: string; time: string; value: number }>) {
  return {
    name, unit: 'tokens',
    sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: points.map((p) => ({ attributes: p.attrs, startTimeUnixNano: p.start, timeUnixNano: p.time, asDouble: p.value })) },
  };
}

function metricsBody(metrics: unknown[]) {
  return { resourceMetrics: [{ resource: { attributes: [str('service.name', 'claude-code')] }, scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code' }, metrics }] }] };
}

function apiRequest(o: { session: string; requestId: string; output?: number; input?: number; extra?: unknown[] }) {
  return {
    timeUnixNano: ns(0), body: { stringValue: 'claude_code.api_request' },
    attributes: [
      str('event.name', 'api_request'), str('session.id', o.session), str('model', 'claude-sonnet-4-5-20250929'),
      int('input_tokens', o.input ?? 4), int('output_tokens', o.output ?? 212), int('cache_read_tokens', 41237),
      int('cache_creation_tokens', 1820), { key: 'cost_usd', value: { doubleValue: 0.0228 } }, str('request_id', o.requestId),
      ...(o.extra ?? []),
    ],
  };
}

function logsBody(records: unknown[], service = 'claude-code') {
  return { resourceLogs: [{ resource: { attributes: [str('service.name', service)] }, scopeLogs: [{ scope: { name: 'events' }, logRecords: records }] }] };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const raw = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return fetch(d.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw as BodyInit });
}

describe('OTLP/HTTP receiver', () => {
  it('answers an empty export and unknown metric types with 200 and no partial success', async () => {
    const empty = await post('/v1/metrics', { resourceMetrics: [] });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({});
    const odd = await post('/v1/metrics', metricsBody([
      { name: 'claude_code.api.latency', histogram: { dataPoints: [{ count: '3', sum: 10 }], aggregationTemporality: 1 } },
      { name: 'something.else', gauge: { dataPoints: [{ timeUnixNano: ns(0), asInt: '5' }] } },
      { name: 'no.data' },
      { resource: {} },
    ]));
    expect(odd.status).toBe(200);
    expect(await odd.json()).toEqual({});
  });

  it('treats a cumulative series that restarts as a reset, not a negative delta', async () => {
    const session = 'cumulative-reset';
    const attrs = [str('session.id', session), str('model', 'claude-haiku-4-5'), str('type', 'output')];
    const send = (start: string, time: string, value: number) =>
      post('/v1/metrics', metricsBody([sumMetric('claude_code.token.usage', 2, [{ attrs, start, time, value }])]));
    expect((await send(ns(-9000), ns(-3000), 100)).status).toBe(200);
    await send(ns(-9000), ns(-2000), 130); // +30
    await send(ns(-1500), ns(-1000), 20); // the process restarted: a new series from 0, +20
    await send(ns(-1500), ns(-500), 15); // went down on the same start: a reset again, +15
    expect(await sessionTotals(d, session)).toMatchObject({ output: 165 });
  });

  it('reports points it cannot read as rejected in partial_success', async () => {
    const attrs = [str('session.id', 'partial'), str('model', 'claude-haiku-4-5'), str('type', 'input')];
    const res = await post('/v1/metrics', metricsBody([{
      name: 'claude_code.token.usage',
      sum: { aggregationTemporality: 1, dataPoints: [{ attributes: attrs, timeUnixNano: ns(0), asDouble: 7 }, { attributes: attrs, timeUnixNano: ns(1) }] },
    }]));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.partialSuccess.rejectedDataPoints).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/claude_code\.token\.usage.*numeric value/);
    expect(await sessionTotals(d, 'partial')).toMatchObject({ input: 7 });
  });

  it('reads gzip bodies and protobuf bodies, and chunked ones', async () => {
    const gz = await post('/v1/logs', gzipSync(JSON.stringify(logsBody([apiRequest({ session: 'gzip', requestId: 'req_gzip' })]))), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    const proto = encodeExportRequest('logs', logsBody([apiRequest({ session: 'proto', requestId: 'req_proto' })]));
    const pb = await post('/v1/logs', gzipSync(proto), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(pb.status).toBe(200);
    expect(pb.headers.get('content-type')).toBe('application/x-protobuf');
    const json = JSON.stringify(logsBody([apiRequest({ session: 'chunked', requestId: 'req_chunked' })]));
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(json.slice(0, 50)));
        c.enqueue(new TextEncoder().encode(json.slice(50)));
        c.close();
      },
    });
    const chunked = await fetch(`${d.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(200);
    for (const s of ['gzip', 'proto', 'chunked']) expect(await sessionTotals(d, s)).toMatchObject({ requests: 1, output: 212 });
  });

  it('refuses what it cannot read with the status the spec gives, and a message saying what', async () => {
    const badGzip = await post('/v1/metrics', 'not gzip at all', { 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect((await badGzip.json()).message).toMatch(/not valid gzip/);
    const badJson = await post('/v1/logs', '{"resourceLogs": [');
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).message).toMatch(/not JSON/);
    expect((await post('/v1/logs', '[1,2]')).status).toBe(400);
    // The body is never quoted back (it may hold prompt text).
    const quoted = await post('/v1/logs', 'secret prompt words that are not JSON');
    expect(quoted.status).toBe(400);
    expect(await quoted.text()).not.toContain('secret');
    const badProto = await post('/v1/metrics', new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' });
    expect(badProto.status).toBe(400);
    expect(badProto.headers.get('content-type')).toBe('application/x-protobuf');
    const wrongType = await post('/v1/metrics', 'x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    const huge = await post('/v1/metrics', Buffer.alloc(21 << 20, 0x20));
    expect(huge.status).toBe(413);
    const bomb = await post('/v1/metrics', gzipSync(Buffer.alloc(30 << 20, 0x20)), { 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    // The daemon still works after all that.
    expect((await d.get('/healthz')).status).toBe(200);
  });

  it('keeps ids short and never stores prompts or other content a sender adds', async () => {
    const secret = 'PROMPT-TEXT-that-must-not-be-stored';
    const longSession = 's'.repeat(100_000);
    const res = await post('/v1/logs', logsBody([
      apiRequest({ session: longSession, requestId: 'req_huge_attrs', extra: [str('prompt', secret), str('tool_input', secret.repeat(1000))] }),
      { timeUnixNano: ns(0), body: { stringValue: 'claude_code.user_prompt' }, attributes: [str('event.name', 'user_prompt'), str('prompt', secret)] },
    ]));
    expect(res.status).toBe(200);
    const rows = (await d.json<{ rows: Array<{ key: string }> }>('/api/usage?group=session')).rows;
    expect(rows.some((r) => r.key === 's'.repeat(256))).toBe(true);
    await d.daemon.idle();
    for (const f of ['index.sqlite', 'index.sqlite-wal']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(d.home, f)).toString('latin1');
      } catch {
        continue;
      }
      expect(bytes.includes(secret)).toBe(false);
    }
  });

  it('rejects records no request can have, says which, and keeps counting the others', async () => {
    const old = { ...apiRequest({ session: 'absurd', requestId: 'req_absurd_old' }), timeUnixNano: String(BigInt(Date.parse('2019-06-01T00:00:00Z')) * 1_000_000n) };
    const logs = await post('/v1/logs', logsBody([
      apiRequest({ session: 'absurd', requestId: 'req_absurd_1', output: 5e18 }),
      apiRequest({ session: 'absurd', requestId: 'req_absurd_2', output: 5e18 }),
      old,
      apiRequest({ session: 'absurd', requestId: 'req_absurd_ok', output: 77 }),
    ]));
    expect(logs.status).toBe(200);
    const answer = await logs.json();
    expect(answer.partialSuccess.rejectedLogRecords).toBe('3');
    expect(answer.partialSuccess.errorMessage).toMatch(/request req_absurd_1\): output is 5000000000000000000, more than any request can have \(10\^10\)/);
    const metrics = await post('/v1/metrics', metricsBody([sumMetric('claude_code.token.usage', 1, [
      { attrs: [str('session.id', 'absurd-m'), str('model', 'claude-sonnet-4-5'), str('type', 'output')], start: ns(-60_000), time: ns(0), value: 5e18 },
    ])]));
    expect((await metrics.json()).partialSuccess.errorMessage).toMatch(/more than any session can have/);
    // Every view still sums: nothing overflowed.
    for (const path of ['/api/usage?group=day', '/api/usage?group=session', '/api/summary', '/metrics']) expect((await d.get(path)).status, path).toBe(200);
    expect(await sessionTotals(d, 'absurd')).toMatchObject({ requests: 1, output: 77 });
    expect(await sessionTotals(d, 'absurd-m')).toBeUndefined();
  });

  it('reads Gemini CLI api_response and Codex response.completed events', async () => {
    await post('/v1/logs', logsBody([{
      timeUnixNano: ns(0), attributes: [
        str('event.name', 'gemini_cli.api_response'), str('session.id', 'gemini-1'), str('model', 'gemini-2.5-pro'), str('prompt_id', 'p1'),
        int('input_token_count', 18344), int('output_token_count', 402), int('cached_content_token_count', 12010),
        int('thoughts_token_count', 733), int('tool_token_count', 0),
      ],
    }], 'gemini-cli'));
    await post('/v1/logs', logsBody([{
      timeUnixNano: ns(0), attributes: [
        str('event.name', 'codex.sse_event'), str('event.kind', 'response.completed'), str('conversation.id', 'codex-1'), str('model', 'gpt-5'),
        int('input_token_count', 19870), int('output_token_count', 644), int('cached_token_count', 17920), int('reasoning_token_count', 448),
      ],
    }, { timeUnixNano: ns(0), attributes: [str('event.name', 'codex.sse_event'), str('event.kind', 'response.output_text.delta'), str('conversation.id', 'codex-1')] }], 'codex-cli'));
    // Gemini: input includes cached; thoughts are output. Codex: input includes cached; output includes reasoning.
    expect(await sessionTotals(d, 'gemini-1')).toMatchObject({ requests: 1, input: 6334, cacheRead: 12010, output: 1135, reasoning: 733 });
    expect(await sessionTotals(d, 'codex-1')).toMatchObject({ requests: 1, input: 1950, cacheRead: 17920, output: 644, reasoning: 448 });
    const tools = (await d.json<{ rows: Array<{ key: string }> }>('/api/usage?group=tool')).rows.map((r) => r.key);
    expect(tools).toEqual(expect.arrayContaining(['claude-code', 'gemini', 'codex']));
  });
});

describe('one request, several sources', () => {
  const transcript = (name: string, lines: string[]) => writeFileSync(join(d.projectDir, `${name}.jsonl`), lines.join('\n') + '\n');

  it('counts a request once when the transcript comes first and telemetry second, and notes both sources', async () => {
    const session = '11111111-1111-4111-8111-111111111111';
    transcript(session, [assistantLine({ sessionId: session, messageId: 'msg_both_1', requestId: 'req_both_1', timestamp: new Date().toISOString(), output: 212 })]);
    d.daemon['schedule']({ kind: 'sweep' });
    await d.daemon.idle();
    expect((await post('/v1/logs', logsBody([apiRequest({ session, requestId: 'req_both_1', output: 212 })]))).status).toBe(200);
    expect(await sessionTotals(d, session)).toMatchObject({ requests: 1, output: 212 });
    const store = new SqliteStore(join(d.home, 'index.sqlite'));
    const row = store.db.prepare("SELECT COALESCE(sources, source) AS s, project FROM events WHERE request_id = 'req_both_1'").all();
    await store.close();
    expect(row).toEqual([{ s: 'transcript,otlp', project: '/home/ana/api' }]);
  });

  it('counts a request once when telemetry comes first, and the transcript copy (which knows the project) takes its place', async () => {
    const session = '22222222-2222-4222-8222-222222222222';
    await post('/v1/logs', logsBody([apiRequest({ session, requestId: 'req_both_2', output: 90 })]));
    expect(await sessionTotals(d, session)).toMatchObject({ requests: 1, output: 90 });
    // The transcript says 95: the sources disagree, and doctor will say so.
    transcript(session, [assistantLine({ sessionId: session, messageId: 'msg_both_2', requestId: 'req_both_2', timestamp: new Date().toISOString(), output: 95 })]);
    d.daemon['schedule']({ kind: 'sweep' });
    await d.daemon.idle();
    expect(await sessionTotals(d, session)).toMatchObject({ requests: 1, output: 95 });
    const store = new SqliteStore(join(d.home, 'index.sqlite'));
    const disagreements = await store.requestDisagreements(10);
    await store.close();
    expect(disagreements).toEqual([expect.objectContaining({
      requestId: 'req_both_2',
      copies: [expect.objectContaining({ source: 'transcript', output: 95 }), expect.objectContaining({ source: 'otlp', output: 90 })],
    })]);
    // tokenmeter doctor says the same, and exits 1 so a script can tell. (Run without blocking this process, where the
    // daemon it asks about lives.)
    const doctor = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'cli.js'), 'doctor'], {
        env: { PATH: process.env.PATH, HOME: d.home, TOKENMETER_HOME: d.home, CLAUDE_CONFIG_DIR: d.claudeDir },
      });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      c.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(doctor.status, doctor.stderr).toBe(1);
    expect(doctor.stdout).toMatch(/✓ daemon running \(pid \d+, port \d+/);
    expect(doctor.stdout).toMatch(/req_both_2 \(session 22222222-2222-4222-8222-222222222222, claude-sonnet-4-5-20250929, .*\)\n    transcript in 4, out 95, .*\n    otlp       in 4, out 90/);
    expect(doctor.stdout).toMatch(/transcript,otlp +2/);
  });

  it('counts token metrics for a session only until a per-request source covers it', async () => {
    const session = 'metrics-then-events';
    const attrs = [str('session.id', session), str('model', 'claude-sonnet-4-5-20250929'), str('type', 'output')];
    await post('/v1/metrics', metricsBody([sumMetric('claude_code.token.usage', 1, [{ attrs, start: ns(-2000), time: ns(-1000), value: 500 }])]));
    expect(await sessionTotals(d, session)).toMatchObject({ output: 500 });
    await post('/v1/logs', logsBody([apiRequest({ session, requestId: 'req_covering', output: 480 })]));
    expect(await sessionTotals(d, session)).toMatchObject({ requests: 1, output: 480 });
    // Metrics arriving later for the covered session are not counted again.
    await post('/v1/metrics', metricsBody([sumMetric('claude_code.token.usage', 1, [{ attrs, start: ns(-1000), time: ns(0), value: 70 }])]));
    expect(await sessionTotals(d, session)).toMatchObject({ requests: 1, output: 480 });
  });
});
