// Codex rollouts and Gemini chats as ../shared/reference/formats.md describes them (§5, §6), messy cases included:
// totals without last_token_usage, repeated token_count events, a model change, a total that resets, rewinds,
// messages re-appended with their tokens, legacy JSON chats, bad lines; read in one go and in pieces.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/core/event.js';
import { readLogFile, type ReadRequest, type ReadResult } from '../../src/ingest/read-file.js';
import type { FileSourceName } from '../../src/sources/discovery.js';
import { discoverCodexFiles } from '../../src/sources/codex/discover.js';
import { discoverGeminiFiles } from '../../src/sources/gemini/discover.js';
import { tempDir } from '../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

function read(path: string, source: FileSourceName, from?: ReadResult): ReadResult {
  const req: ReadRequest = {
    fileId: 1, path, source, fromOffset: from?.offset ?? 0, fromLine: from?.lines ?? 0, replace: false,
    stat: { dev: 0, ino: 0, size: 0, mtimeMs: 0 }, host: 'h', sessionFallback: 'fallback-session', projectFallback: 'proj', state: from?.state ?? null,
    now: Date.parse('2030-01-01T00:00:00Z'),
  };
  return readLogFile(req);
}

const counts = (e: UsageEvent) => ({ model: e.model, input: e.input, cacheRead: e.cacheRead, output: e.output, reasoning: e.reasoning });

// ---- Codex ----
const usage = (input: number, cached: number, output: number, reasoning: number) =>
  ({ input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output });
const meta = (id = 'c0ffee00-0000-4000-8000-000000000001') => JSON.stringify({ timestamp: '2026-03-02T14:00:00.000Z', type: 'session_meta', payload: { id, timestamp: '2026-03-02T14:00:00.000Z', cwd: '/home/ana/api', originator: 'codex_cli_rs', cli_version: '0.169.0', source: 'cli', model_provider: 'openai' } });
const turn = (model: string) => JSON.stringify({ timestamp: '2026-03-02T14:00:01.000Z', type: 'turn_context', payload: { cwd: '/home/ana/api', model, effort: 'medium', approval_policy: 'on-request' } });
const tokenCount = (ts: string, total: ReturnType<typeof usage> | null, last: ReturnType<typeof usage> | null, rateLimits?: unknown) =>
  JSON.stringify({ timestamp: ts, type: 'event_msg', payload: { type: 'token_count', info: total || last ? { ...(total ? { total_token_usage: total } : {}), ...(last ? { last_token_usage: last } : {}), model_context_window: 272000 } : null, rate_limits: rateLimits ?? null } });
const message = JSON.stringify({ timestamp: '2026-03-02T14:00:02.000Z', type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'prose that must not be read' }] } });

