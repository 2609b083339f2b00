// The command line's own manners: help where help is asked for, and the command meant when one is mistyped.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, TOKENMETER_HOME: '/nonexistent/tokenmeter-home' } });

describe('the command line', () => {
  it('prints help for statusline --help instead of a status line', () => {
    const r = run('statusline', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tokenmeter statusline \[options\]/);
    expect(r.stdout).toContain('{context}');
  });

  it('names the command meant by a mistyped one, and exits 2', () => {
    for (const [typed, meant] of [['dialy', 'daily'], ['sesion', 'session'], ['mothly', 'monthly'], ['servre', 'serve']]) {
      const r = run(typed!);
      expect(r.status, typed).toBe(2);
      expect(r.stderr).toBe(`tokenmeter: unknown command "${typed}" — did you mean "${meant}"? (tokenmeter --help lists them)\n`);
    }
    expect(run('foo').stderr).toBe('tokenmeter: unknown command "foo" (tokenmeter --help lists them)\n');
  });
});
