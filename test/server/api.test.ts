// The daemon's read side: JSON API, Prometheus endpoints as Prometheus and XRG parse them, the snapshot file, and
// who may ask.
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine } from '../helpers/transcript.js';

let d: TestDaemon;
const now = Date.now();
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

beforeAll(async () => {
  d = await startTestDaemon({ snapshot: true });
  const session = '33333333-3333-4333-8333-333333333333';
  writeFileSync(join(d.projectDir, `${session}.jsonl`), [
    assistantLine({ sessionId: session, messageId: 'msg_a1', requestId: 'req_a1', timestamp: at(30), input: 10, output: 100, cacheRead: 1000, cacheWrite5m: 50 }),
    assistantLine({ sessionId: session, messageId: 'msg_a2', requestId: 'req_a2', timestamp: at(20), input: 20, output: 200, cacheRead: 2000, cacheWrite5m: 0, model: 'claude-haiku-4-5' }),
    assistantLine({ sessionId: session, messageId: 'msg_a3', requestId: 'req_a3', timestamp: at(2), input: 30, output: 300, cacheRead: 3000, cacheWrite5m: 0, cacheWrite1h: 70 }),
  ].join('\n') + '\n');
  d.daemon['schedule']({ kind: 'sweep' });
  await d.daemon.idle();
});
afterAll(async () => {
  await d?.stop();
});

/** XRG's token module, as it reads a Prometheus text page: substring matches, value = second-to-last field. */
function xrgParse(text: string) {
  const out = { input: 0, output: 0, cost: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const parts = line.split(' ').filter(Boolean);
    const value = parts.length >= 2 ? Number.parseFloat(parts[parts.length - 2]!) || 0 : 0;
    if (line.includes('token_usage') || line.includes('tokens')) {
      if (line.includes('input')) out.input += value;
      else if (line.includes('output')) out.output += value;
    } else if (line.includes('cost')) out.cost += value;
  }
  return out;
}

describe('JSON API', () => {
  it('summarizes totals, today, the current session and the current 5-hour window', async () => {
    const s = await d.json('/api/summary');
    expect(s.totals).toMatchObject({ requests: 3, input: 60, output: 600, cacheRead: 6000, cacheWrite: 120, totalTokens: 6780 });
    expect(s.session).toMatchObject({ id: '33333333-3333-4333-8333-333333333333', tool: 'claude-code', project: '/home/ana/api', requests: 3 });
    expect(s.window).toMatchObject({ isActive: true, requests: 3, totalTokens: 6780 });
    expect(Date.parse(s.window.reset) - Date.parse(s.window.start)).toBe(5 * 3600_000);
    expect(s.window.burnRate.tokensPerMinute).toBeCloseTo(6780 / 28, 3);
    expect(s.rate.tokensPerMinute).toBeCloseTo(3400 / 10, 3); // the last 10 minutes hold only the third request
    expect(s.byTool['claude-code'].requests).toBe(3);
  });

  it('groups usage by minute, hour, day and by dimension, with filters', async () => {
    const minutes = await d.json('/api/usage?group=minute');
    expect(minutes.rows).toHaveLength(3);
    expect(minutes.rows.map((r: { t: string }) => Date.parse(r.t) % 60_000)).toEqual([0, 0, 0]);
    const byModel = await d.json('/api/usage?group=model');
    expect(Object.fromEntries(byModel.rows.map((r: { key: string; requests: number }) => [r.key, r.requests]))).toEqual({ 'claude-sonnet-4-5-20250929': 2, 'claude-haiku-4-5': 1 });
    const haiku = await d.json('/api/usage?group=hour&model=claude-haiku-4-5');
    expect(haiku.rows.reduce((s: number, r: { output: number }) => s + r.output, 0)).toBe(200);
    const days = await d.json(`/api/usage?group=day&since=${now - 86_400_000}`);
    expect(days.rows.reduce((s: number, r: { requests: number }) => s + r.requests, 0)).toBe(3);
    const projects = await d.json('/api/usage?group=project');
    expect(projects.rows).toEqual([expect.objectContaining({ key: '/home/ana/api', requests: 3 })]);
  });

  it('says which parameter is wrong', async () => {
    const bad = await d.get('/api/usage?group=fortnight');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/group: "fortnight"/);
    const badSince = await d.get('/api/usage?group=model&since=yesterday-ish');
    expect(badSince.status).toBe(400);
    expect((await badSince.json()).error).toMatch(/since/);
  });

  it('lists 5-hour blocks with ccusage field names', async () => {
    const { blocks } = await d.json('/api/blocks?active=1');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({
      isActive: true, isGap: false, entries: 3, totalTokens: 6780,
      tokenCounts: { inputTokens: 60, outputTokens: 600, cacheCreationInputTokens: 120, cacheReadInputTokens: 6000 },
      models: ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5'],
    });
    expect(new Date(blocks[0].startTime).getUTCMinutes()).toBe(0);
    expect(blocks[0].projection.totalTokens).toBeGreaterThan(6780);
  });
});

