// Budgets through the built CLI and the daemon: `budget set|list|remove` edit the config without touching the rest of
// it and refuse what would break it, and list, /api/budgets and /metrics show each one's use this period.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';
import { parseBudgets } from '../../src/core/budgets.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
let d: TestDaemon | undefined;
beforeEach(() => (dir = tempDir()));
afterEach(async () => {
  await d?.stop();
  d = undefined;
  dir.cleanup();
});

/** A request today (UTC) costing $0.45 at the database's Sonnet 4.5 prices. */
function todaysRequest(projects: string, id: string): void {
  const startOfToday = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  const ts = new Date(Math.max(Date.now() - 60_000, startOfToday + 1000)).toISOString();
  mkdirSync(join(projects, '-srv-app'), { recursive: true });
  writeFileSync(join(projects, '-srv-app', `${id}.jsonl`), `${assistantLine({ messageId: `msg_${id}`, requestId: `req_${id}`, model: 'claude-sonnet-4-5-20250929', input: 100_000, output: 10_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: ts })}\n`);
}

describe('tokenmeter budget', () => {
  it('sets, lists and removes budgets, keeping the rest of the config, and shows their use today', () => {
    const home = join(dir.path, 'tm');
    const claude = join(dir.path, 'claude');
    todaysRequest(join(claude, 'projects'), 'a');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'config.json'), JSON.stringify({ plan: 'max5', statusline: { format: '{cost}' } }, null, 2));
    const env = { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: claude, TOKENMETER_HOME: home, TZ: 'UTC' };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'budget', ...args], { env, encoding: 'utf8' });

    expect(run('set', 'daily', '--period', 'day', '--usd', '0.5', '--enforce').stdout).toBe(`added budget daily in ${join(home, 'config.json')}\n`);
    expect(run('set', 'tokens', '--period', 'week', '--tokens', '1000000', '--tool', 'claude-code', '--alert-at', '50,90').status).toBe(0);
    expect(run('set', 'daily', '--period', 'day', '--usd', '0.4', '--enforce').stdout).toContain('changed budget daily');
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
    expect(config).toEqual({
      plan: 'max5', statusline: { format: '{cost}' },
      budgets: [{ name: 'tokens', period: 'week', tokens: 1_000_000, tool: 'claude-code', alertAt: [50, 90] }, { name: 'daily', period: 'day', usd: 0.4, enforce: true }],
    });
    // What would break the config is refused, and the file stays as it was.
    const refused = run('set', 'bad', '--period', 'month', '--percent', '50');
    expect([refused.status, refused.stderr.trim()]).toEqual([2, 'tokenmeter: budget bad.percent is a share of the official 5-hour or weekly window: use period 5h or week']);
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))).toEqual(config);

    const listed = JSON.parse(run('list', '--json').stdout) as { budgets: Array<{ name: string; usd: number; tokens: number; ratio: number; spent: boolean; start: string }> };
    expect(listed.budgets.map((b) => [b.name, b.usd, b.tokens, b.spent])).toEqual([['tokens', 0.45, 110_000, false], ['daily', 0.45, 110_000, true]]);
    expect(listed.budgets[1]!.ratio).toBeCloseTo(0.45 / 0.4, 9);
    expect(listed.budgets[1]!.start).toBe(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
    expect(run('list').stdout).toMatch(/^tokens \(week, tool claude-code\): 11%: 110,000 of 1,000,000 tokens, until .* UTC\ndaily \(day, enforced\): SPENT: \$0\.45 of \$0\.40, until .* UTC\n$/);

    // The status line's {budget}: the most used budget that covers the session.
    const line = spawnSync(process.execPath, [CLI, 'statusline', '--format', '{budget}', '--no-emoji', '--no-color'], {
      env: { ...env, TOKENMETER_STATUSLINE_BUDGET_MS: '60000' }, encoding: 'utf8',
      input: JSON.stringify({ session_id: 'a', transcript_path: join(claude, 'projects', '-srv-app', 'a.jsonl'), cwd: '/srv/app', model: { id: 'claude-sonnet-4-5-20250929' } }),
    });
    expect(line.stdout.trim()).toBe('daily spent');

    expect(run('remove', 'tokens').stdout).toContain('removed budget tokens');
    const gone = run('remove', 'tokens');
    expect([gone.status, gone.stderr]).toEqual([2, `tokenmeter: no budget named "tokens" in ${join(home, 'config.json')} (tokenmeter budget list shows them)\n`]);
    expect(parseBudgets(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')).budgets, 'c').map((b) => b.name)).toEqual(['daily']);
  });

  it('are served by the daemon on /api/budgets and /metrics, as the config says now', async () => {
    let budgets = parseBudgets([{ name: 'daily', period: 'day', usd: 0.9 }], 'c');
    d = await startTestDaemon({ budgets: () => budgets, beforeStart: (userHome) => todaysRequest(join(userHome, 'claude', 'projects'), 'b') });
    const api = await d.json<{ budgets: Array<{ name: string; usd: number; ratio: number }> }>('/api/budgets');
    expect(api.budgets.map((b) => [b.name, b.usd, b.ratio])).toEqual([['daily', 0.45, 0.5]]);
    expect(await (await d.get('/metrics')).text()).toMatch(/^tokenmeter_budget_used_ratio\{budget="daily",period="day"\} 0\.5$/m);
    budgets = parseBudgets([{ name: 'small', period: 'day', usd: 0.45 }], 'c');
    expect((await d.json<{ budgets: Array<{ name: string; spent: boolean }> }>('/api/budgets')).budgets).toMatchObject([{ name: 'small', spent: true }]);
  });
});
