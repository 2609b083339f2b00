// How the daemon notices changes: watch events for appends and new sessions, the sweep for roots that appear later,
// rewritten files read again, and its log file rotating.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger } from '../../src/server/log.js';
import { sessionTotals, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

/** Waits for the daemon to get there: a bound against hanging, not a measure of speed (a loaded machine is slow). */
async function until<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const line = (session: string, id: string, output: number) =>
  assistantLine({ sessionId: session, messageId: `msg_${id}`, requestId: `req_${id}`, timestamp: new Date().toISOString(), output });

describe('the daemon follows the logs', () => {
  it('sees a new session and appends to it from watch events alone (no sweep)', async () => {
    d = await startTestDaemon({ sweepMs: 3_600_000 });
    const session = '44444444-4444-4444-8444-444444444444';
    const file = join(d.projectDir, `${session}.jsonl`);
    writeFileSync(file, `${line(session, 'w1', 10)}\n`);
    await until(async () => ((await sessionTotals(d!, session))?.output === 10 ? true : undefined));
    appendFileSync(file, `${line(session, 'w2', 5)}\n${line(session, 'w3', 7)}\n`);
    await until(async () => ((await sessionTotals(d!, session))?.output === 22 ? true : undefined));
    // A half-written line is left for later, then counted once complete.
    const last = line(session, 'w4', 100);
    appendFileSync(file, last.slice(0, 40));
    await new Promise((r) => setTimeout(r, 100));
    expect((await sessionTotals(d, session))?.output).toBe(22);
    appendFileSync(file, `${last.slice(40)}\n`);
    await until(async () => ((await sessionTotals(d!, session))?.output === 122 ? true : undefined));
  });

  it('picks up a root that did not exist when it started', async () => {
    d = await startTestDaemon({ noRoot: true, sweepMs: 200 });
    expect(existsSync(d.claudeDir)).toBe(false);
    const session = '55555555-5555-4555-8555-555555555555';
    mkdirSync(d.projectDir, { recursive: true });
    writeFileSync(join(d.projectDir, `${session}.jsonl`), `${line(session, 'r1', 42)}\n`);
    await until(async () => ((await sessionTotals(d!, session))?.output === 42 ? true : undefined));
    expect((await d.json('/healthz')).filesWatched).toBe(1);
  });

  it('reads a rewritten file again and keeps only what it now holds', async () => {
    d = await startTestDaemon({ sweepMs: 3_600_000 });
    const session = '66666666-6666-4666-8666-666666666666';
    const file = join(d.projectDir, `${session}.jsonl`);
    writeFileSync(file, `${line(session, 'x1', 10)}\n${line(session, 'x2', 20)}\n`);
    await until(async () => ((await sessionTotals(d!, session))?.output === 30 ? true : undefined));
    writeFileSync(file, `${line(session, 'x3', 5)}\n`); // truncated and rewritten in place
    await until(async () => ((await sessionTotals(d!, session))?.requests === 1 ? true : undefined));
    expect((await sessionTotals(d, session))?.output).toBe(5);
  });
});

describe('the daemon log', () => {
  it('rotates by size and keeps three old files', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'daemon.log');
      const log = new Logger(file, 'info', false);
      const text = 'x'.repeat(1000);
      for (let i = 0; i < 5000; i++) log.info(`${i} ${text}`);
      log.debug('not written at info level');
      expect(statSync(file).size).toBeLessThanOrEqual(1 << 20);
      for (const n of [1, 2, 3]) expect(existsSync(`${file}.${n}`)).toBe(true);
      expect(existsSync(`${file}.4`)).toBe(false);
      const lastLines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lastLines.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info  4999 x+$/);
      expect(readFileSync(file, 'utf8')).not.toContain('not written');
    } finally {
      dir.cleanup();
    }
  });
});

describe('the daemon follows Codex and Gemini CLI logs too', () => {
  it('reads a Codex rollout with its rate limits: totals, gauges, and the window the dashboard shows', async () => {
    d = await startTestDaemon({ sweepMs: 3_600_000 });
    const home = join(d.claudeDir, '..');
    const dirPath = join(home, '.codex', 'sessions', '2026', '11', '24');
    mkdirSync(dirPath, { recursive: true });
    const now = Date.now();
    const resets = Math.floor(now / 1000) + 3 * 3600;
    writeFileSync(join(dirPath, 'rollout-2026-11-24T10-00-00-c0ffee00-0000-4000-8000-00000000000a.jsonl'), [
      JSON.stringify({ timestamp: new Date(now - 60_000).toISOString(), type: 'session_meta', payload: { id: 'codex-live', cwd: '/home/ana/api' } }),
      JSON.stringify({ timestamp: new Date(now - 59_000).toISOString(), type: 'turn_context', payload: { model: 'gpt-5' } }),
      JSON.stringify({ timestamp: new Date(now - 30_000).toISOString(), type: 'event_msg', payload: { type: 'token_count',
        info: { total_token_usage: { input_tokens: 5000, cached_input_tokens: 1000, output_tokens: 700, reasoning_output_tokens: 200, total_tokens: 5700 } },
        rate_limits: { primary: { used_percent: 33.5, window_minutes: 300, resets_at: resets } } } }),
    ].join('\n') + '\n');
    d.daemon['schedule']({ kind: 'sweep' });
    await d.daemon.idle();
    expect(await sessionTotals(d, 'codex-live')).toMatchObject({ requests: 1, input: 4000, cacheRead: 1000, output: 700, reasoning: 200 });
    const metrics = await (await d.get('/metrics')).text();
    expect(metrics).toMatch(/^tokenmeter_rate_limit_used_percent\{tool="codex",window="5h"\} 33\.5$/m);
    expect(metrics).toMatch(new RegExp(`^tokenmeter_rate_limit_resets_timestamp_seconds\\{tool="codex",window="5h"\\} ${resets}$`, 'm'));
    expect(metrics).toMatch(/^tokenmeter_tokens_total\{tool="codex",model="gpt-5",type="input",host="test-host"\} 4000$/m);
    const summary = await d.json('/api/summary');
    expect(summary.limit).toMatchObject({ usedPercent: 33.5, source: 'official' });
  });
});
