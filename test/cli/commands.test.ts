// The command line's own manners: help where help is asked for, and the command meant when one is mistyped.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let home: ReturnType<typeof tempDir>;
beforeAll(() => {
  home = tempDir();
});
afterAll(() => home?.cleanup());

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], {
  encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home.path, CLAUDE_CONFIG_DIR: join(home.path, 'claude'), TOKENMETER_HOME: join(home.path, 'tm') },
});

describe('the command line', () => {
  it('prints help for statusline --help instead of a status line', () => {
    const r = run('statusline', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tokenmeter statusline \[options\]/);
    expect(r.stdout).toContain('{context}');
  });

  it('answers --help from the help the build kept, word for word what the command parser says', () => {
    const kept = JSON.parse(readFileSync(join(cli, '..', 'help.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(kept)).toEqual(expect.arrayContaining(['', 'daily', 'statusline', 'serve', 'budget', 'doctor']));
    for (const command of Object.keys(kept)) {
      const asked = command ? run(command, '--help') : run('--help');
      // `help <command>` always goes through the parser.
      const parsed = command ? run('help', command) : run('help');
      expect(asked.status, command).toBe(0);
      expect(asked.stdout, command).toBe(kept[command]);
      expect(asked.stdout, command).toBe(parsed.stdout);
    }
  });

  it('names the command meant by a mistyped one, and exits 2', () => {
    for (const [typed, meant] of [['dialy', 'daily'], ['sesion', 'session'], ['mothly', 'monthly'], ['servre', 'serve']]) {
      const r = run(typed!);
      expect(r.status, typed).toBe(2);
      expect(r.stderr).toBe(`tokenmeter: unknown command "${typed}" — did you mean "${meant}"? (tokenmeter --help lists them)\n`);
    }
    expect(run('foo').stderr).toBe('tokenmeter: unknown command "foo" (tokenmeter --help lists them)\n');
  });

  it('says what to type for the recommended set-up, and what is wrong with a setup target, once', () => {
    const nothing = run('setup', 'claude-code', '--dry-run');
    expect(nothing.stdout).toContain('tokenmeter setup claude-code --statusline --hooks');
    const bad = run('setup', 'foo');
    expect([bad.status, bad.stderr]).toEqual([2, 'tokenmeter: setup: expected claude-code or api, not "foo"\n']);
  });

  it('refuses a --store URL PostgreSQL turns away (no such user or database), rather than calling it an outage', () => {
    for (const url of ['postgres://nobody_tokenmeter_test@127.0.0.1:5432/test', 'postgres://postgres@127.0.0.1:5432/no_such_database_tm']) {
      const r = run('daily', '--store', url);
      expect(r.status, url).toBe(2);
      expect(r.stderr, url).toMatch(/refuses the connection: (28000|3D000) .* \(check the user, password and database in the URL\)/);
    }
  });

  it('says once, in its own words, that the gRPC port is taken', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [cli, 'serve', '--port', '0', '--grpc-port', String(port), '--no-snapshot'], {
          env: { PATH: process.env.PATH, HOME: home.path, CLAUDE_CONFIG_DIR: join(home.path, 'claude'), TOKENMETER_HOME: join(home.path, 'tm-grpc') },
        });
        let err = '';
        c.stderr.on('data', (b: Buffer) => (err += b.toString()));
        c.on('exit', (code) => resolve({ code, err }));
      });
      expect(r.code).toBe(1);
      expect(r.err).toBe(`tokenmeter: cannot listen for OTLP/gRPC on 127.0.0.1:${port}: the port is already in use (--grpc-port to change it, --no-grpc to turn it off)\n`);
    } finally {
      taken.close();
    }
  });
});
