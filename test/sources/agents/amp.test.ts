// Amp's legacy thread files. Amp cannot run against a stand-in (its agent loop is on Amp's server), so these
// threads are built in the shape Amp 0.0.1767830505's bundled code writes (messages with numeric messageId and
// Anthropic usage; usageLedger events pushed per inference with fromMessageId/toMessageId, and per tool use with
// subagentThreadID), not recorded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { ampSource } from '../../../src/sources/amp/source.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const usage = (i: number, at: string) => ({ model: 'claude-sonnet-4-5-20250929', maxInputTokens: 168000, inputTokens: 100 + i, outputTokens: 40 + i, cacheCreationInputTokens: 2000, cacheReadInputTokens: 5000 + i, totalInputTokens: 7100 + 2 * i, credits: 0, timestamp: at });
const messages = [
  { role: 'user', messageId: 0, content: [{ type: 'text', text: '[prompt]' }] },
  { role: 'assistant', messageId: 1, content: [{ type: 'text', text: '[answer]' }], state: { type: 'complete', stopReason: 'tool_use' }, usage: usage(1, '2026-11-30T10:00:01.000Z') },
  { role: 'user', messageId: 2, content: [{ type: 'tool_result', toolUseID: 'toolu_1', run: { status: 'done' } }] },
  { role: 'assistant', messageId: 3, content: [{ type: 'text', text: '[answer]' }], state: { type: 'complete', stopReason: 'end_turn' }, usage: usage(2, '2026-11-30T10:00:05.000Z') },
];
const ledger = { events: [
  { id: 'e1', timestamp: '2026-11-30T10:00:01.100Z', model: 'claude-sonnet-4-5-20250929', credits: 1.2, tokens: { input: 101, output: 41 }, operationType: 'inference', fromMessageId: 0, toMessageId: 1 },
  { id: 'e2', timestamp: '2026-11-30T10:00:03.000Z', model: 'claude-haiku-4-5', credits: 0.4, tokens: { input: 900, output: 90 }, operationType: 'oracle', subagentThreadID: 'T-sub', fromMessageId: 2, toMessageId: 2, toolUseID: 'toolu_1' },
  { id: 'e3', timestamp: '2026-11-30T10:00:05.100Z', model: 'claude-sonnet-4-5-20250929', credits: 1.3, tokens: { input: 102, output: 42 }, operationType: 'inference', fromMessageId: 0, toMessageId: 3 },
] };
const thread = (id: string, withLedger: boolean) => ({ v: 12, id, created: Date.parse('2026-11-30T10:00:00Z'), messages, env: { initial: { trees: [{ displayName: 'web app', uri: 'file:///srv/web%20app' }], platform: { os: 'linux' } } }, ...(withLedger ? { usageLedger: ledger } : {}) });

describe('Amp legacy threads', () => {
  it('count each inference once, from the ledger with its message’s cache figures, or from the messages where there is no ledger', async () => {
    const threads = join(dir.path, '.local', 'share', 'amp', 'threads');
    mkdirSync(threads, { recursive: true });
    writeFileSync(join(threads, 'T-1.json'), JSON.stringify(thread('T-1', true)));
    writeFileSync(join(threads, 'T-2.json'), JSON.stringify(thread('T-2', false)));
    writeFileSync(join(threads, 'notes.json'), '{}');
    const store = new SqliteStore(join(dir.path, 'index.sqlite'));
    const r = await refreshIndex(store, ampSource.discover({ HOME: dir.path }, new Map()).files, { host: 'h' });
    expect(r.problems).toEqual([]);
    const rows = store.db.prepare('SELECT dedup_key AS k, model, input, output, cache_read AS r, cache_write_5m AS w, session_id AS s, project, tool FROM events ORDER BY k').all();
    const call = (k: string, i: number, s: string) => ({ k, model: 'claude-sonnet-4-5-20250929', input: 100 + i, output: 40 + i, r: 5000 + i, w: 2000, s, project: '/srv/web app', tool: 'amp' });
    expect(rows).toEqual([call('amp:T-1:ledger:e1', 1, 'T-1'), call('amp:T-1:ledger:e3', 2, 'T-1'), call('amp:T-2:1', 1, 'T-2'), call('amp:T-2:3', 2, 'T-2')]);
    // The ledger's credits are kept beside the tokens (the messages of this Amp version write 0: nothing known).
    expect(store.db.prepare('SELECT dedup_key AS k, credits FROM events ORDER BY k').all().map((x: any) => x.credits)).toEqual([1.2, 1.3, null, null]);
    await store.close();
  });

  it('have doctor say, where the current CLI is in use, that its threads are not on disk', () => {
    expect(ampSource.notice!({ HOME: dir.path })).toBeNull();
    mkdirSync(join(dir.path, '.local', 'share', 'amp'), { recursive: true });
    writeFileSync(join(dir.path, '.local', 'share', 'amp', 'device-id.json'), '{}');
    expect(ampSource.notice!({ HOME: dir.path })).toMatch(/kept on Amp's server, not on disk/);
  });
});
