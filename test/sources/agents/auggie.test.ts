// Auggie sessions beyond the real runs: an exchange still streaming (no usage node yet), a bad count among good
// exchanges, and the cwd from the exchange's IDE state.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogFile } from '../../../src/ingest/read-file.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const exchange = (id: string, usage: object | null, at: string, cwd = '/srv/app') => ({
  exchange: {
    request_id: id,
    request_nodes: [{ id: 0, type: 0, text_node: { content: '[prompt]' } }, { id: 1, type: 4, ide_state_node: { workspace_folders: [{ folder_root: cwd, repository_root: cwd }] } }],
    response_nodes: [{ id: 1, type: 0, content: '[answer]' }, ...(usage ? [{ id: 2, type: 10, token_usage: usage }, { id: 3, type: 9, billing_metadata: { credits_consumed: 12 } }] : [])],
  },
  completed: Boolean(usage), finishedAt: at,
});

describe('Auggie sessions', () => {
  it('count each exchange with a usage node once, under an unknown Augment model, and say which one is bad', () => {
    const f = join(dir.path, 'S1.json');
    writeFileSync(f, JSON.stringify({ sessionId: 'S1', chatHistory: [
      exchange('r1', { input_tokens: 101, output_tokens: 41, cache_read_input_tokens: 5001, cache_creation_input_tokens: 2000 }, '2026-11-30T10:00:00.000Z'),
      exchange('r2', { input_tokens: 'x', output_tokens: 1 }, '2026-11-30T10:01:00.000Z'),
      exchange('r3', { input_tokens: 7, output_tokens: 3 }, '2026-11-30T10:02:00.000Z', '/srv/other'),
      exchange('r4', null, '2026-11-30T10:03:00.000Z'),
    ] }));
    const r = readLogFile({ fileId: 1, path: f, source: 'auggie-session', fromOffset: 0, fromLine: 0, replace: true, stat: { dev: 0, ino: 0, size: 0, mtimeMs: 0 }, host: 'h', sessionFallback: 'S1', projectFallback: '', state: null, now: Date.parse('2026-12-01T00:00:00Z') });
    expect(r.events.map((e) => [e.dedupKey, e.model, e.input, e.cacheRead, e.cacheWrite5m, e.output, e.project, e.sessionId, e.tool, e.credits])).toEqual([
      ['auggie:r1', 'unknown model (Augment)', 101, 5001, 2000, 41, '/srv/app', 'S1', 'auggie', 12],
      ['auggie:r3', 'unknown model (Augment)', 7, 0, 0, 3, '/srv/other', 'S1', 'auggie', 12],
    ]);
    expect(r.problems.map((p) => p.message)).toEqual(['chatHistory[1]: token_usage.input_tokens is "x", expected a non-negative number']);
  });

  it('keep Augment’s credits beside the tokens, per tool in reports (the real 0.36.0 sessions)', () => {
    const fixture = join(__dirname, '..', '..', 'fixtures', 'auggie', '0.36.0');
    cpSync(join(fixture, 'home'), dir.path, { recursive: true });
    const answers = (JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { answers: Array<{ credits: number; output: number }> }).answers;
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', '..', 'dist', 'cli.js'), 'daily', '--json'], {
      env: { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'none'), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' }, encoding: 'utf8',
    });
    const json = JSON.parse(r.stdout) as { totals: { outputTokens: number; costUnknown: boolean; credits?: number }; daily: Array<{ toolBreakdowns: Array<{ tool: string; credits: number }> }> };
    expect(json.daily.flatMap((d) => d.toolBreakdowns).map((t) => [t.tool, t.credits])).toEqual([['auggie', answers.reduce((n, a) => n + a.credits, 0)]]);
    // Credits are not USD and are no other agent's unit: never in a row's or the totals' sums.
    expect(json.totals).toMatchObject({ outputTokens: answers.reduce((n, a) => n + a.output, 0), costUnknown: true });
    expect(json.totals.credits).toBeUndefined();
  });
});
