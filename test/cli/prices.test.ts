// The user's own prices and aliases (config "prices", "aliases") through the built CLI: they win over the price
// database, changing them re-prices what is stored, `tokenmeter prices` says where a price comes from, and a bad
// entry is said with its place.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

describe('your own prices', () => {
  it('win over the database, re-price what is stored when they change, and prices says where a price comes from', () => {
    const home = join(dir.path, 'tm');
    const claude = join(dir.path, 'claude');
    mkdirSync(join(claude, 'projects', '-srv-app'), { recursive: true });
    const ts = '2026-11-30T10:00:00.000Z';
    writeFileSync(join(claude, 'projects', '-srv-app', 's1.jsonl'), [
      assistantLine({ messageId: 'msg_1', requestId: 'req_1', model: 'claude-sonnet-4-5-20250929', input: 100_000, output: 10_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: ts }),
      assistantLine({ messageId: 'msg_2', requestId: 'req_2', model: 'corp-gateway/sonnet', input: 100_000, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: ts }),
      assistantLine({ messageId: 'msg_3', requestId: 'req_3', model: 'my-local-llama', input: 2_000_000, output: 1_000_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: ts }),
    ].join('\n') + '\n');
    const env = { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: claude, TOKENMETER_HOME: home, TZ: 'UTC' };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
    const costs = () => {
      const r = JSON.parse(run('daily', '--json', '--breakdown').stdout) as { daily: Array<{ modelBreakdowns: Array<{ modelName: string; cost: number }> }> };
      return Object.fromEntries(r.daily[0]!.modelBreakdowns.map((b) => [b.modelName, b.cost]));
    };
    // The database: Sonnet 4.5 at $3 / $15 (under its long-context tier); the other two unknown to it.
    expect(costs()).toEqual({ 'claude-sonnet-4-5-20250929': 0.45, 'corp-gateway/sonnet': 0, 'my-local-llama': 0 });
    expect(run('prices').stdout).toMatch(/models in the index without a price[^\n]*\n {2}(corp-gateway\/sonnet|my-local-llama) \(1 requests\)\n {2}(corp-gateway\/sonnet|my-local-llama) \(1 requests\)/);

    writeFileSync(join(home, 'config.json'), JSON.stringify({
      prices: { 'claude-sonnet-4-5*': { input: 2, output: 10 }, 'my-local-*': { input: 0.1, output: 0.2 } },
      aliases: { 'corp-gateway/sonnet': 'claude-sonnet-4-5' },
    }));
    // Stored costs follow: the dated name matches the glob, the gateway's name is priced as the model it stands for.
    expect(costs()).toEqual({ 'claude-sonnet-4-5-20250929': 0.3, 'corp-gateway/sonnet': 0.2, 'my-local-llama': 0.4 });
    expect(run('prices', 'corp-gateway/sonnet').stdout).toContain('corp-gateway/sonnet (an alias of claude-sonnet-4-5): your price for "claude-sonnet-4-5*"');
    expect(run('prices', 'gpt-5').stdout).toMatch(/^gpt-5: the price database's gpt-5 \(genai-prices@/);
    expect(run('prices').stdout).toContain('every model in the index has a price');

    // Taken away again: the database's prices come back.
    rmSync(join(home, 'config.json'));
    expect(costs()).toEqual({ 'claude-sonnet-4-5-20250929': 0.45, 'corp-gateway/sonnet': 0, 'my-local-llama': 0 });
  });

  it('that are not prices are said with where they are, and nothing runs', () => {
    const home = join(dir.path, 'tm');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'config.json'), JSON.stringify({ prices: { 'my-model': { input: 1, outptu: 2 } } }));
    const r = spawnSync(process.execPath, [CLI, 'daily'], { env: { PATH: process.env.PATH, HOME: dir.path, TOKENMETER_HOME: home }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(home, 'config.json')}: prices["my-model"]: unknown field outptu (expected input, output, cacheRead, cacheWrite5m, cacheWrite1h)`);
  });
});
