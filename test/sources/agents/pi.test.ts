// pi's session format (../shared/reference/agents.md §3) beyond what the real runs wrote: calls without a response
// id, failed calls, a priced model's own cost, bad and absurd lines, sessions kept where settings put them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogFile } from '../../../src/ingest/read-file.js';
import { discoverPiFiles } from '../../../src/sources/pi/discover.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const header = (id: string, cwd: string) => JSON.stringify({ type: 'session', version: 3, id, timestamp: '2026-11-30T10:00:00.000Z', cwd });
const assistant = (id: string, usage: object, extra: object = {}) => JSON.stringify({
  type: 'message', id, parentId: null, timestamp: '2026-11-30T10:00:05.000Z',
  message: { role: 'assistant', content: [{ type: 'text', text: 'prose' }], api: 'anthropic-messages', provider: 'anthropic', model: 'claude-sonnet-4-5', usage, stopReason: 'stop', timestamp: Date.parse('2026-11-30T10:00:04.000Z'), ...extra },
});
const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0, total = 0) => ({ input, output, cacheRead, cacheWrite, totalTokens: input + output + cacheRead + cacheWrite, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total } });

const read = (path: string, from?: { offset: number; lines: number; state: string | null }) => readLogFile({
  fileId: 1, path, source: 'pi', fromOffset: from?.offset ?? 0, fromLine: from?.lines ?? 0, replace: false, stat: { dev: 0, ino: 0, size: 0, mtimeMs: 0 },
  host: 'h', sessionFallback: 'from-name', projectFallback: '/from/folder', state: from?.state ?? null, now: Date.parse('2026-12-01T00:00:00Z'),
});

describe('pi sessions', () => {
  it('keys calls by response id, else by entry and time; skips failed calls; keeps a priced model’s own cost; reports bad lines', () => {
    const f = join(dir.path, 's.jsonl');
    writeFileSync(f, [
      header('sess-1', '/home/ana/app'),
      assistant('a1', usage(10, 20, 300, 40, 0.0123), { responseId: 'msg_01A' }),
      assistant('a2', usage(11, 21)), // a provider that returns no id
      assistant('a3', usage(0, 0), { stopReason: 'error', errorMessage: 'connection refused' }),
      '{"type":"message","id":"a4","message":{"role":"assistant","usage":{"input":1', // cut short by a crash, then more lines
      assistant('a5', usage(1e12, 1)),
      assistant('a6', { input: -3, output: 1 }),
      assistant('a7', usage(12, 22), { responseId: 'msg_01A' }), // the same call again (a fork copied it)
    ].join('\n') + '\n');
    const r = read(f);
    // Of the two copies of msg_01A, the one with more tokens stays (core's rule for copies).
    expect(r.events.map((e) => [e.dedupKey, e.input, e.output, e.cacheRead, e.cacheWrite5m, e.reportedCost, e.sessionId, e.project])).toEqual([
      ['msg_01A', 10, 20, 300, 40, 0.0123, 'sess-1', '/home/ana/app'],
      [`pi:a2:${Date.parse('2026-11-30T10:00:04.000Z')}`, 11, 21, 0, 0, null, 'sess-1', '/home/ana/app'],
    ]);
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([
      [5, 'malformed JSON at byte 76'],
      [6, 'input is 1000000000000, more than any request can have (10^10)'],
      [7, 'message.usage.input is -3, expected a non-negative number'],
    ]);
  });

  it('carries the header’s session and cwd to lines appended later', () => {
    const f = join(dir.path, 's.jsonl');
    writeFileSync(f, header('sess-2', '/srv/x') + '\n');
    const first = read(f);
    writeFileSync(f, header('sess-2', '/srv/x') + '\n' + assistant('b1', usage(5, 6), { responseId: 'resp_9' }) + '\n');
    const next = read(f, first);
    expect(next.events.map((e) => [e.sessionId, e.project, e.model, e.tool])).toEqual([['sess-2', '/srv/x', 'claude-sonnet-4-5', 'pi']]);
  });

  it('finds sessions in the default folder and where settings.json or the environment put them', () => {
    const agentDir = join(dir.path, '.pi', 'agent');
    mkdirSync(join(agentDir, 'sessions', '--home-ana-app--'), { recursive: true });
    writeFileSync(join(agentDir, 'sessions', '--home-ana-app--', '2026-11-30T10-00-00-000Z_0190aaaa-0000-7000-8000-000000000001.jsonl'), '');
    mkdirSync(join(dir.path, 'flat'), { recursive: true });
    writeFileSync(join(dir.path, 'flat', '2026-11-30T11-00-00-000Z_0190aaaa-0000-7000-8000-000000000002.jsonl'), '');
    writeFileSync(join(agentDir, 'settings.json'), JSON.stringify({ sessionDir: join(dir.path, 'flat') }));
    const found = discoverPiFiles({ HOME: dir.path }).files.map((f) => [f.sessionFallback, f.projectFallback]);
    expect(found).toEqual([['0190aaaa-0000-7000-8000-000000000001', '/home/ana/app'], ['0190aaaa-0000-7000-8000-000000000002', '']]);
    mkdirSync(join(dir.path, 'other'));
    writeFileSync(join(dir.path, 'other', 'x_0190aaaa-0000-7000-8000-000000000003.jsonl'), '');
    expect(discoverPiFiles({ HOME: dir.path, PI_CODING_AGENT_SESSION_DIR: join(dir.path, 'other') }).files.map((f) => f.sessionFallback))
      .toEqual(['0190aaaa-0000-7000-8000-000000000001', '0190aaaa-0000-7000-8000-000000000003']);
  });
});
