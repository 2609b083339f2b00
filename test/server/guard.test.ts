// No web page may write to the daemon or read it: a real browser on another site's page tries what a page can do
// without a preflight, and raw requests try the headers a rebinding page or a careless client would send.
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Guard, isLoopbackHost } from '../../src/server/guard.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

const CHROMIUM = '/usr/bin/chromium';
let d: TestDaemon;
let port: number;

const pushed = (id: string) => ({
  ts: Date.now() - 60_000, tool: 'api', source: 'hook', host: 'evil', sessionId: 'evil', project: '', model: 'claude-sonnet-4-5',
  speed: 'standard', input: 1, output: 1_000_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0,
  reportedCost: null, dedupKey: id, requestId: null, isSidechain: false,
});

function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const stored = async () => (await d.json('/api/summary')).totals.requests as number;

beforeAll(async () => {
  d = await startTestDaemon({ upstreams: { anthropic: 'http://127.0.0.1:9', openai: 'http://127.0.0.1:9' } });
  port = Number(new URL(d.url).port);
});
afterAll(async () => {
  await d?.stop();
});

describe('Host names', () => {
  it('takes 127/8 for IP literals only: names that start with 127. are someone else\'s', () => {
    for (const h of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['127.0.0.1.attacker.example', '127.evil.example.com', '127.0.0.1.nip.io', 'localhost.attacker.example', '128.0.0.1', '0x7f.1']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('refuses a rebinding page\'s requests, read or write', async () => {
    for (const host of [`127.0.0.1.attacker.example:${port}`, `127.evil.example.com:${port}`, 'attacker.example']) {
      expect((await raw('GET', '/api/summary', { host })).status, host).toBe(403);
      expect((await raw('POST', '/api/ingest', { host, 'content-type': 'application/json' }, JSON.stringify({ events: [pushed('rebind')] }))).status, host).toBe(403);
    }
    expect((await raw('GET', '/api/summary', { host: `localhost:${port}` })).status).toBe(200);
  });
});

describe('requests a browser marks as another site\'s', () => {
  const ingest = JSON.stringify({ events: [pushed('cross')] });
  const reading = JSON.stringify({ session_id: 'x', rate_limits: { five_hour: { used_percentage: 99, resets_at: Math.floor(Date.now() / 1000) + 3600 } } });

  it('refuses them on every state-changing endpoint, OTLP and the proxy included', async () => {
    const before = await stored();
    const cases: Array<[string, Record<string, string>]> = [
      ['an Origin of another site', { origin: 'http://attacker.example' }],
      ['an Origin of another port on this machine', { origin: 'http://localhost:1' }],
      ['an opaque Origin', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }],
      ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }],
    ];
    for (const [what, h] of cases) {
      const headers = { 'content-type': 'application/json', ...h };
      expect((await raw('POST', '/api/ingest', headers, ingest)).status, what).toBe(403);
      expect((await raw('POST', '/api/statusline', headers, reading)).status, what).toBe(403);
      expect((await raw('POST', '/v1/logs', headers, '{}')).status, what).toBe(403);
      expect((await raw('POST', '/anthropic/v1/messages', headers, '{}')).status, what).toBe(403);
      expect((await raw('GET', '/api/summary', h)).status, what).toBe(403);
    }
    expect(await stored()).toBe(before);
  });

  it('takes JSON only where state changes: a form or no-cors fetch cannot send it', async () => {
    const r = await raw('POST', '/api/ingest', { 'content-type': 'text/plain' }, ingest);
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body).error).toMatch(/Content-Type "text\/plain" is not application\/json/);
    expect((await raw('POST', '/api/statusline', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1')).status).toBe(415);
    expect((await raw('POST', '/api/statusline', {}, reading)).status).toBe(415);
  });

  it('still serves the daemon\'s own page, links to it, and programs that are not browsers', async () => {
    expect((await raw('GET', '/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status).toBe(200);
    expect((await raw('GET', '/api/summary', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).status).toBe(200);
    const own = await raw('POST', '/api/ingest', { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` }, JSON.stringify({ events: [pushed('own-page')] }));
    expect(own.status).toBe(200);
    const tool = await raw('POST', '/api/ingest', { 'content-type': 'application/json' }, JSON.stringify({ events: [pushed('cli')] }));
    expect(JSON.parse(tool.body)).toEqual({ stored: 1, rejected: [] });
  });

  it('judges Origin against the Host the request names', () => {
    const g = new Guard({ bindHost: '127.0.0.1', token: undefined });
    const post = (origin: string, host = 'localhost:4318') => g.check({ method: 'POST', hostHeader: host, origin, remoteAddress: '127.0.0.1', authorization: undefined, otlp: false }).ok;
    expect(post('http://localhost:4318')).toBe(true);
    expect(post('http://LOCALHOST:4318')).toBe(true);
    expect(post('http://localhost:4319')).toBe(false);
    expect(post('https://localhost:4318')).toBe(false);
    expect(post('http://127.0.0.1:4318')).toBe(false);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('a page of another site in a real browser', () => {
  let browser: Browser;
  let attacker: Server;
  let attackerPort: number;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    // Everything a page can send without a preflight: no-cors fetches with text/plain bodies, a form post, a beacon.
    const page = (target: string) => `<!doctype html><form id=f method=POST action="${target}/api/ingest" enctype="text/plain" target=sink>
      <input name='{"events":[${JSON.stringify(pushed('form')).slice(1, -1)},"x":"' value='"}]}'></form><iframe name=sink></iframe>
      <script>
      (async () => {
        const t = ${JSON.stringify(target)};
        const body = ${JSON.stringify(JSON.stringify({ events: [pushed('no-cors')] }))};
        const reading = ${JSON.stringify(JSON.stringify({ session_id: 'x', rate_limits: { five_hour: { used_percentage: 99, resets_at: 4102444800 } } }))};
        const tries = [
          fetch(t + '/api/ingest', { method: 'POST', mode: 'no-cors', body }),
          fetch(t + '/api/ingest', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/json' }, body }),
          fetch(t + '/api/statusline', { method: 'POST', mode: 'no-cors', body: reading }),
          fetch(t + '/v1/logs', { method: 'POST', mode: 'no-cors', body: '{}' }),
          fetch(t + '/api/summary').then((r) => r.text()),
        ].map((p) => p.then(() => 'sent', (e) => 'blocked'));
        navigator.sendBeacon(t + '/api/ingest', body);
        document.getElementById('f').submit();
        document.title = (await Promise.all(tries)).join(',');
      })();
      </script>`;
    attacker = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page(`http://127.0.0.1:${port}`)));
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerPort = (attacker.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => attacker?.close(r));
  });

  for (const [what, host] of [['another site (localhost)', 'localhost'], ['another port of 127.0.0.1 (same site)', '127.0.0.1']] as const) {
    it(`stores nothing a page of ${what} sends, and lets it read nothing`, async () => {
      const before = await stored();
      const seen: string[] = [];
      const tab = await browser.newPage();
      tab.on('request', (r) => r.url().includes(`:${port}/`) && seen.push(r.url()));
      await tab.goto(`http://${host}:${attackerPort}/`);
      // The page finishes its tries: the no-cors ones "succeed" (opaque), reading the summary is blocked.
      await tab.waitForFunction(() => document.title.includes(','));
      expect((await tab.title()).split(',')).toEqual(['sent', 'sent', 'sent', 'sent', 'blocked']);
      await tab.waitForTimeout(300); // the beacon and the form post, which report nothing back to the page
      await tab.close();
      expect(seen.filter((u) => u.endsWith('/api/ingest')).length).toBeGreaterThanOrEqual(3);
      await d.daemon.settleNow();
      expect(await stored()).toBe(before);
      // No official reading was planted: the window is still our own estimate.
      expect((await d.json('/api/summary')).limit?.source).not.toBe('official');
      expect(d.daemon['store'].db.prepare('SELECT COUNT(*) AS n FROM limit_readings').get()).toEqual({ n: 0 });
    });
  }
});
