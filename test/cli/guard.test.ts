// tokenmeter guard as Claude Code runs it (hook JSON on stdin, the built CLI): an enforced budget in scope that is
// spent stops the prompt with exit 2 and one line saying why; anything else, including tokenmeter's own failures,
// lets it through. setup --guard puts it into settings.json and --remove takes it out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon } from '../helpers/daemon.js';
import { parseBudgets } from '../../src/core/budgets.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

describe('tokenmeter guard', () => {
  it('stops a prompt once an enforced budget in scope is spent, and lets everything else through', () => {
    const home = join(dir.path, 'tm');
    const claude = join(dir.path, 'claude');
    const startOfToday = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    const ts = new Date(Math.max(Date.now() - 60_000, startOfToday + 1000)).toISOString();
    mkdirSync(join(claude, 'projects', '-srv-app'), { recursive: true });
    // $0.45 today at the database's Sonnet 4.5 prices.
    writeFileSync(join(claude, 'projects', '-srv-app', 's.jsonl'), `${assistantLine({ messageId: 'msg_g', requestId: 'req_g', model: 'claude-sonnet-4-5-20250929', input: 100_000, output: 10_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: ts })}\n`);
    mkdirSync(home, { recursive: true });
    const env = { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: claude, TOKENMETER_HOME: home, TZ: 'UTC' };
    const config = (budgets: unknown) => writeFileSync(join(home, 'config.json'), JSON.stringify({ budgets }));
    const hook = { session_id: 's', transcript_path: join(claude, 'projects', '-srv-app', 's.jsonl'), cwd: '/srv/app', hook_event_name: 'UserPromptSubmit', prompt: '[prompt]' };
    const guard = (input: object = hook) => spawnSync(process.execPath, [CLI, 'guard'], { env, input: JSON.stringify(input), encoding: 'utf8' });

    expect([guard().status, guard().stderr]).toEqual([0, '']); // no budgets at all
    config([{ name: 'daily', period: 'day', usd: 0.4 }]);
    expect(guard().status).toBe(0); // spent, but not enforced: alerts are for that
    config([{ name: 'daily', period: 'day', usd: 0.4, enforce: true }]);
    const stopped = guard();
    expect(stopped.status).toBe(2);
    expect(stopped.stderr).toMatch(/^tokenmeter: budget "daily" is spent: \$0\.45 of \$0\.40 today \(until .*\)\. Raise it with `tokenmeter budget set daily …` or remove it with `tokenmeter budget remove daily`\.\n$/);
    // Also before each tool call of a long run.
    expect(guard({ ...hook, hook_event_name: 'PreToolUse', tool_name: 'Bash' }).status).toBe(2);
    // Out of scope: another project, another tool, or room left.
    config([{ name: 'web', period: 'day', usd: 0.4, enforce: true, project: '/srv/web' }, { name: 'codex', period: 'day', usd: 0.1, enforce: true, tool: 'codex' }, { name: 'big', period: 'day', usd: 5, enforce: true }]);
    expect(guard().status).toBe(0);
    // tokenmeter's own trouble never stops the user: a broken config, or hook input that is not JSON.
    writeFileSync(join(home, 'config.json'), '{"budgets": [');
    const broken = guard();
    expect([broken.status, broken.stderr]).toEqual([0, expect.stringMatching(/^tokenmeter guard: .*config\.json: not valid JSON.*\(the prompt goes through\)\n$/)]);
    config([{ name: 'daily', period: 'day', usd: 0.4, enforce: true }]);
    const garbled = spawnSync(process.execPath, [CLI, 'guard'], { env, input: 'not json', encoding: 'utf8' });
    expect(garbled.status).toBe(0);
    expect(garbled.stderr).toContain('(the prompt goes through)');
  });

  it('asks a running daemon for the budgets’ use, and reads the index when the daemon does not know them', async () => {
    const raw = [{ name: 'daily', period: 'day', usd: 0.4, enforce: true }];
    const d = await startTestDaemon({
      budgets: () => parseBudgets(raw, 'c'),
      beforeStart: (home) => {
        mkdirSync(join(home, 'claude', 'projects', '-srv-app'), { recursive: true });
        writeFileSync(join(home, 'claude', 'projects', '-srv-app', 's.jsonl'), `${assistantLine({ messageId: 'msg_d', requestId: 'req_d', model: 'claude-sonnet-4-5-20250929', input: 100_000, output: 10_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: new Date(Math.max(Date.now() - 60_000, Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 1000)).toISOString() })}\n`);
      },
    });
    try {
      const config = join(dir.path, 'config.json');
      writeFileSync(config, JSON.stringify({ budgets: raw }));
      const env = { PATH: process.env.PATH, HOME: d.userHome, CLAUDE_CONFIG_DIR: d.claudeDir, TOKENMETER_HOME: d.home, TOKENMETER_CONFIG: config, TZ: 'UTC' };
      const guard = () => spawnSync(process.execPath, [CLI, 'guard'], { env, input: JSON.stringify({ cwd: '/srv/app', hook_event_name: 'UserPromptSubmit' }), encoding: 'utf8' });
      const r = guard();
      expect([r.status, r.stderr]).toEqual([2, expect.stringContaining('budget "daily" is spent: $0.45 of $0.40 today')]);
      // A budget the daemon's config does not have: the guard reads the index itself and still stops.
      writeFileSync(config, JSON.stringify({ budgets: [{ name: 'other', period: 'day', usd: 0.1, enforce: true }] }));
      expect(guard().stderr).toContain('budget "other" is spent');
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('is put into Claude Code’s settings by setup --guard, and taken out by --remove', () => {
    const claude = join(dir.path, 'claude');
    mkdirSync(claude, { recursive: true });
    writeFileSync(join(claude, 'settings.json'), JSON.stringify({ model: 'opus', hooks: { UserPromptSubmit: [{ matcher: '', hooks: [{ type: 'command', command: 'my-own-check' }] }] } }));
    const env = { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: claude, TOKENMETER_HOME: join(dir.path, 'tm') };
    const setup = (...args: string[]) => spawnSync(process.execPath, [CLI, 'setup', 'claude-code', ...args], { env, encoding: 'utf8' });
    expect(setup('--guard').status).toBe(0);
    expect(setup('--guard').stdout).toContain('already has it');
    const settings = JSON.parse(readFileSync(join(claude, 'settings.json'), 'utf8'));
    const commands = (event: string, s = settings) => (s.hooks?.[event] ?? []).flatMap((g: { hooks: Array<{ command: string }> }) => g.hooks.map((h) => h.command));
    expect(commands('UserPromptSubmit')).toEqual(['my-own-check', expect.stringMatching(/cli\.js" guard$|cli\.js guard$/)]);
    expect(commands('PreToolUse')).toEqual([expect.stringMatching(/ guard$/)]);
    expect(settings.model).toBe('opus');
    expect(setup('--remove').status).toBe(0);
    const after = JSON.parse(readFileSync(join(claude, 'settings.json'), 'utf8'));
    expect([commands('UserPromptSubmit', after), commands('PreToolUse', after)]).toEqual([['my-own-check'], []]);
  });
});
