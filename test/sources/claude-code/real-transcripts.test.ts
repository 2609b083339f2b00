// Transcripts written by the real Claude Code client (several versions) against a loopback stand-in of the
// Anthropic API (test/fixtures/claude-code/record.mjs): every response the stand-in sent that reached a transcript
// must be counted once, with its exact usage, and priced as Claude Code itself priced it where it says. Among what
// they exercise: one line per content block, an early streaming snapshot (1.0.30's thinking line has 1 output
// token), a continued session that copies earlier messages without their requestId (1.0.30), subagent files and
// 1-hour cache writes (2.1.330).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { discoverClaudeFiles } from '../../../src/sources/claude-code/discover.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'claude-code');
const versions = readdirSync(fixtures).filter((d) => /^\d/.test(d));

interface Expected {
  responses: Array<{
    id: string;
    requestId: string;
    model: string;
    usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } };
  }>;
}

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.cleanup());

describe.each(versions)('Claude Code %s transcripts', (version) => {
  it('count every response once, with its exact usage and Claude Code’s own cost', async () => {
    dir = tempDir();
    const root = join(fixtures, version);
    const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as Expected;
    const store = new SqliteStore(join(dir.path, 'index.sqlite'));
    const discovery = discoverClaudeFiles({ CLAUDE_CONFIG_DIR: root, HOME: dir.path });
    const stats = await refreshIndex(store, discovery.files, { host: 'test' });
    expect(stats.badLines).toBe(0);
    const rows = store.db
      .prepare(`SELECT dedup_key AS key, input, output, cache_read AS cacheRead, cache_write_5m AS w5, cache_write_1h AS w1, calc_cost AS cost, is_sidechain AS side
        FROM events ORDER BY dedup_key`)
      .all() as Array<{ key: string; input: number; output: number; cacheRead: number; w5: number; w1: number; cost: number; side: number }>;
    const transcripts = discovery.files.map((f) => readFileSync(f.path, 'utf8')).join('\n');
    // Some requests never reach a transcript (older versions title a session with a small model); the rest must all
    // be there, each once, with the usage the stand-in sent.
    const recorded = expected.responses.filter((r) => transcripts.includes(`"${r.id}"`));
    const mainModel = expected.responses[0]!.model;
    expect(expected.responses.filter((r) => !recorded.includes(r)).every((r) => r.model !== mainModel)).toBe(true);
    expect(rows.map(({ key, input, output, cacheRead, w5, w1 }) => ({ key, input, output, cacheRead, w5, w1 }))).toEqual(
      recorded
        .map((r) => ({
          key: r.id, input: r.usage.input_tokens, output: r.usage.output_tokens, cacheRead: r.usage.cache_read_input_tokens,
          w5: r.usage.cache_creation.ephemeral_5m_input_tokens, w1: r.usage.cache_creation.ephemeral_1h_input_tokens,
        }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    // A subagent's requests live in its own file, marked as a sidechain.
    if (discovery.files.some((f) => f.path.includes('subagents'))) expect(rows.some((r) => r.side === 1)).toBe(true);
    // Newer versions keep their own running cost of the session in `cost-state` lines.
    const costs = transcripts.split('\n').filter((l) => l.includes('"cost-state"')).map((l) => JSON.parse(l).totalCostUSD as number);
    if (costs.length > 0) expect(rows.reduce((sum, r) => sum + r.cost, 0)).toBeCloseTo(Math.max(...costs), 9);
    await store.close();
  });
});