describe('Prometheus endpoints', () => {
  it('exposes totals by tool, model, type and host, and the window', async () => {
    const text = await (await d.get('/metrics')).text();
    expect(text).toMatch(/^tokenmeter_tokens_total\{tool="claude-code",model="claude-haiku-4-5",type="output",host="test-host"\} 200$/m);
    expect(text).toMatch(/^tokenmeter_requests_total\{tool="claude-code",model="claude-sonnet-4-5-20250929",host="test-host"\} 2$/m);
    expect(text).toMatch(/^tokenmeter_window_tokens\{window="5h"\} 6780$/m);
    expect(text).toMatch(/^tokenmeter_window_reset_timestamp_seconds\{window="5h"\} \d+$/m);
    expect(text).toMatch(/^claude_code_token_usage_tokens_total\{type="cacheCreation",model="claude-sonnet-4-5-20250929"\} 120 \d{13}$/m);
    expect(text).toMatch(/^claude_code_cost_usage_USD_total\{model="claude-haiku-4-5"\} [\d.e-]+ \d{13}$/m);
    expect(text).toMatch(/^tokenmeter_files_watched 1$/m);
  });

  it('reads right in XRG from either endpoint: its own series never add to the Claude Code ones', async () => {
    const summary = await d.json('/api/summary');
    for (const path of ['/metrics', '/v1/metrics']) {
      const x = xrgParse(await (await d.get(path)).text());
      expect(x.input, path).toBe(60);
      expect(x.output, path).toBe(600);
      expect(x.cost, path).toBeCloseTo(summary.totals.cost, 9);
    }
  });
});

describe('bad query parameters', () => {
  it('get 400 with a message that says which parameter and why, never a 500 or a date rolled over', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/usage?since=2026-13-01', /query parameter since: "2026-13-01" is not a calendar date/],
      ['/api/usage?since=2026-02-30', /query parameter since: "2026-02-30" is not a calendar date/],
      ['/api/usage?group=hour&until=2026-02-30T10:00:00Z', /query parameter until: "2026-02-30T10:00:00Z" is not a calendar date/],
      ['/api/usage?since=2026-02-28T24:30', /query parameter since: .* is not a time of day/],
      ['/api/usage?since=yesterday', /query parameter since: "yesterday" is not a date \(YYYY-MM-DD, ISO 8601 or epoch milliseconds\)/],
      ['/api/usage?since=2026-03-02&until=2026-03-01', /until is before since/],
      ['/api/usage?group=fortnight', /query parameter group: "fortnight" is not one of second, minute, hour, day, model/],
      ['/api/usage?group=model&tool=Cursor%20IDE', /query parameter tool: "Cursor IDE" is not a tool name \(claude-code, codex, gemini, pi, .*, crush, api, or an app's service.name\)/],
      [`/api/usage?group=model&model=${'m'.repeat(2000)}`, /query parameter model: longer than 1000 characters/],
      ['/api/blocks?since=2026-00-10', /query parameter since: "2026-00-10" is not a calendar date/],
      ['/api/blocks?plan=platinum', /query parameter/],
    ];
    for (const [path, message] of cases) {
      const r = await d.get(path);
      expect(r.status, path).toBe(400);
      expect((await r.json()).error, path).toMatch(message);
    }
  });

  it('takes a day as until to mean the whole day, as the CLI does', async () => {
    const local = new Date(now);
    const localDay = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    const rows = (await d.json(`/api/usage?group=day&since=${localDay}&until=${localDay}`)).rows;
    expect(rows.map((r: { day: string; requests: number }) => [r.day, r.requests])).toEqual([[localDay, 3]]);
  });

  it('still takes every form of date it documents', async () => {
    const day = new Date(now).toISOString().slice(0, 10);
    for (const since of [day, `${day}T00:00:00Z`, `${day}T00:00+02:00`, `${day}T00:00:00.123456Z`, String(now - 3600_000)]) {
      expect((await d.get(`/api/usage?group=model&since=${encodeURIComponent(since)}`)).status, since).toBe(200);
    }
  });
});

