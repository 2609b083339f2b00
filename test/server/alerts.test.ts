// Budget alerts from the daemon: a threshold crossed is said once per period (the webhook, the desktop, the stream),
// not again on the next look nor by a new alerter on the same index (a restart); a failing webhook is tried again with
// backoff; Claude's official 5-hour window alerts at 80 and 95 %.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBudgets } from '../../src/core/budgets.js';
import { Alerter } from '../../src/server/alerts.js';
import { budgetUses } from '../../src/server/budgets.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/processes.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

let d: TestDaemon | undefined;
let sink: Server | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
  sink?.close();
});

/** A webhook on loopback that answers `statuses` in turn (then 200), keeping what it was sent. */
async function webhookSink(statuses: number[] = []): Promise<{ url: string; bodies: Array<Record<string, unknown>>; attempts: () => number }> {
  const bodies: Array<Record<string, unknown>> = [];
  let attempts = 0;
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = statuses[attempts++] ?? 200;
      if (status === 200) bodies.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
  const { port } = sink.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, bodies, attempts: () => attempts };
}

const now = () => new Date(Math.max(Date.now() - 60_000, Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 1000)).toISOString();
const request = (id: string) => `${assistantLine({ messageId: `msg_${id}`, requestId: `req_${id}`, model: 'claude-sonnet-4-5-20250929', input: 100_000, output: 10_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: now() })}\n`;

describe('budget alerts', () => {
  it('go out once per threshold and period, to the webhook, the desktop and the stream', async () => {
    const hook = await webhookSink([500]); // the first delivery fails: tried again
    const notified: string[] = [];
    const waits: number[] = [];
    const budgets = parseBudgets([{ name: 'daily', period: 'day', usd: 0.5, enforce: true }], 'c');
    d = await startTestDaemon({
      budgets: () => budgets, alerts: () => ({ webhook: hook.url }), alertEveryMs: 3_600_000,
      alertSinks: { notify: (_title, text) => notified.push(text), sleep: async (ms) => void waits.push(ms) },
      beforeStart: (home) => {
        mkdirSync(join(home, 'claude', 'projects', '-srv-app'), { recursive: true });
        writeFileSync(join(home, 'claude', 'projects', '-srv-app', 's.jsonl'), request('1')); // $0.45: 90 %
      },
    });
    const stream = await fetch(`${d.url}/api/stream`);
    const reader = stream.body!.getReader();
    const sent = await d.daemon.checkAlerts();
    expect(sent.map((a) => [a.budget, a.threshold, Math.round(a.percent)])).toEqual([['daily', 80, 90]]);
    await d.daemon.alertsIdle();
    expect([hook.attempts(), waits]).toEqual([2, [1000]]);
    expect(hook.bodies).toEqual([expect.objectContaining({ budget: 'daily', period: 'day', threshold: 80, usd: 0.45, limit: { usd: 0.5 },
      text: 'tokenmeter: budget "daily" is at 90% today ($0.45 of $0.50)', content: 'tokenmeter: budget "daily" is at 90% today ($0.45 of $0.50)' })]);
    expect(notified).toEqual(['budget "daily" is at 90% today ($0.45 of $0.50)']);
    let seen = '';
    while (!seen.includes('event: alert')) seen += new TextDecoder().decode((await reader.read()).value);
    expect(seen).toMatch(/event: alert\ndata: \{"budget":"daily"/);
    await reader.cancel();

    // Looked at again: nothing new. Spent: the 100 % alert, saying the guard now stops prompts.
    expect(await d.daemon.checkAlerts()).toEqual([]);
    appendFileSync(join(d.userHome, 'claude', 'projects', '-srv-app', 's.jsonl'), request('2'));
    const t = d;
    await waitFor('the second request on /api/budgets', async () => ((await t.json<{ budgets: Array<{ usd: number }> }>('/api/budgets')).budgets[0]!.usd > 0.5 ? true : undefined), 30_000);
    const spent = await d.daemon.checkAlerts();
    expect(spent.map((a) => [a.threshold, a.text])).toEqual([[100, 'tokenmeter: budget "daily" is at 180% today ($0.90 of $0.50); the guard now stops new prompts']]);
    await d.daemon.alertsIdle();
    expect(hook.bodies.map((b) => b.threshold)).toEqual([80, 100]);
  });

  it('are kept in the index: another alerter on it (a restart) does not say them again; the official window alerts too', async () => {
    const tmp = tempDir();
    try {
      const store = new SqliteStore(join(tmp.path, 'index.sqlite'));
      const t = Date.parse('2026-12-02T12:00:00Z');
      await store.commit({ replacedFileIds: [], checkpoints: [], events: [{
        ts: t - 60_000, tool: 'claude-code', source: 'transcript', host: 'h', sessionId: 's', project: '/p', model: 'm', speed: 'standard',
        input: 1000, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0, reportedCost: 2, dedupKey: 'k1', requestId: null, isSidechain: false, calcCost: null, fileId: null,
      }] });
      await store.settle();
      await store.addLimitReading({ at: t, tool: 'claude-code', window: '5h', usedPercent: 96, resetsAt: t + 3_600_000, localCost: 0, localTokens: 0 });
      const budgets = parseBudgets([{ name: 'tokens', period: 'day', tokens: 1000, alertAt: [50, 100] }], 'c');
      const alerter = () => new Alerter({ store, view: store, uses: () => budgetUses(store, budgets, { now: t, timeZone: 'UTC' }), config: () => ({ desktop: false }), log: () => undefined, publish: () => undefined, now: () => t });
      const first = await alerter().check();
      expect(first.map((a) => [a.budget, a.threshold])).toEqual([['tokens', 100], ['claude-code 5h window', 95]]);
      expect(await alerter().check()).toEqual([]);
      await store.close();
      const reopened = new SqliteStore(join(tmp.path, 'index.sqlite'));
      expect(reopened.alertsSent('tokens', Date.parse('2026-12-02T00:00:00Z'))).toEqual(new Set([50, 100]));
      await reopened.close();
    } finally {
      tmp.cleanup();
    }
  });
});