describe('Codex rollouts', () => {
  it('uses last_token_usage, splits cached input and reasoning out once, and follows model changes', () => {
    const f = join(dir.path, 'rollout-2026-03-02T14-00-00-c0ffee00-0000-4000-8000-000000000001.jsonl');
    writeFileSync(f, [
      meta(), turn('gpt-5'), message,
      tokenCount('2026-03-02T14:00:05.000Z', usage(38340, 24064, 1666, 1088), usage(38340, 24064, 1666, 1088)),
      tokenCount('2026-03-02T14:00:05.000Z', usage(38340, 24064, 1666, 1088), usage(38340, 24064, 1666, 1088)), // repeated event
      turn('gpt-5-codex'),
      tokenCount('2026-03-02T14:07:40.512Z', usage(58210, 41984, 2310, 1536), usage(19870, 17920, 644, 448)),
    ].join('\n') + '\n');
    const r = read(f, 'codex');
    expect(r.problemCount).toBe(0);
    expect(r.events.map(counts)).toEqual([
      { model: 'gpt-5', input: 14276, cacheRead: 24064, output: 1666, reasoning: 1088 },
      { model: 'gpt-5-codex', input: 1950, cacheRead: 17920, output: 644, reasoning: 448 },
    ]);
    expect(r.events[0]).toMatchObject({ tool: 'codex', sessionId: 'c0ffee00-0000-4000-8000-000000000001', project: '/home/ana/api' });
    expect(r.events.some((e) => e.modelFallback)).toBe(false);
  });

  it('takes differences of totals when last_token_usage is missing, and starts a new series when a total falls', () => {
    const f = join(dir.path, 'rollout-x.jsonl');
    writeFileSync(f, [
      meta(), turn('gpt-5'),
      tokenCount('2026-03-02T14:01:00.000Z', usage(1000, 200, 100, 50), null),
      tokenCount('2026-03-02T14:02:00.000Z', usage(1600, 500, 180, 60), null),
      tokenCount('2026-03-02T14:03:00.000Z', usage(300, 0, 40, 0), null), // fell: a new series, counted from 0
      tokenCount('2026-03-02T14:04:00.000Z', usage(500, 100, 60, 0), null),
    ].join('\n') + '\n');
    const r = read(f, 'codex');
    expect(r.events.map(counts)).toEqual([
      { model: 'gpt-5', input: 800, cacheRead: 200, output: 100, reasoning: 50 },
      { model: 'gpt-5', input: 300, cacheRead: 300, output: 80, reasoning: 10 },
      { model: 'gpt-5', input: 300, cacheRead: 0, output: 40, reasoning: 0 },
      { model: 'gpt-5', input: 100, cacheRead: 100, output: 20, reasoning: 0 },
    ]);
    expect(new Set(r.events.map((e) => e.dedupKey)).size).toBe(4);
  });

  it('keeps its running total and model between reads of a growing file', () => {
    const f = join(dir.path, 'rollout-y.jsonl');
    writeFileSync(f, [meta(), turn('gpt-5'), tokenCount('2026-03-02T14:01:00.000Z', usage(1000, 200, 100, 50), null)].join('\n') + '\n');
    const first = read(f, 'codex');
    // The next event arrives half-written, then whole.
    const next = tokenCount('2026-03-02T14:02:00.000Z', usage(1600, 500, 180, 60), null);
    appendFileSync(f, next.slice(0, 30));
    const partial = read(f, 'codex', first);
    expect(partial.events).toEqual([]);
    expect(partial.problemCount).toBe(0);
    appendFileSync(f, `${next.slice(30)}\n`);
    const second = read(f, 'codex', partial);
    expect(second.events.map(counts)).toEqual([{ model: 'gpt-5', input: 300, cacheRead: 300, output: 80, reasoning: 10 }]);
  });

  it('prices a session without a turn_context as the fallback and flags it; reads rate limits; reports bad lines', () => {
    const f = join(dir.path, 'rollout-z.jsonl');
    writeFileSync(f, [
      meta(),
      tokenCount('2026-03-02T14:07:40.512Z', usage(100, 0, 10, 0), usage(100, 0, 10, 0), {
        primary: { used_percent: 12.0, window_minutes: 300, resets_at: 1772471100 }, secondary: { used_percent: 41.0, window_minutes: 10080, resets_in_seconds: 3600 },
        plan_type: 'plus', credits: { has_credits: false, unlimited: false, balance: null },
      }),
      '{"timestamp":"2026-03-02T14:08:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":-5}}}}',
      '{"timestamp": "2026-03-02T14:09:00.000Z", "type": "event_msg", "payload": {"type": "token_count", broken',
    ].join('\n') + '\n');
    const r = read(f, 'codex');
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ model: 'gpt-5', modelFallback: true });
    expect(r.readings).toEqual([
      { tool: 'codex', window: '5h', at: Date.parse('2026-03-02T14:07:40.512Z'), usedPercent: 12, resetsAt: 1772471100 * 1000 },
      { tool: 'codex', window: '7d', at: Date.parse('2026-03-02T14:07:40.512Z'), usedPercent: 41, resetsAt: Date.parse('2026-03-02T14:07:40.512Z') + 3600_000 },
    ]);
    expect(r.problems).toEqual([
      { line: 3, message: 'payload.info.last_token_usage.input_tokens is -5, expected a non-negative number' },
      { line: 4, message: expect.stringMatching(/^malformed JSON at byte \d+$/) },
    ]);
  });

  it('reads Codex 0.169 records: session_id in session_meta, ordinals, cache_write_input_tokens, last_usage_includes_reasoning', () => {
    const f = join(dir.path, 'rollout-169.jsonl');
    writeFileSync(f, [
      JSON.stringify({ timestamp: '2026-11-20T10:00:00.000Z', type: 'session_meta', ordinal: 0, payload: { session_id: 'exec-169', cwd: '/home/ana/api', originator: 'codex_exec', cli_version: '0.169.0', source: 'exec', model_provider: 'stand-in' } }),
      JSON.stringify({ timestamp: '2026-11-20T10:00:01.000Z', type: 'turn_context', ordinal: 1, payload: { model: 'gpt-5.1-codex', cwd: '/home/ana/api' } }),
      JSON.stringify({ timestamp: '2026-11-20T10:00:09.000Z', type: 'event_msg', ordinal: 7, payload: { type: 'token_count', info: {
        total_token_usage: { input_tokens: 12000, cached_input_tokens: 8000, cache_write_input_tokens: 0, output_tokens: 900, reasoning_output_tokens: 300, total_tokens: 12900 },
        last_token_usage: { input_tokens: 12000, cached_input_tokens: 8000, cache_write_input_tokens: 0, output_tokens: 900, reasoning_output_tokens: 300, total_tokens: 12900 },
        last_usage_includes_reasoning: true, model_context_window: 400000 }, rate_limits: null } }),
    ].join('\n') + '\n');
    const r = read(f, 'codex');
    expect(r.problemCount).toBe(0);
    expect(r.events.map(counts)).toEqual([{ model: 'gpt-5.1-codex', input: 4000, cacheRead: 8000, output: 900, reasoning: 300 }]);
    expect(r.events[0]!.sessionId).toBe('exec-169');
  });

  it('finds rollouts under every CODEX_HOME, a file in sessions/ and archived_sessions/ once', () => {
    const name = 'rollout-2026-03-02T14-00-00-c0ffee00-0000-4000-8000-000000000009.jsonl';
    for (const sub of ['sessions/2026/03/02', 'archived_sessions']) {
      mkdirSync(join(dir.path, 'a', sub), { recursive: true });
      writeFileSync(join(dir.path, 'a', sub, name), `${meta()}\n`);
    }
    mkdirSync(join(dir.path, 'b', 'archived_sessions'), { recursive: true });
    writeFileSync(join(dir.path, 'b', 'archived_sessions', 'rollout-old.jsonl'), `${meta()}\n`);
    const d = discoverCodexFiles({ CODEX_HOME: `${join(dir.path, 'a')},${join(dir.path, 'b')}` });
    expect(d.files.map((f) => f.path.slice(dir.path.length)).sort()).toEqual([`/a/sessions/2026/03/02/${name}`, '/b/archived_sessions/rollout-old.jsonl']);
    expect(d.files[0]!.sessionFallback).toBe('c0ffee00-0000-4000-8000-000000000009');
  });
});

