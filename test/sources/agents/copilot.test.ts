// Copilot CLI session events beyond the real runs: totals that repeat (shutdown), a call without a response id,
// bad records, and the copy COPILOT_EVENTS_LOG_DIRECTORY adds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogFile } from '../../../src/ingest/read-file.js';
import { discoverCopilotFiles } from '../../../src/sources/copilot/discover.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const ev = (type: string, data: object, ts = '2026-11-30T10:00:00.000Z') => JSON.stringify({ type, data, id: `e-${Math.random()}`, timestamp: ts, parentId: null });
const usage = (o: object) => ev('session.usage_record', { usage: { model: 'gpt-5', inputTokens: 3000, outputTokens: 60, cacheReadTokens: 1000, cacheWriteTokens: 0, reasoningTokens: 20, cost: 1, initiator: 'user', ...o } });

describe('Copilot CLI session events', () => {
  it('counts usage records only, splits cache out of input, and says which field is bad', () => {
    const f = join(dir.path, 'events.jsonl');
    writeFileSync(f, [
      ev('session.start', { sessionId: 'S1', context: { cwd: '/srv/app' } }),
      usage({ apiCallId: 'chatcmpl-1' }),
      usage({ apiCallId: 'msg_2', model: 'claude-sonnet-4-5', inputTokens: 7106, outputTokens: 43, cacheReadTokens: 5003, cacheWriteTokens: 2000, reasoningTokens: undefined, providerCallId: 'req_2' }),
      usage({}), // no response id
      usage({ inputTokens: -1, apiCallId: 'bad' }),
      ev('session.usage_record', {}),
      ev('session.shutdown', { accountingSnapshot: { modelMetrics: { 'gpt-5': { usage: { inputTokens: 9000, outputTokens: 180 } } } } }),
    ].join('\n') + '\n');
    const r = readLogFile({ fileId: 1, path: f, source: 'copilot', fromOffset: 0, fromLine: 0, replace: false, stat: { dev: 0, ino: 0, size: 0, mtimeMs: 0 }, host: 'h', sessionFallback: 'dir', projectFallback: '', state: null, now: Date.parse('2026-12-01T00:00:00Z') });
    expect(r.events.map((e) => [e.dedupKey.replace(/:e-.*/, ':<event id>'), e.model, e.input, e.cacheRead, e.cacheWrite5m, e.output, e.reasoning, e.requestId, e.reportedCost, e.project, e.sessionId])).toEqual([
      ['chatcmpl-1', 'gpt-5', 2000, 1000, 0, 60, 20, null, null, '/srv/app', 'S1'],
      ['msg_2', 'claude-sonnet-4-5', 103, 5003, 2000, 43, 0, 'req_2', null, '/srv/app', 'S1'],
      ['copilot:S1:<event id>', 'gpt-5', 2000, 1000, 0, 60, 20, null, null, '/srv/app', 'S1'],
    ]);
    expect(r.problems.map((p) => `${p.line}: ${p.message}`)).toEqual(['5: data.usage.inputTokens is -1, expected a non-negative number', '6: session.usage_record without data.usage']);
  });

  it('finds each session’s events and the extra copy the environment asks for', () => {
    mkdirSync(join(dir.path, '.copilot', 'session-state', 'S1'), { recursive: true });
    writeFileSync(join(dir.path, '.copilot', 'session-state', 'S1', 'events.jsonl'), '');
    writeFileSync(join(dir.path, '.copilot', 'session-state', 'S1', 'workspace.yaml'), '');
    mkdirSync(join(dir.path, 'copy'));
    writeFileSync(join(dir.path, 'copy', 'S1.jsonl'), '');
    expect(discoverCopilotFiles({ HOME: dir.path }).files.map((f) => f.sessionFallback)).toEqual(['S1']);
    expect(discoverCopilotFiles({ HOME: dir.path, COPILOT_EVENTS_LOG_DIRECTORY: join(dir.path, 'copy') }).files.map((f) => f.path.slice(dir.path.length))).toEqual(['/.copilot/session-state/S1/events.jsonl', '/copy/S1.jsonl']);
  });
});
