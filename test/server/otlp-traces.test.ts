// GenAI traces on the receiver: what Copilot CLI 1.0.102 really exported (its usage spans and the agent spans that
// sum them), the same calls arriving from its session log as well, and spans from the official SDK's exporters in
// all three encodings, as any app instrumented with OpenTelemetry sends them.
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

const fixture = join(__dirname, '..', 'fixtures', 'copilot', '1.0.102');
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { answers: Array<{ id: string; input: number; cacheRead: number; cacheWrite: number; output: number }> };
const exports = readdirSync(join(fixture, 'otlp')).sort().map((f) => ({ signal: f.replace(/^\d+-|\.json$/g, ''), body: readFileSync(join(fixture, 'otlp', f), 'utf8') }));

let d: TestDaemon | undefined;
afterEach(async () => d?.stop());

type Row = { key: string; requests: number; input: number; output: number; cacheRead: number; cacheWrite: number };
const rows = async (t: TestDaemon, group: string) => (await t.json<{ rows: Row[] }>(`/api/usage?group=${group}`)).rows;

async function post(t: TestDaemon, signal: string, body: string) {
  const r = await fetch(`${t.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(r.status, `${signal}: ${await r.clone().text()}`).toBe(200);
  return r.json() as Promise<Record<string, any>>;
}

const truth = () => ({
  requests: expected.answers.length,
  input: expected.answers.reduce((s, a) => s + a.input, 0), // the stand-in's uncached input
  output: expected.answers.reduce((s, a) => s + a.output, 0),
  cacheRead: expected.answers.reduce((s, a) => s + a.cacheRead, 0),
  cacheWrite: expected.answers.reduce((s, a) => s + a.cacheWrite, 0),
});

describe('GenAI traces from Copilot CLI 1.0.102', () => {
  it('count each chat span once, never the invoke_agent spans that sum them, under the copilot tool', async () => {
    d = await startTestDaemon();
    for (const e of exports) await post(d, e.signal, e.body);
    await d.daemon.idle();
    const [copilot, ...others] = await rows(d, 'tool');
    expect(others).toEqual([]);
    expect(copilot).toMatchObject({ key: 'copilot', ...truth() });
    // Keyed by the provider's response id, the stand-in's.
    const events = await d.json<{ rows: Array<{ key: string }> }>('/api/usage?group=session');
    expect(events.rows.map((r) => r.key).sort()).toEqual(['17f10742-99f5-4124-aa66-86c7b7c00162', '6f11c0ee-36cb-47ff-98ec-a788c4ab7125']);
  });

  it('count a call its session log and its span both report once, and keep the log’s project', async () => {
    d = await startTestDaemon({ beforeStart: (home) => cpSync(join(fixture, 'home'), home, { recursive: true }) });
    const before = await rows(d, 'tool');
    expect(before).toEqual([expect.objectContaining({ key: 'copilot', ...truth() })]);
    for (const e of exports) await post(d, e.signal, e.body);
    await d.daemon.idle();
    expect(await rows(d, 'tool')).toEqual(before);
    expect((await rows(d, 'project')).map((r) => [r.key, r.requests])).toEqual([['/home/user/proj', 3]]);
  });
});

describe('GenAI spans that cannot be counted', () => {
  const span = (id: string, attrs: Array<[string, string | number]>, parent = '') => ({
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: id, parentSpanId: parent, name: 'chat m',
    startTimeUnixNano: String(Date.now() * 1e6 - 1e9), endTimeUnixNano: String(Date.now() * 1e6),
    attributes: attrs.map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
  });
  const body = (spans: object[], service = 'my-rag-app') => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] });

  it('are rejected one by one with the span and the field named, and the others stored', async () => {
    d = await startTestDaemon();
    const answer = await post(d, 'traces', body([
      span('00f067aa0ba902b1', [['gen_ai.operation.name', 'chat'], ['gen_ai.request.model', 'gpt-4o'], ['gen_ai.usage.input_tokens', 500], ['gen_ai.usage.output_tokens', 20], ['gen_ai.response.id', 'chatcmpl-ok']]),
      span('00f067aa0ba902b2', [['gen_ai.usage.input_tokens', 'lots'], ['gen_ai.response.id', 'chatcmpl-bad']]),
      span('00f067aa0ba902b3', [['gen_ai.usage.input_tokens', 5e18], ['gen_ai.usage.output_tokens', 1]]),
      span('00f067aa0ba902b4', [['http.method', 'GET']]), // no usage: not a model call, not an error
    ]));
    expect(answer.partialSuccess.rejectedSpans).toBe('2');
    expect(answer.partialSuccess.errorMessage).toContain('span "chat m" (response chatcmpl-bad): input tokens is not a non-negative number');
    expect(answer.partialSuccess.errorMessage).toContain('span "chat m": input is 5000000000000000000, more than any request can have (10^10)');
    await d.daemon.idle();
    // An app's own service.name is its tool.
    expect((await rows(d, 'tool')).map((r) => [r.key, r.requests, r.input, r.output])).toEqual([['my-rag-app', 1, 500, 20]]);
    expect((await rows(d, 'model')).map((r) => r.key)).toEqual(['gpt-4o']);
  });

  it('that sum their children (a parent with usage, whatever its operation) are not counted again', async () => {
    d = await startTestDaemon();
    await post(d, 'traces', body([
      span('aaaaaaaaaaaaaaa1', [['gen_ai.operation.name', 'workflow'], ['gen_ai.usage.input_tokens', 300], ['gen_ai.usage.output_tokens', 30]]),
      span('aaaaaaaaaaaaaaa2', [['gen_ai.operation.name', 'chat'], ['gen_ai.usage.input_tokens', 100], ['gen_ai.usage.output_tokens', 10]], 'aaaaaaaaaaaaaaa1'),
      span('aaaaaaaaaaaaaaa3', [['gen_ai.operation.name', 'chat'], ['gen_ai.usage.prompt_tokens', 200], ['gen_ai.usage.completion_tokens', 20]], 'aaaaaaaaaaaaaaa1'),
    ], 'unknown_service:node'));
    await d.daemon.idle();
    expect((await rows(d, 'tool')).map((r) => [r.key, r.requests, r.input, r.output])).toEqual([['api', 2, 300, 30]]);
  });
});

type Encoding = 'http/json' | 'http/protobuf' | 'grpc';
function spanExporter(t: TestDaemon, enc: Encoding): SpanExporter {
  if (enc === 'grpc') return new TracesGrpc({ url: `http://127.0.0.1:${t.grpcPort}` });
  const url = `${t.url}/v1/traces`;
  return enc === 'http/json' ? new TracesJson({ url }) : new TracesProto({ url });
}

describe.each<Encoding>(['http/json', 'http/protobuf', 'grpc'])('GenAI spans over OTLP %s from the OpenTelemetry SDK', (enc) => {
  it('count each model call once, cache split out of input, under the app’s service.name', async () => {
    d = await startTestDaemon();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'Support Bot', 'host.name': 'worker-3' }),
      spanProcessors: [new SimpleSpanProcessor(spanExporter(d, enc))],
    });
    const tracer = provider.getTracer('openllmetry-like', '1.0.0');
    const agent = tracer.startSpan('invoke_agent support', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 13000, 'gen_ai.usage.output_tokens': 900 } });
    const inAgent = trace.setSpan(context.active(), agent);
    const calls = [
      { id: 'msg_01sdk', model: 'claude-sonnet-4-5-20250929', input: 12000, read: 10000, write: 1500, output: 700 },
      { id: 'chatcmpl-sdk2', model: 'gpt-4o-2024-08-06', input: 1000, read: 0, write: 0, output: 200 },
    ];
    for (const c of calls) {
      const s = tracer.startSpan(`chat ${c.model}`, { kind: SpanKind.CLIENT, attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.request.model': c.model, 'gen_ai.response.model': c.model, 'gen_ai.response.id': c.id,
        'gen_ai.conversation.id': `conv-${enc}`, 'gen_ai.usage.input_tokens': c.input, 'gen_ai.usage.output_tokens': c.output,
        'gen_ai.usage.cache_read.input_tokens': c.read, 'gen_ai.usage.cache_creation.input_tokens': c.write,
      } }, inAgent);
      s.end();
    }
    agent.end();
    await provider.forceFlush();
    await provider.shutdown();
    await d.daemon.idle();
    expect((await rows(d, 'tool')).map((r) => [r.key, r.requests, r.input, r.cacheRead, r.cacheWrite, r.output])).toEqual([['support-bot', 2, 500 + 1000, 10000, 1500, 900]]);
    expect((await rows(d, 'host')).map((r) => r.key)).toEqual(['worker-3']);
    expect((await rows(d, 'session')).map((r) => r.key)).toEqual([`conv-${enc}`]);
    // A report filters by the app's name.
    expect((await d.json<{ rows: Row[] }>('/api/usage?group=model&tool=support-bot')).rows.map((r) => r.key).sort()).toEqual(['claude-sonnet-4-5-20250929', 'gpt-4o-2024-08-06']);
  });
});