// ---- Gemini ----
const gemini = (id: string, tokens: Record<string, number> | null, model = 'gemini-2.5-pro', ts = '2026-03-02T15:01:09.880Z') =>
  JSON.stringify({ id, timestamp: ts, type: 'gemini', content: [{ text: 'prose' }], model, ...(tokens ? { tokens } : {}) });

describe('Gemini chats', () => {
  it('keys messages by session and id, the copy with its tokens filled in wins, cached split out of input, thoughts as output', () => {
    const f = join(dir.path, 'session-2026-03-02T15-00-3b9e2a10.jsonl');
    writeFileSync(f, [
      JSON.stringify({ sessionId: '3b9e2a10-aaaa-4bbb-8ccc-000000000001', projectHash: 'abc', startTime: '2026-03-02T15:00:00.000Z', lastUpdated: '2026-03-02T15:00:00.000Z', kind: 'main' }),
      JSON.stringify({ id: 'u1', timestamp: '2026-03-02T15:01:00.000Z', type: 'user', content: [{ text: 'prompt' }] }),
      gemini('b7e1', null), // appended before its tokens are known
      gemini('b7e1', { input: 18344, output: 402, cached: 12010, thoughts: 733, tool: 0, total: 19479 }),
      JSON.stringify({ $set: { lastUpdated: '2026-03-02T15:02:00.000Z', summary: 'x' } }),
      gemini('c8f2', { input: 1000, output: 50, cached: 0, thoughts: 0, tool: 120, total: 1170 }, 'gemini-2.5-flash', '2026-03-02T15:03:00.000Z'),
      JSON.stringify({ $rewindTo: 'b7e1' }),
      gemini('d9a3', { input: 2000, output: 10, cached: 1500, thoughts: 5, tool: 0, total: 2015 }, 'gemini-2.5-pro', '2026-03-02T15:04:00.000Z'),
    ].join('\n') + '\n');
    const r = read(f, 'gemini');
    expect(r.problemCount).toBe(0);
    expect(r.events.map((e) => [e.dedupKey, counts(e)])).toEqual([
      ['gemini:3b9e2a10-aaaa-4bbb-8ccc-000000000001:b7e1', { model: 'gemini-2.5-pro', input: 6334, cacheRead: 12010, output: 1135, reasoning: 733 }],
      ['gemini:3b9e2a10-aaaa-4bbb-8ccc-000000000001:c8f2', { model: 'gemini-2.5-flash', input: 1120, cacheRead: 0, output: 50, reasoning: 0 }],
      // Rewound conversations keep what was spent before the rewind.
      ['gemini:3b9e2a10-aaaa-4bbb-8ccc-000000000001:d9a3', { model: 'gemini-2.5-pro', input: 500, cacheRead: 1500, output: 15, reasoning: 5 }],
    ]);
    expect(r.events[0]).toMatchObject({ tool: 'gemini', project: 'proj' });
  });

  it('reads a legacy single-JSON chat whole, and finds chats, subagent chats and legacy ones', () => {
    const chats = join(dir.path, 'tmp', 'a1b2c3', 'chats');
    mkdirSync(join(chats, 'parent-session'), { recursive: true });
    const legacy = join(chats, 'session-2025-10-01T10-00-aaaa.json');
    writeFileSync(legacy, JSON.stringify({ sessionId: 'legacy-1', projectHash: 'a1b2c3', startTime: '2025-10-01T10:00:00Z', lastUpdated: '2025-10-01T10:05:00Z', messages: [
      { id: 'm1', timestamp: '2025-10-01T10:00:01Z', type: 'user', content: 'hi' },
      { id: 'm2', timestamp: '2025-10-01T10:00:05Z', type: 'gemini', content: 'hello', model: 'gemini-2.5-pro', tokens: { input: 900, output: 30, cached: 600, thoughts: 12, tool: 0, total: 942 } },
    ] }, null, 2));
    writeFileSync(join(chats, 'session-2026-03-02T15-00-3b9e2a10.jsonl'), `${gemini('x', { input: 1, output: 1, cached: 0, thoughts: 0, tool: 0, total: 2 })}\n`);
    writeFileSync(join(chats, 'parent-session', 'child-session.jsonl'), `${gemini('y', { input: 1, output: 1, cached: 0, thoughts: 0, tool: 0, total: 2 })}\n`);
    writeFileSync(join(chats, 'notes.txt'), 'not a chat');
    const d = discoverGeminiFiles({ GEMINI_DIR: dir.path });
    expect(d.files.map((f) => [f.path.slice(chats.length), f.source, f.projectFallback]).sort()).toEqual([
      ['/parent-session/child-session.jsonl', 'gemini', 'a1b2c3'],
      ['/session-2025-10-01T10-00-aaaa.json', 'gemini-json', 'a1b2c3'],
      ['/session-2026-03-02T15-00-3b9e2a10.jsonl', 'gemini', 'a1b2c3'],
    ]);
    const r = read(legacy, 'gemini-json');
    expect(r.events.map((e) => [e.dedupKey, counts(e)])).toEqual([['gemini:legacy-1:m2', { model: 'gemini-2.5-pro', input: 300, cacheRead: 600, output: 42, reasoning: 12 }]]);
  });

  it('names a Gemini project by its path, not its folder\'s slug or hash, wherever Gemini CLI recorded it', () => {
    const tmp = join(dir.path, 'tmp');
    const sha = (p: string) => createHash('sha256').update(p).digest('hex');
    const folders = { 'my-app': '/home/ana/my-app', web: '/home/ana/web', [sha('/home/ana/old')]: '/home/ana/old', 'f00dfeed': 'f00dfeed' };
    for (const name of Object.keys(folders)) {
      mkdirSync(join(tmp, name, 'chats'), { recursive: true });
      writeFileSync(join(tmp, name, 'chats', 'session-2026-03-02T15-00-aaaa.jsonl'), `${gemini(`m-${name.slice(0, 6)}`, { input: 1, output: 1, cached: 0, thoughts: 0, tool: 0, total: 2 })}\n`);
    }
    // A current Gemini CLI: the folder's .project_root, and the registry of slugs; an older one named the folder by hash.
    writeFileSync(join(tmp, 'my-app', '.project_root'), '/home/ana/my-app\n');
    writeFileSync(join(dir.path, 'projects.json'), JSON.stringify({ projects: { '/home/ana/web': 'web', '/home/ana/old': 'old' } }));
    const d = discoverGeminiFiles({ GEMINI_DIR: dir.path });
    expect(Object.fromEntries(d.files.map((f) => [f.path.slice(tmp.length + 1).split('/')[0], f.projectFallback]))).toEqual(folders);
  });
});

