// The dashboard in a real browser (Debian's Chromium through playwright-core), served by a daemon on a temporary home.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS } from '../../src/sources/registry.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine } from '../helpers/transcript.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const SESSION = '99999999-9999-4999-8999-999999999999';
let d: TestDaemon;
let browser: Browser;
let page: Page;
let file: string;

const line = (id: string, minutesAgo: number, model: string, output: number) =>
  assistantLine({ sessionId: SESSION, messageId: `msg_${id}`, requestId: `req_${id}`, timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(), model, input: 100, output, cacheRead: 1000, cacheWrite5m: 0 });

const thousands = (v: number) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

describe.skipIf(!existsSync(CHROMIUM))('dashboard', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    d = await startTestDaemon();
    file = join(d.projectDir, `${SESSION}.jsonl`);
    writeFileSync(file, [line('a', 8, 'claude-sonnet-4-5-20250929', 500), line('b', 3, 'claude-haiku-4-5', 250), line('c', 1, 'claude-sonnet-4-5-20250929', 750)].join('\n') + '\n');
    d.daemon['schedule']({ kind: 'sweep' });
    await d.daemon.idle();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('draws the live chart and the history with the right totals, under a strict CSP, without errors', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const res = await page.goto(d.url);
    expect(res!.headers()['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    await page.waitForSelector('#connection.live');
    await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 2);
    const summary = await d.json('/api/summary');
    // 3 requests: 300 input, 1,500 output, 3,000 cache read.
    expect(summary.today.totalTokens).toBe(4800);
    await expect.poll(() => page.textContent('#today-tokens')).toBe(`${thousands(4800)} tokens`);
    expect(await page.textContent('#session-tokens')).toBe('4,800 tokens');
    const live = await page.evaluate(() => (window as any).tokenmeter.debug.liveTotal);
    expect(live).toBe(4800);
    expect(await page.locator('#breakdown tbody tr').count()).toBe(2);
    expect(await page.isHidden('#empty')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-light.png'), fullPage: true });
    await page.click('#theme');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-dark.png'), fullPage: true });
    await page.click('#theme');
    expect(errors).toEqual([]);
  }, 30_000);

  // How fast is the views benchmark's to measure; here, that it arrives (the bound only stops a hang).
  it('shows an appended request on the live chart and in the totals', async () => {
    appendFileSync(file, `${line('d', 0, 'claude-haiku-4-5', 4000)}\n`);
    await page.waitForFunction(() => (window as any).tokenmeter.debug.liveTotal === 4800 + 5100, undefined, { timeout: 20_000 });
    await expect.poll(() => page.textContent('#today-tokens'), { timeout: 20_000 }).toBe('9,900 tokens');
  }, 45_000);

  it('filters by model, and keeps the filter in the URL', async () => {
    await page.selectOption('select[name="model"]', 'claude-haiku-4-5');
    await expect.poll(() => page.url()).toContain('model=claude-haiku-4-5');
    await expect.poll(() => page.locator('#breakdown tbody tr').count()).toBe(1);
    expect(await page.textContent('#breakdown tbody tr td')).toBe('claude-haiku-4-5');
    // The page opened with the filter in its URL comes up filtered.
    const other = await browser.newPage();
    await other.goto(`${d.url}/?model=claude-haiku-4-5&by=project&tz=utc`);
    await other.waitForSelector('#connection.live');
    await expect.poll(() => other.locator('#breakdown tbody tr').count()).toBe(1);
    expect(await other.inputValue('select[name="model"]')).toBe('claude-haiku-4-5');
    expect(await other.textContent('#tz')).toBe('UTC');
    await other.close();
  }, 15_000);

  it('reads right: one header line at 1400 px, legends without placeholders, axes from zero, money with "?" where unpriced', async () => {
    // A request of a model with no price: its cost is unknown, so money reads as a lower bound.
    appendFileSync(file, `${line('u', 1, 'acme-model-9000', 100)}\n`);
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await p.goto(`${d.url}/?by=model`);
      await p.waitForSelector('#connection.live');
      // The header is one line at a laptop's width.
      const header = await p.locator('header').boundingBox();
      expect(header!.height).toBeLessThan(60);
      // Legends name the series; values (and "Time: –") only while the cursor is on a chart.
      await expect.poll(() => p.locator('.uplot.idle').count()).toBe(2);
      expect(await p.locator('.uplot.idle .u-legend .u-value').first().isVisible()).toBe(false);
      const live = await p.locator('#live-chart').boundingBox();
      await p.mouse.move(live!.x + live!.width / 2, live!.y + 100);
      await expect.poll(() => p.locator('#live-chart .uplot.idle').count()).toBe(0);
      await p.mouse.move(0, 0);
      await expect.poll(() => p.locator('#breakdown tbody tr', { hasText: 'acme-model-9000' }).locator('td').nth(7).textContent()).toBe('$0.00?');
      expect(await p.textContent('#today-cost')).toMatch(/^\$[\d.]+\? · /);
      // The cost axis starts at zero and its labels differ.
      await p.click('#hist-metric button[data-m="cost"]');
      await expect.poll(() => p.url()).toContain('metric=cost');
      await expect.poll(() => p.evaluate(() => (window as any).tokenmeter.debug.histLabels[0])).toMatch(/^\$0(\.0+)?$/);
      const labels: string[] = await p.evaluate(() => (window as any).tokenmeter.debug.histLabels);
      expect(labels.length).toBeGreaterThan(2);
      expect(new Set(labels).size).toBe(labels.length);
      // Theme and sort live in the URL like every other choice.
      await p.click('#theme');
      await expect.poll(() => p.url()).toMatch(/theme=(dark|light)/);
      await p.click('#breakdown th:nth-child(2)');
      await expect.poll(() => p.url()).toContain('sort=requests');
      const again = await browser.newPage();
      await again.goto(p.url());
      await again.waitForSelector('#connection.live');
      expect(await again.evaluate(() => document.documentElement.dataset.theme)).toBe(await p.evaluate(() => document.documentElement.dataset.theme));
      expect(await again.getAttribute('#breakdown th:nth-child(2)', 'aria-sort')).toBe('descending');
      await again.close();
      await p.screenshot({ path: join(ARTIFACTS, 'dashboard-cost-1400.png'), fullPage: true });
    } finally {
      await p.close();
    }
  }, 45_000);

  it('follows the tool filter in its cards', async () => {
    const p = await browser.newPage();
    try {
      await p.goto(`${d.url}/?tool=codex`);
      await p.waitForSelector('#connection.live');
      await expect.poll(() => p.textContent('#today-tokens')).toBe('0 tokens');
      expect(await p.textContent('#session-cost')).toBe('no recent session');
    } finally {
      await p.close();
    }
  }, 30_000);

  it('shows each budget’s use, and an alert at the top when one is crossed', async () => {
    const { parseBudgets } = await import('../../src/core/budgets.js');
    const budgeted = await startTestDaemon({
      budgets: () => parseBudgets([{ name: 'daily', period: 'day', usd: 0.000001, enforce: true }, { name: 'roomy', period: 'week', tokens: 1e9 }], 'c'),
      alertEveryMs: 3_600_000,
      beforeStart: (home) => {
        mkdirSync(join(home, 'claude', 'projects', '-home-ana-api'), { recursive: true });
        writeFileSync(join(home, 'claude', 'projects', '-home-ana-api', 's.jsonl'), `${line('z', 2, 'claude-sonnet-4-5-20250929', 500)}\n`);
      },
    });
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await p.goto(budgeted.url);
      await p.waitForSelector('#connection.live');
      await expect.poll(() => p.isVisible('#budgets-card')).toBe(true);
      const items = await p.$$eval('#budgets li', (lis) => lis.map((li) => li.textContent));
      expect(items).toEqual([expect.stringMatching(/^daily \(day, enforced\): spent · \$0\.0\d+ of \$0\.00$/), expect.stringMatching(/^roomy \(week\): 0% · 1,6\d\d of 1,000,000,000 tokens$/)]);
      expect(await p.$eval('#budgets li .gauge-bar', (el) => el.classList.contains('over'))).toBe(true);
      await budgeted.daemon.checkAlerts();
      await expect.poll(() => p.textContent('#alerts .alert')).toMatch(/^budget "daily" is at \d+% today .*the guard now stops new prompts×$/);
      await p.screenshot({ path: join(ARTIFACTS, 'dashboard-budgets.png') });
    } finally {
      await p.close();
      await budgeted.stop();
    }
  }, 60_000);

  it('opens on a daemon with a token: the address serve prints trades it for a session cookie and drops it', async () => {
    const token = 'dash-t0ken-42';
    const guarded = await startTestDaemon({ token });
    const context = await browser.newContext();
    const p = await context.newPage();
    try {
      writeFileSync(join(guarded.projectDir, `${SESSION}.jsonl`), `${line('t1', 2, 'claude-sonnet-4-5-20250929', 900)}\n`);
      guarded.daemon['schedule']({ kind: 'sweep' });
      await guarded.daemon.idle();
      // Without the token in its address the page says what it needs.
      await p.goto(`${guarded.url}/`);
      await expect.poll(() => p.textContent('#connection')).toMatch(/asks for its token/);
      // With it: figures, no token left in the address bar, and a cookie no script can read and no other site sends.
      await p.goto('about:blank'); // a fresh load, as a user opening the printed address (not a fragment change)
      await p.goto(`${guarded.url}/#token=${token}`);
      await p.waitForSelector('#connection.live');
      await expect.poll(() => p.textContent('#today-tokens')).toBe('2,000 tokens');
      expect(p.url()).toBe(`${guarded.url}/`);
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'tokenmeter_session', httpOnly: true, sameSite: 'Strict' });
      expect(cookie!.value).not.toContain(token);
      // Reloaded, the session still opens it; scripts keep using the bearer header; a wrong token gets nothing.
      await p.reload();
      await p.waitForSelector('#connection.live');
      expect((await fetch(`${guarded.url}/api/summary`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${guarded.url}/api/summary`)).status).toBe(401);
      const wrong = await fetch(`${guarded.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' });
      expect([wrong.status, wrong.headers.get('set-cookie')]).toEqual([401, null]);
    } finally {
      await context.close();
      await guarded.stop();
    }
  }, 45_000);

  it('says how to get data in when there is none, and when the daemon goes away', async () => {
    const empty = await startTestDaemon();
    const p = await browser.newPage({ viewport: { width: 400, height: 800 } }); // a phone
    try {
      await p.goto(empty.url);
      await p.waitForSelector('#connection.live');
      await expect.poll(() => p.isVisible('#empty')).toBe(true);
      // Every way usage gets in is named: each registered agent with where its logs are read from, then the rest.
      await expect.poll(() => p.locator('#empty-agents li').count()).toBe(AGENTS.length);
      const agents = await p.locator('#empty-agents li').allTextContents();
      expect(agents.map((a) => a.split(':')[0])).toEqual(AGENTS.map((a) => a.name));
      expect(agents[1]).toContain('~/.codex}/sessions/');
      for (const source of ['the proxy', 'OpenTelemetry', 'tokenmeter ingest', 'statusline']) expect(await p.textContent('#empty')).toContain(source);
      await p.screenshot({ path: join(ARTIFACTS, 'dashboard-empty-phone.png'), fullPage: true });
      await empty.stop();
      await p.waitForSelector('#connection.down', { timeout: 10_000 });
      expect(await p.textContent('#connection')).toBe('disconnected, retrying…');
    } finally {
      await p.close();
    }
  }, 30_000);
});
