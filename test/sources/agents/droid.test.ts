// Factory Droid's session totals beyond the real runs: a session that grows is one record whose figures follow the
// file, sub-sessions' inclusive sums and the .bak copy are never counted, custom model names resolve, and a bad
// field is said.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { droidSource } from '../../../src/sources/droid/source.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const usage = (input: number, output: number, read: number, write: number, thinking = 0) => ({ inputTokens: input, outputTokens: output, cacheCreationTokens: write, cacheReadTokens: read, thinkingTokens: thinking, factoryCredits: 3 });

describe('Factory Droid sessions', () => {
  it('are one record each that grows with the file, at its last write, with the custom model resolved', async () => {
    const home = dir.path;
    const sessions = join(home, '.factory', 'sessions', '-srv-app');
    mkdirSync(sessions, { recursive: true });
    writeFileSync(join(home, '.factory', 'settings.json'), JSON.stringify({ customModels: [{ model: 'claude-sonnet-4-5-20250929', displayName: 'My  Sonnet', provider: 'anthropic' }] }));
    writeFileSync(join(sessions, 'S1.jsonl'), `${JSON.stringify({ type: 'session_start', id: 'S1', cwd: '/srv/app' })}\n`);
    const file = join(sessions, 'S1.settings.json');
    const write = (u: object, at: number) => {
      writeFileSync(file, JSON.stringify({ model: 'custom:My-Sonnet-0', tokenUsage: u, inclusiveTokenUsage: usage(1e6, 1e6, 0, 0), lastCallTokenUsage: { inputTokens: 5 } }, null, 2));
      utimesSync(file, at / 1000, at / 1000);
    };
    const t1 = Date.parse('2026-11-30T10:00:00.250Z') + 0.5; // a file time has a fraction
    write(usage(100, 40, 5000, 2000), t1);
    writeFileSync(`${file}.bak`, JSON.stringify({ tokenUsage: usage(1, 1, 1, 1) }));
    const store = new SqliteStore(join(dir.path, 'index.sqlite'));
    const rows = () => store.db.prepare('SELECT dedup_key AS key, ts, model, input, output, cache_read AS r, cache_write_5m AS w, reasoning, session_id AS s, project FROM events').all();
    const index = () => refreshIndex(store, droidSource.discover({ HOME: home }, new Map()).files, { host: 'h' });

    expect((await index()).problems).toEqual([]);
    expect(rows()).toEqual([{ key: 'droid:total:S1', ts: Math.floor(t1), model: 'claude-sonnet-4-5-20250929', input: 100, output: 40, r: 5000, w: 2000, reasoning: 0, s: 'S1', project: '/srv/app' }]);

    // The next call rewrites the totals: still one record, now the new totals at the new time.
    const t2 = t1 + 3_600_000;
    write(usage(250, 90, 11000, 2000, 30), t2);
    await index();
    expect(rows()).toEqual([{ key: 'droid:total:S1', ts: Math.floor(t2), model: 'claude-sonnet-4-5-20250929', input: 250, output: 90, r: 11000, w: 2000, reasoning: 30, s: 'S1', project: '/srv/app' }]);
    const totals = store.db.prepare('SELECT SUM(requests) AS requests, SUM(input) AS input FROM usage_rollup').get();
    expect(totals).toEqual({ requests: 1, input: 250 });

    // A bad field is said, with the field; what was stored stays.
    write({ ...usage(300, 100, 0, 0), inputTokens: 'many' }, t2 + 1000);
    const bad = await index();
    expect(bad.problems.map((p) => p.message)).toEqual(['cannot read: tokenUsage.inputTokens is "many", expected a non-negative number']);
    expect(rows()).toHaveLength(1);
    await store.close();
  });
});

describe('Factory Droid telemetry', () => {
  it('counts its per-turn invoke_agent spans (input without the cache), and its session totals step aside for them', async () => {
    const { interpretSpans } = await import('../../../src/sources/otlp/genai-spans.js');
    const { flattenSpans } = await import('../../../src/sources/otlp/flatten.js');
    const { priceEvents, openPriceBook } = await import('../../../src/ingest/prices.js');
    // As OTLP/JSON carries them: the service on the resource, usage on the span.
    const export_ = (service: string, ids: string[]) => flattenSpans({ resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans: ids.map((id) => ({
        name: 'invoke_agent droid', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: id, endTimeUnixNano: String(Date.parse('2026-11-30T11:00:00Z') * 1e6),
        attributes: [['gen_ai.operation.name', 'invoke_agent'], ['gen_ai.conversation.id', 'S1'], ['gen_ai.request.model', 'gpt-5']].map(([key, v]) => ({ key, value: { stringValue: v } }))
          .concat([['gen_ai.usage.input_tokens', 1977], ['gen_ai.usage.output_tokens', 61], ['gen_ai.usage.cache_read.input_tokens', 1024]].map(([key, v]) => ({ key: String(key), value: { intValue: String(v) } })) as never[]),
      })) }],
    }] }).items;
    const now = Date.parse('2026-12-01T00:00:00Z');
    const turns = interpretSpans(export_('droid', ['00f067aa0ba902b1', '00f067aa0ba902b2']), 'h', now).events;
    expect(turns.map((e) => [e.tool, e.sessionId, e.input, e.cacheRead, e.output])).toEqual([['droid', 'S1', 1977, 1024, 61], ['droid', 'S1', 1977, 1024, 61]]);
    // Another agent's invoke_agent sums its per-call spans: never counted.
    expect(interpretSpans(export_('github-copilot', ['00f067aa0ba902b3']), 'h', now).events).toEqual([]);

    const home = dir.path;
    const sessions = join(home, '.factory', 'sessions', '-srv-app');
    mkdirSync(sessions, { recursive: true });
    const file = join(sessions, 'S1.settings.json');
    writeFileSync(file, JSON.stringify({ model: 'gpt-5', tokenUsage: usage(3954, 122, 2048, 0) }));
    const store = new SqliteStore(join(dir.path, 'index.sqlite'));
    const keys = () => store.db.prepare('SELECT dedup_key AS k, source FROM events ORDER BY k').all();
    const index = () => refreshIndex(store, droidSource.discover({ HOME: home }, new Map()).files, { host: 'h' });
    await index();
    expect(keys()).toEqual([{ k: 'droid:total:S1', source: 'transcript' }]);
    const book = await openPriceBook(store);
    await store.commit({ replacedFileIds: [], checkpoints: [], events: await priceEvents(turns, book) });
    await store.settle();
    expect(keys().map((r: any) => r.source)).toEqual(['otlp', 'otlp']);
    // The totals grow on disk: still the telemetry alone counts for this session.
    writeFileSync(file, JSON.stringify({ model: 'gpt-5', tokenUsage: usage(5931, 183, 3072, 0) }));
    await index();
    expect(keys().map((r: any) => r.source)).toEqual(['otlp', 'otlp']);
    expect((await store.totals()).map((t) => [t.tool, t.requests, t.input])).toEqual([['droid', 2, 3954]]);
    await store.close();
  });
});
