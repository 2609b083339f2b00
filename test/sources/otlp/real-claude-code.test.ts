// What the real Claude Code sent over OTLP/HTTP (JSON and protobuf, recorded by record-otel.mjs) beside the
// transcript it wrote in the same run: each request is counted once, with the usage the API stand-in sent.
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { sessionTotals, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

const root = join(__dirname, '..', '..', 'fixtures', 'claude-code', 'otel');
const recordings = readdirSync(root).flatMap((version) => readdirSync(join(root, version)).map((encoding) => ({ version, encoding, dir: join(root, version, encoding) })));

interface Expected {
  protocol: string;
  responses: Array<{ requestId: string; usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number } }>;
}

function exportsOf(dir: string) {
  return readdirSync(dir).filter((f) => /^\d{3}-(logs|metrics)\.(json|pb)$/.test(f)).sort().map((f) => ({
    path: `/v1/${f.includes('logs') ? 'logs' : 'metrics'}`,
    type: f.endsWith('.pb') ? 'application/x-protobuf' : 'application/json',
    body: readFileSync(join(dir, f)),
  }));
}

function sessionOf(dir: string): string {
  const project = join(dir, 'projects', '-home-dev-project');
  return readdirSync(project).find((f) => f.endsWith('.jsonl'))!.replace('.jsonl', '');
}

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

async function send(t: TestDaemon, dir: string) {
  for (const e of exportsOf(dir)) {
    const res = await fetch(t.url + e.path, { method: 'POST', headers: { 'content-type': e.type }, body: e.body });
    expect(res.status, `${e.path}: ${await res.clone().text()}`).toBe(200);
  }
}

async function readTranscripts(t: TestDaemon, dir: string) {
  cpSync(join(dir, 'projects'), join(t.claudeDir, 'projects'), { recursive: true });
  t.daemon['schedule']({ kind: 'sweep' });
  await t.daemon.idle();
}

describe.each(recordings)('real Claude Code $version telemetry over $encoding', ({ dir }) => {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const sum = (k: keyof Expected['responses'][0]['usage']) => expected.responses.reduce((s, r) => s + r.usage[k], 0);
  const want = {
    requests: expected.responses.length, input: sum('input_tokens'), output: sum('output_tokens'),
    cacheRead: sum('cache_read_input_tokens'), cacheWrite: sum('cache_creation_input_tokens'),
  };

  it('counts each api_request once with its exact usage (the token metric of the same run is not added)', async () => {
    d = await startTestDaemon();
    await send(d, dir);
    expect(await sessionTotals(d, sessionOf(dir))).toMatchObject(want);
    const metrics = await (await d.get('/metrics')).text();
    expect(metrics).toMatch(/^claude_code_session_count_total 1$/m);
    expect(metrics).toMatch(/^claude_code_active_time_seconds_total\{type="cli"\} [\d.]+$/m);
    expect(metrics).toMatch(/^tokenmeter_tool_results_total\{tool="claude-code",tool_name="Read",success="true"\} 1$/m);
  });

  it.each(['telemetry first', 'transcript first'])('with the transcript of the same run, %s: one request each, seen by both, no disagreement', async (order) => {
    d = await startTestDaemon();
    if (order === 'telemetry first') {
      await send(d, dir);
      await readTranscripts(d, dir);
    } else {
      await readTranscripts(d, dir);
      await send(d, dir);
    }
    expect(await sessionTotals(d, sessionOf(dir))).toMatchObject(want);
    const store = new SqliteStore(join(d.home, 'index.sqlite'));
    try {
      expect(await store.requestsBySources()).toEqual([{ sources: 'transcript,otlp', requests: want.requests }]);
      expect(await store.requestDisagreements(10)).toEqual([]);
      expect(await store.sessionDisagreements(10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
