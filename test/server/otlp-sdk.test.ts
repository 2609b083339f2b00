// The receiver against the official OpenTelemetry SDK and its OTLP exporters, in all three encodings, sending what
// Claude Code sends: token and cost counters, and api_request log events.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionTotals, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.stop();
});

type Encoding = 'http/json' | 'http/protobuf' | 'grpc';
const ENCODINGS: Encoding[] = ['http/json', 'http/protobuf', 'grpc'];
const resource = resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.197', 'os.type': 'linux' });

function metricExporter(enc: Encoding, temporality: AggregationTemporality): PushMetricExporter {
  const temporalityPreference = temporality;
  if (enc === 'grpc') return new MetricsGrpc({ url: `http://127.0.0.1:${d.grpcPort}`, temporalityPreference });
  const url = `${d.url}/v1/metrics`;
  return enc === 'http/json' ? new MetricsJson({ url, temporalityPreference }) : new MetricsProto({ url, temporalityPreference });
}

function logExporter(enc: Encoding) {
  if (enc === 'grpc') return new LogsGrpc({ url: `http://127.0.0.1:${d.grpcPort}` });
  const url = `${d.url}/v1/logs`;
  return enc === 'http/json' ? new LogsJson({ url }) : new LogsProto({ url });
}

function claudeMeter(enc: Encoding, temporality = AggregationTemporality.DELTA) {
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter(enc, temporality), exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('com.anthropic.claude_code', '2.1.197');
  return {
    tokens: meter.createCounter('claude_code.token.usage', { unit: 'tokens' }),
    cost: meter.createCounter('claude_code.cost.usage', { unit: 'USD' }),
    sessions: meter.createCounter('claude_code.session.count'),
    lines: meter.createCounter('claude_code.lines_of_code.count'),
    flush: () => reader.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

describe.each(ENCODINGS)('OTLP %s from the OpenTelemetry SDK', (enc) => {
  it('stores token and cost metrics of a session no per-request source covers', async () => {
    const session = `metrics-${enc}`;
    const m = claudeMeter(enc);
    const attrs = { 'session.id': session, model: 'claude-sonnet-4-5-20250929', 'user.account_uuid': 'acc-1', 'terminal.type': 'xterm' };
    m.tokens.add(1200, { ...attrs, type: 'input' });
    m.tokens.add(340, { ...attrs, type: 'output' });
    m.tokens.add(52000, { ...attrs, type: 'cacheRead' });
    m.tokens.add(2100, { ...attrs, type: 'cacheCreation' });
    m.cost.add(0.0421, attrs);
    m.sessions.add(1, { 'session.id': session });
    m.lines.add(12, { 'session.id': session, type: 'added' });
    await m.flush();
    // A second export interval adds to the first (delta temporality).
    m.tokens.add(100, { ...attrs, type: 'output' });
    m.cost.add(0.001, attrs);
    await m.flush();
    await m.shutdown();
    const row = await sessionTotals(d, session);
    expect(row).toMatchObject({ input: 1200, output: 440, cacheRead: 52000, cacheWrite: 2100 });
    expect(row!.cost).toBeCloseTo(0.0431, 6);
    const metrics = await (await d.get('/metrics')).text();
    expect(metrics).toMatch(/^claude_code_session_count_total \d+/m);
    expect(metrics).toMatch(/^claude_code_lines_of_code_count_total\{type="added"\} \d+/m);
  });

  it('turns cumulative series into deltas', async () => {
    const session = `cumulative-${enc}`;
    const m = claudeMeter(enc, AggregationTemporality.CUMULATIVE);
    const attrs = { 'session.id': session, model: 'claude-haiku-4-5', type: 'output' };
    m.tokens.add(100, attrs);
    await m.flush();
    m.tokens.add(50, attrs);
    await m.flush(); // sends 150 cumulative: 50 more, not 150 more
    await m.flush(); // sends 150 again: nothing more
    await m.shutdown();
    expect(await sessionTotals(d, session)).toMatchObject({ output: 150 });
  });

  it('stores one usage record per api_request event, once however often it is sent', async () => {
    const session = `events-${enc}`;
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter(enc) })] });
    const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.197');
    const event = (requestId: string, output: number) => ({
      body: 'claude_code.api_request', severityNumber: SeverityNumber.INFO, timestamp: Date.now(),
      attributes: {
        'event.name': 'api_request', 'event.timestamp': new Date().toISOString(), 'session.id': session,
        model: 'claude-sonnet-4-5-20250929', input_tokens: 4, output_tokens: output, cache_read_tokens: 41237,
        cache_creation_tokens: 1820, cost_usd: 0.0228, duration_ms: 5310, request_id: requestId, speed: 'normal',
        query_source: 'repl_main_thread', prompt: 'must never be stored',
      },
    });
    logger.emit(event(`req_${enc}_1`, 212));
    logger.emit(event(`req_${enc}_2`, 88));
    logger.emit(event(`req_${enc}_1`, 212)); // a retried export
    logger.emit({ body: 'claude_code.tool_result', attributes: { 'event.name': 'tool_result', tool_name: 'Read', success: 'true', 'session.id': session } });
    await provider.forceFlush();
    await provider.shutdown();
    const row = await sessionTotals(d, session);
    expect(row).toMatchObject({ requests: 2, input: 8, output: 300, cacheRead: 82474, cacheWrite: 3640 });
    expect(row!.cost).toBeCloseTo(0.0456, 6);
    expect(await (await d.get('/metrics')).text()).toMatch(/^tokenmeter_tool_results_total\{tool="claude-code",tool_name="Read",success="true"\} \d+/m);
  });
});
