// tokenmeter inside the real Claude Code (CLAUDE_BIN=…/claude; skipped without it), run headless against the loopback
// stand-in of the Anthropic API: an enforced budget that is spent stops `claude -p` before any request is sent, with
// the guard's reason, and once the budget has room again the prompt goes through; `tokenmeter mcp`, registered the
// way `setup claude-code --mcp` says, is listed by Claude Code as connected.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the recorder
import { workspace } from '../fixtures/claude-code/recording.mjs';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const bin = process.env.CLAUDE_BIN;

function claude(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(bin!, args, { ...opts, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
    child.stdin?.end();
  });
}

describe.skipIf(!bin)('the guard in the real Claude Code', () => {
  it('stops claude -p while an enforced budget is spent, and lets it through once there is room', async () => {
    const { tmp, work, api, env: base } = await workspace();
    try {
      const env = { ...base, TOKENMETER_HOME: join(tmp, 'tm'), TZ: 'UTC', DISABLE_TELEMETRY: '1' };
      const tm = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env });
      // One prompt with no guard yet: the stand-in's answers cost something today.
      expect((await claude(['-p', 'say hello'], { cwd: work, env })).code).toBe(0);
      const sent = api.log.length;
      expect(sent).toBeGreaterThan(0);
      await tm('setup', 'claude-code', '--guard');
      await tm('budget', 'set', 'daily', '--period', 'day', '--usd', '0.000001', '--enforce');
      const stopped = await claude(['-p', 'say hello again'], { cwd: work, env });
      expect(stopped.out).toContain('tokenmeter: budget "daily" is spent');
      expect(api.log.length).toBe(sent); // nothing reached the API
      await tm('budget', 'set', 'daily', '--period', 'day', '--usd', '1000', '--enforce');
      const through = await claude(['-p', 'and once more'], { cwd: work, env });
      expect(through.code).toBe(0);
      expect(api.log.length).toBeGreaterThan(sent);
    } finally {
      await api.close?.();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);

  it('lists tokenmeter mcp as a connected MCP server', async () => {
    const { tmp, env: base, api } = await workspace();
    try {
      const env = { ...base, TOKENMETER_HOME: join(tmp, 'tm') };
      const setup = await promisify(execFile)(process.execPath, [CLI, 'setup', 'claude-code', '--mcp'], { env });
      const add = setup.stdout.split('\n').find((l) => l.startsWith('claude mcp add'))!;
      const args = add.split(' ').slice(1); // as printed: mcp add --scope user tokenmeter -- <node> <cli> mcp
      expect((await claude(args, { cwd: tmp, env })).code).toBe(0);
      const list = await claude(['mcp', 'list'], { cwd: tmp, env });
      expect(list.out).toMatch(/tokenmeter: .* mcp - ✔ Connected/);
    } finally {
      await api.close?.();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
