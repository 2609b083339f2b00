// --otlp-export: what an OpenTelemetry backend receives from the daemon, in OTLP/JSON and OTLP/protobuf.
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeExportRequest } from '../../src/sources/otlp/proto.js';
import { flattenMetrics } from '../../src/sources/otlp/flatten.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine } from '../helpers/transcript.js';

let d: TestDaemon | undefined;
let collector: Server | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
  await new Promise((r) => (collector ? collector.close(r) : r(undefined)));
});

/** A collector that keeps what it is sent, in its JSON form. */
async function startCollector(): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      bodies.push(req.headers['content-type'] === 'application/x-protobuf' ? decodeExportRequest('metrics', raw) : JSON.parse(raw.toString('utf8')));
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) });
      res.end(req.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(collector.address() as { port: number }).port}`, bodies };
}

describe.each(['http/json', 'http/protobuf'] as const)('--otlp-export over %s', (protocol) => {
  it('pushes tokens by tool, model, type and host, cost and requests, with the SDK', async () => {
    const c = await startCollector();
    d = await startTestDaemon({ otlpExport: { endpoint: c.url, protocol, temporality: 'cumulative', intervalMs: 3_600_000 } });
    writeFileSync(join(d.projectDir, 's.jsonl'), `${assistantLine({ messageId: 'msg_e1', requestId: 'req_e1', timestamp: new Date().toISOString(), input: 10, output: 250, cacheRead: 3000, cacheWrite5m: 40 })}\n`);
    d.daemon['schedule']({ kind: 'sweep' });
    await d.daemon.idle();
    await d.daemon.exporter!.flush();
    const points = c.bodies.flatMap((b) => flattenMetrics(b).items);
    const tokens = (type: string) => points.find((p) => p.name === 'tokenmeter.tokens' && p.attrs.get('type') === type);
    expect(tokens('output')).toMatchObject({ temporality: 'cumulative', value: 250 });
    expect(tokens('output')!.attrs.get('tool')).toBe('claude-code');
    expect(tokens('output')!.attrs.get('host')).toBe('test-host');
    expect(tokens('cache_read')!.value).toBe(3000);
    expect(points.find((p) => p.name === 'tokenmeter.requests')!.value).toBe(1);
    expect(points.find((p) => p.name === 'tokenmeter.cost')!.value).toBeGreaterThan(0);
    expect(points.find((p) => p.name === 'tokenmeter.window.tokens')!.value).toBe(3300);
  });
});

describe('--otlp-export from the built CLI', () => {
  it.each(['http/protobuf', 'http/json'])('exports over %s from the bundle (its exporters load as bundled modules)', async (protocol) => {
    const c = await startCollector();
    const { spawn } = await import('node:child_process');
    const { tempDir } = await import('../helpers/transcript.js');
    const tmp = tempDir();
    // Something to export: the SDK sends nothing while there are no data points.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(tmp.path, 'claude', 'projects', 'p'), { recursive: true });
    writeFileSync(join(tmp.path, 'claude', 'projects', 'p', 's.jsonl'), `${assistantLine({ timestamp: new Date().toISOString() })}\n`);
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'cli.js'), 'serve', '--port', '0', '--no-grpc', '--no-snapshot',
      '--otlp-export', c.url, '--otlp-export-protocol', protocol, '--otlp-export-interval', '1'],
    { env: { PATH: process.env.PATH, HOME: tmp.path, CLAUDE_CONFIG_DIR: join(tmp.path, 'claude'), TOKENMETER_HOME: join(tmp.path, 'tm') }, stdio: 'ignore' });
    try {
      await expect.poll(() => c.bodies.length, { timeout: 8000 }).toBeGreaterThan(0);
      const points = c.bodies.flatMap((b) => flattenMetrics(b).items);
      expect(points.find((p) => p.name === 'tokenmeter.tokens' && p.attrs.get('type') === 'output')?.value).toBe(212);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      tmp.cleanup();
    }
  }, 15_000);
});

describe('--otlp-export in fleet mode', () => {
  it("exports this host's share by default and every host's with --otlp-export-scope pooled", async () => {
    const { startOtlpExport } = await import('../../src/server/otlp-export.js');
    const c = await startCollector();
    const row = (host: string, output: number) => ({ tool: 'claude-code', model: 'claude-sonnet-4-5', host, requests: 2, cost: 0.5, input: 10, output, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0 });
    // The read model of a fleet-mode daemon: every host's totals.
    const live = { totals: async () => [row('LXC115', 100), row('LXC116', 300)], window: async () => null } as unknown as import('../../src/server/live.js').LiveState;
    const outputs = async (scope: 'host' | 'pooled') => {
      c.bodies.length = 0;
      const e = await startOtlpExport({ endpoint: c.url, protocol: 'http/json', temporality: 'cumulative', intervalMs: 3_600_000, scope, host: 'LXC115', version: 't', live });
      await e.flush();
      const points = c.bodies.flatMap((b) => flattenMetrics(b).items).filter((p) => p.name === 'tokenmeter.tokens' && p.attrs.get('type') === 'output')
        .map((p) => [p.attrs.get('host'), p.value]).sort();
      await e.stop();
      return points;
    };
    expect(await outputs('host')).toEqual([['LXC115', 100]]);
    expect(await outputs('pooled')).toEqual([['LXC115', 100], ['LXC116', 300]]);
  });
});