describe('snapshot file', () => {
  it('holds the session, today, the window and the rate, with updatedAt', async () => {
    // Written once the figures change, on the writer's own schedule: waited for, not timed.
    const read = () => {
      try {
        return JSON.parse(readFileSync(join(d.home, 'token-metrics.json'), 'utf8'));
      } catch {
        return null;
      }
    };
    await expect.poll(() => read()?.session?.requests, { timeout: 30_000 }).toBe(3);
    const snap = read();
    expect(Date.parse(snap.updatedAt)).toBeGreaterThanOrEqual(now - 1000);
    expect(Date.parse(snap.updatedAt)).toBeLessThanOrEqual(Date.now());
    expect(snap.session).toMatchObject({ requests: 3, totalTokens: 6780 });
    expect(snap.today.totalTokens).toBe(6780);
    expect(snap.window).toMatchObject({ isActive: true, totalTokens: 6780 });
    expect(snap.tokensPerMinute).toBeCloseTo(340, 3);
  });
});

function rawGet(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject).end();
  });
}

describe('who may ask', () => {
  it('refuses requests naming another host (DNS rebinding)', async () => {
    const port = Number(new URL(d.url).port);
    expect(await rawGet(port, '/metrics', { Host: 'attacker.example:4318' })).toBe(403);
    expect(await rawGet(port, '/metrics', { Host: `localhost:${port}` })).toBe(200);
    expect(await rawGet(port, '/metrics', { Host: `[::1]:${port}` })).toBe(200);
  });

  it('with a token, asks it on every endpoint except OTLP exports from loopback', async () => {
    const t = await startTestDaemon({ token: 's3cret-token' });
    try {
      expect((await t.get('/metrics')).status).toBe(401);
      expect((await t.get('/api/summary')).status).toBe(401);
      expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
      expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const otlp = await fetch(`${t.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(otlp.status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('one window per tool', () => {
  it('keeps Claude\'s official window whatever tool wrote last, and gives each tool its own', async () => {
    const t = await startTestDaemon();
    try {
      const session = '55555555-5555-4555-8555-555555555555';
      writeFileSync(join(t.projectDir, `${session}.jsonl`), `${assistantLine({ sessionId: session, messageId: 'msg_w1', requestId: 'req_w1', timestamp: at(20), input: 10, output: 500, cacheRead: 0, cacheWrite5m: 0 })}\n`);
      t.daemon['schedule']({ kind: 'sweep' });
      await t.daemon.idle();
      const resets = Math.floor(Date.now() / 1000) + 3 * 3600;
      const post = (path: string, body: unknown) => fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/api/statusline', { session_id: session, rate_limits: { five_hour: { used_percentage: 72, resets_at: resets } } })).status).toBe(200);
      // Then another tool writes last.
      const gemini = { ts: Date.now() - 60_000, tool: 'gemini', source: 'hook', host: 'h', sessionId: 'g1', project: '', model: 'gemini-2.5-pro', speed: 'standard',
        input: 900_000, output: 40_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0, reportedCost: null, dedupKey: 'gem-1', requestId: null, isSidechain: false };
      expect((await post('/api/ingest', { events: [gemini] })).status).toBe(200);
      await t.daemon.settleNow();
      const s = await t.json('/api/summary');
      expect(s.limit).toMatchObject({ usedPercent: 72, source: 'official' });
      expect(s.windows.map((w: { tool: string }) => w.tool)).toEqual(['claude-code', 'gemini']);
      expect(s.windows[0].limit).toMatchObject({ usedPercent: 72, source: 'official' });
      // Gemini's is its own, from its own usage: not Claude's figure, and not Claude's usage in it.
      expect(s.windows[1].limit.source).not.toBe('official');
      expect(s.windows[1].limit.tokens).toBe(940_000);
    } finally {
      await t.stop();
    }
  });
});
