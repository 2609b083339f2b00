// Qwen Code writes each call to its token log and to the chat's ui_telemetry: either alone counts every call, both
// together count each once, and the chat's copy (which knows the cwd) is the one kept. Plus the Gemini-auth
// convention (thoughts beside output) and bad lines.
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLogFile } from '../../../src/ingest/read-file.js';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { discoverQwenFiles } from '../../../src/sources/qwen/discover.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

const fixture = join(__dirname, '..', '..', 'fixtures', 'qwen', '0.24.4', 'home');
let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.cleanup());

async function indexed(drop: 'usage' | 'projects' | null) {
  dir = tempDir();
  cpSync(fixture, dir.path, { recursive: true });
  if (drop) rmSync(join(dir.path, '.qwen', drop), { recursive: true });
  const store = new SqliteStore(join(dir.path, 'index.sqlite'));
  const stats = await refreshIndex(store, discoverQwenFiles({ HOME: dir.path }).files, { host: 't' });
  const rows = store.db.prepare('SELECT input, cache_read AS cacheRead, output, reasoning, project, session_id AS session FROM events ORDER BY input, output').all() as Array<Record<string, unknown>>;
  await store.close();
  dir.cleanup();
  dir = undefined;
  return { stats, rows };
}

describe('Qwen Code', () => {
  it('counts each call once from the token log, the chats, or both; the chat copy’s cwd stays', async () => {
    const both = await indexed(null);
    const logOnly = await indexed('projects');
    const chatsOnly = await indexed('usage');
    expect(both.rows).toHaveLength(6);
    expect(both.stats.badLines + logOnly.stats.badLines + chatsOnly.stats.badLines).toBe(0);
    const counts = (rows: Array<Record<string, unknown>>) => rows.map(({ input, cacheRead, output, reasoning, session }) => ({ input, cacheRead, output, reasoning, session }));
    expect(counts(logOnly.rows)).toEqual(counts(both.rows));
    expect(counts(chatsOnly.rows)).toEqual(counts(both.rows));
    expect(both.rows.every((r) => r.project === '/home/user/proj')).toBe(true);
    expect(logOnly.rows.every((r) => r.project === '')).toBe(true);
  });

  it('adds thoughts to output only where the record keeps them apart (Gemini auth), and reports bad lines by field', () => {
    dir = tempDir();
    const f = join(dir.path, 'token-usage-2026-11.jsonl');
    const rec = (o: object) => JSON.stringify({ schemaVersion: 1, id: 'x', timestamp: '2026-11-30T10:00:00.000Z', sessionId: 's1', model: 'gemini-2.5-pro', authType: 'gemini', source: 'main', apiDurationMs: 812, ...o });
    writeFileSync(f, [
      rec({ authType: 'gemini', inputTokens: 1000, outputTokens: 50, cachedTokens: 200, thoughtsTokens: 30, totalTokens: 1080 }),
      rec({ authType: 'openai', model: 'gpt-5', inputTokens: 1000, outputTokens: 50, cachedTokens: 200, thoughtsTokens: 30, totalTokens: 1050, apiDurationMs: 90 }),
      rec({ inputTokens: 'many', outputTokens: 1 }),
      rec({ inputTokens: 1, outputTokens: 1, timestamp: 'yesterday' }),
      '{"schemaVersion":1,"inputTokens":12',
    ].join('\n') + '\n');
    const r = readLogFile({ fileId: 1, path: f, source: 'qwen-usage', fromOffset: 0, fromLine: 0, replace: false, stat: { dev: 0, ino: 0, size: 0, mtimeMs: 0 }, host: 'h', sessionFallback: '', projectFallback: '', state: null, now: Date.parse('2026-12-01T00:00:00Z') });
    expect(r.events.map((e) => [e.model, e.input, e.cacheRead, e.output, e.reasoning])).toEqual([['gemini-2.5-pro', 800, 200, 80, 30], ['gpt-5', 800, 200, 50, 30]]);
    expect(r.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: inputTokens is "many", expected a non-negative number',
      '4: timestamp is "yesterday", expected an ISO-8601 time',
      '5: malformed JSON at byte 35',
    ]);
  });
});
