// Cline's task files beyond the real runs: the extensions' providers and their input conventions, a request still
// in flight, the usage of deleted requests, the legacy api_req_finished, bad records, every editor's storage; and
// Cline 3.x sessions with a bad message among good ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogFile } from '../../../src/ingest/read-file.js';
import { discoverClineFiles } from '../../../src/sources/cline/discover.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const T0 = Date.parse('2026-11-30T10:00:00Z');
const read = (path: string, source: string, session = 'T1') =>
  readLogFile({ fileId: 1, path, source, fromOffset: 0, fromLine: 0, replace: true, stat: { dev: 0, ino: 0, size: 0, mtimeMs: 0 }, host: 'h', sessionFallback: session, projectFallback: '/srv/app', state: null, now: Date.parse('2026-12-01T00:00:00Z') });
const say = (ts: number, say: string, text: unknown, modelInfo?: object) => ({ ts, type: 'say', say, text: typeof text === 'string' ? text : JSON.stringify(text), ...(modelInfo ? { modelInfo } : {}) });

describe('Cline task files (ui_messages.json)', () => {
  it('split the cache out of input by the provider’s convention, and count deleted requests’ usage once', () => {
    const f = join(dir.path, 'ui_messages.json');
    const openai = { providerId: 'openrouter', modelId: 'openai/gpt-5', mode: 'act' };
    const anthropic = { providerId: 'anthropic', modelId: 'claude-sonnet-4-5-20250929', mode: 'act' };
    writeFileSync(f, JSON.stringify([
      say(T0, 'task', '[prompt]', openai),
      say(T0 + 1, 'api_req_started', { request: '[request]', tokensIn: 3001, tokensOut: 61, cacheReads: 1024, cacheWrites: 0, cost: 0.002 }, openai),
      say(T0 + 2, 'text', 'a {"tokensIn": 99} in prose is not usage', openai),
      say(T0 + 3, 'api_req_started', { request: '[request]', tokensIn: 104, tokensOut: 45, cacheReads: 5004, cacheWrites: 2000, cost: 0.01 }, anthropic),
      say(T0 + 4, 'api_req_started', { request: '[request]' }, anthropic), // in flight
      say(T0 + 5, 'deleted_api_reqs', { tokensIn: 500, tokensOut: 50, cacheReads: 0, cacheWrites: 0, cost: 0.001 }, anthropic),
      // Roo Code says the protocol: an OpenAI-protocol request includes its cache whatever the provider.
      { ...say(T0 + 6, 'api_req_started', { request: '[request]', apiProtocol: 'openai', tokensIn: 2000, tokensOut: 10, cacheReads: 1500, cacheWrites: 0 }), modelInfo: { providerId: 'anthropic', modelId: 'x-model' } },
      say(T0 + 7, 'api_req_started', { request: '[request]', tokensIn: -5, tokensOut: 1 }),
      say(T0 + 8, 'api_req_started', '{"request": "[req'),
    ]));
    const r = read(f, 'cline-task');
    expect(r.events.map((e) => [e.dedupKey, e.model, e.input, e.cacheRead, e.cacheWrite5m, e.output, e.reportedCost, e.sessionId, e.project, e.tool])).toEqual([
      [`cline-task:T1:${T0 + 1}`, 'openai/gpt-5', 1977, 1024, 0, 61, 0.002, 'T1', '/srv/app', 'cline'],
      [`cline-task:T1:${T0 + 3}`, 'claude-sonnet-4-5-20250929', 104, 5004, 2000, 45, 0.01, 'T1', '/srv/app', 'cline'],
      [`cline-task:T1:${T0 + 5}`, 'claude-sonnet-4-5-20250929', 500, 0, 0, 50, 0.001, 'T1', '/srv/app', 'cline'],
      [`cline-task:T1:${T0 + 6}`, 'x-model', 500, 1500, 0, 10, null, 'T1', '/srv/app', 'cline'],
    ]);
    expect(r.problems.map((p) => p.message)).toEqual([
      'messages[7] (api_req_started): text.tokensIn is -5, expected a non-negative number',
      'messages[8] (api_req_started): text: malformed JSON at byte 17',
    ]);
  });

  it('take old versions’ usage from the api_req_finished after the start', () => {
    const f = join(dir.path, 'ui_messages.json');
    writeFileSync(f, JSON.stringify([
      say(T0, 'api_req_started', { request: '[request]' }),
      say(T0 + 1, 'text', '[answer]'),
      say(T0 + 2, 'api_req_finished', { tokensIn: 700, tokensOut: 70, cacheReads: 100, cacheWrites: 0, cost: 0.003 }),
      say(T0 + 3, 'api_req_started', { request: '[request]' }), // cancelled: never finished
      say(T0 + 4, 'api_req_started', { request: '[request]' }),
      say(T0 + 5, 'api_req_finished', { tokensIn: 800, tokensOut: 80 }),
    ]));
    expect(read(f, 'cline-task').events.map((e) => [e.ts - T0, e.model, e.input, e.cacheRead, e.output])).toEqual([[0, 'unknown', 600, 100, 70], [4, 'unknown', 800, 0, 80]]);
  });

  it('that are not a document of messages (or caught mid-write) are a failed read: they replace nothing', () => {
    const f = join(dir.path, 'ui_messages.json');
    writeFileSync(f, '{"messages": []}');
    expect(read(f, 'cline-task')).toMatchObject({ failure: 'not a Cline task (expected an array of messages)', events: [] });
    writeFileSync(f, '[{"ts": 1, "type": "say", "say": "api_req_sta');
    expect(read(f, 'cline-task')).toMatchObject({ failure: 'malformed JSON at byte 45', events: [] });
  });

  it('are found in every editor’s storage, each extension’s, the remote server’s and Cline CLI 2.x’s, with each task’s cwd', () => {
    const task = (root: string, id: string) => {
      mkdirSync(join(root, 'tasks', id), { recursive: true });
      writeFileSync(join(root, 'tasks', id, 'ui_messages.json'), '[]');
      writeFileSync(join(root, 'tasks', id, 'api_conversation_history.json'), '[]');
    };
    const storage = (editor: string) => join(dir.path, '.config', editor, 'User', 'globalStorage');
    task(join(storage('Code'), 'saoudrizwan.claude-dev'), '1001');
    task(join(storage('Cursor'), 'rooveterinaryinc.roo-cline'), '1002');
    task(join(storage('Some Future Fork'), 'kilocode.kilo-code'), '1003');
    task(join(dir.path, '.vscode-server', 'data', 'User', 'globalStorage', 'saoudrizwan.claude-dev'), '1004');
    task(join(dir.path, '.cline', 'data'), '1005');
    task(join(storage('Code'), 'some.other-extension'), '1006');
    mkdirSync(join(storage('Code'), 'saoudrizwan.claude-dev', 'state'), { recursive: true });
    writeFileSync(join(storage('Code'), 'saoudrizwan.claude-dev', 'state', 'taskHistory.json'), JSON.stringify([{ id: '1001', cwdOnTaskInitialization: '/srv/web', tokensIn: 1e6 }]));
    const found = discoverClineFiles({ HOME: dir.path }).files.map((f) => [f.path.slice(dir.path.length), f.source, f.sessionFallback, f.projectFallback]);
    expect(found.sort()).toEqual([
      ['/.cline/data/tasks/1005/ui_messages.json', 'cline-task', '1005', ''],
      ['/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1001/ui_messages.json', 'cline-task', '1001', '/srv/web'],
      ['/.config/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/tasks/1002/ui_messages.json', 'cline-task', '1002', ''],
      ['/.config/Some Future Fork/User/globalStorage/kilocode.kilo-code/tasks/1003/ui_messages.json', 'cline-task', '1003', ''],
      ['/.vscode-server/data/User/globalStorage/saoudrizwan.claude-dev/tasks/1004/ui_messages.json', 'cline-task', '1004', ''],
    ]);
  });
});