describe('reports over all three tools', () => {
  it('filter by --tool and break each period down by tool, flagging fallback-priced Codex requests', () => {
    const codexDir = join(dir.path, 'codex', 'sessions', '2026', '03', '02');
    mkdirSync(codexDir, { recursive: true });
    writeFileSync(join(codexDir, 'rollout-a.jsonl'), [meta(), tokenCount('2026-03-02T14:01:00.000Z', usage(1000, 200, 100, 50), null)].join('\n') + '\n');
    const chats = join(dir.path, 'gemini', 'tmp', 'p', 'chats');
    mkdirSync(chats, { recursive: true });
    writeFileSync(join(chats, 'session-1.jsonl'), `${gemini('g1', { input: 500, output: 20, cached: 100, thoughts: 0, tool: 0, total: 520 }, 'gemini-2.5-pro', '2026-03-02T16:00:00.000Z')}\n`);
    const env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'none'), CODEX_HOME: join(dir.path, 'codex'), GEMINI_DIR: join(dir.path, 'gemini'), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' };
    const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
    const all = JSON.parse(spawnSync(process.execPath, [cli, 'daily', '--json'], { env, encoding: 'utf8' }).stdout);
    expect(all.daily).toHaveLength(1);
    expect(all.daily[0].toolBreakdowns.map((t: { tool: string; totalTokens: number }) => [t.tool, t.totalTokens]).sort()).toEqual([['codex', 1100], ['gemini', 520]]);
    expect(all.daily[0].modelFallback).toBe(true);
    expect(all.totals.costUnknown).toBe(false);
    const codexOnly = JSON.parse(spawnSync(process.execPath, [cli, 'daily', '--json', '--tool', 'codex'], { env, encoding: 'utf8' }).stdout);
    expect(codexOnly.totals).toMatchObject({ inputTokens: 800, cacheReadTokens: 200, outputTokens: 100, reasoningTokens: 50, totalTokens: 1100 });
  });
});