describe('Cline CLI 3.x sessions (<id>.messages.json)', () => {
  it('count each assistant message with metrics once, and a bad one is said without losing the others', () => {
    const sessions = join(dir.path, '.cline', 'data', 'sessions', 'S1');
    mkdirSync(sessions, { recursive: true });
    const f = join(sessions, 'S1.messages.json');
    const metrics = (o: object) => ({ inputTokens: 7106, outputTokens: 43, cacheReadTokens: 5003, cacheWriteTokens: 2000, ...o });
    writeFileSync(f, JSON.stringify({ sessionId: 'S1', messages: [
      { id: 'u1', role: 'user', content: [{ type: 'text', text: '[prompt]' }], ts: T0 },
      { id: 'msg_a', role: 'assistant', ts: T0 + 1, modelInfo: { id: 'claude-sonnet-4-5-20250929', provider: 'anthropic' }, metrics: metrics({ cost: 0.0099 }) },
      { id: 'msg_b', role: 'assistant', ts: T0 + 2, modelInfo: { id: 'gpt-5', provider: 'openai-compatible' }, metrics: metrics({ inputTokens: '7106' }) },
      { id: 'msg_c', role: 'assistant', ts: T0 + 3, modelInfo: { id: 'gpt-5' }, metrics: { inputTokens: 3001, outputTokens: 61, cacheReadTokens: 1024 } },
      { id: 'msg_d', role: 'assistant', ts: T0 + 4, content: [] }, // no metrics: not a finished call
    ] }, null, 2));
    writeFileSync(join(sessions, 'S1.json'), JSON.stringify({ session_id: 'S1', cwd: '/srv/api', metadata: { usage: { inputTokens: 1e9 }, aggregateUsage: { inputTokens: 1e9 } } }));
    const r = read(f, 'cline-session', 'S1');
    expect(r.events.map((e) => [e.dedupKey, e.model, e.input, e.cacheRead, e.cacheWrite5m, e.output, e.reportedCost])).toEqual([
      ['cline:S1:msg_a', 'claude-sonnet-4-5-20250929', 103, 5003, 2000, 43, 0.0099],
      ['cline:S1:msg_c', 'gpt-5', 1977, 1024, 0, 61, null],
    ]);
    expect(r.problems.map((p) => p.message)).toEqual(['messages[2]: metrics.inputTokens is "7106", expected a non-negative number']);
    expect(discoverClineFiles({ HOME: dir.path }).files.map((x) => [x.sessionFallback, x.projectFallback])).toEqual([['S1', '/srv/api']]);
  });
});
