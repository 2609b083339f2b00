// tokenmeter setup claude-code on real settings files: other keys kept, idempotent, backups, dry run, undo, remove,
// and a file that cannot be written.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
let settings: string;
beforeEach(() => {
  dir = tempDir();
  mkdirSync(join(dir.path, '.claude'));
  settings = join(dir.path, '.claude', 'settings.json');
});
afterEach(() => dir.cleanup());

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, 'setup', 'claude-code', ...args], { env: { PATH: process.env.PATH, HOME: dir.path }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const read = () => JSON.parse(readFileSync(settings, 'utf8'));
const backups = () => readdirSync(join(dir.path, '.claude')).filter((f) => f.includes('.tokenmeter-backup-') && !f.endsWith('.restored'));

const USER_SETTINGS = {
  model: 'opus', env: { FOO: 'bar' }, permissions: { allow: ['Bash(ls)'], deny: [] }, statusLine: { type: 'command', command: 'my-line.sh' },
  hooks: { Stop: [{ matcher: '', hooks: [{ type: 'command', command: 'notify-send done' }] }], PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'audit' }] }] },
};

describe('tokenmeter setup claude-code', () => {
  it('adds the status line and hooks, keeps every other key, and backs the file up first', () => {
    writeFileSync(settings, JSON.stringify(USER_SETTINGS, null, 2));
    const r = run('--statusline', '--hooks');
    expect(r.code, r.err).toBe(0);
    const s = read();
    expect(s.model).toBe('opus');
    expect(s.env).toEqual({ FOO: 'bar' });
    expect(s.permissions).toEqual(USER_SETTINGS.permissions);
    expect(s.hooks.PreToolUse).toEqual(USER_SETTINGS.hooks.PreToolUse);
    expect(s.statusLine).toEqual({ type: 'command', command: expect.stringMatching(/cli\.js statusline$/), padding: 0 });
    expect(s.hooks.Stop).toEqual([USER_SETTINGS.hooks.Stop[0], { matcher: '', hooks: [{ type: 'command', command: expect.stringMatching(/cli\.js hook$/), timeout: 10 }] }]);
    for (const e of ['SubagentStop', 'SessionEnd']) expect(s.hooks[e]).toHaveLength(1);
    expect(backups()).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir.path, '.claude', backups()[0]!), 'utf8'))).toEqual(USER_SETTINGS);
  });

  it('changes nothing the second time, and shows a dry run without writing', () => {
    writeFileSync(settings, '{}');
    expect(run('--hooks', '--dry-run').out).toMatch(/^would change .*settings\.json:\n\+ "hooks": \{"Stop"/);
    expect(read()).toEqual({});
    run('--hooks');
    const once = readFileSync(settings, 'utf8');
    expect(run('--hooks').out).toMatch(/already has it: nothing to change/);
    expect(readFileSync(settings, 'utf8')).toBe(once);
    expect(backups()).toHaveLength(1);
  });

  it('puts back the status line the user had when --remove takes its own out', () => {
    writeFileSync(settings, JSON.stringify(USER_SETTINGS, null, 2));
    expect(run('--statusline', '--hooks').code).toBe(0);
    expect(read().statusLine.command).toMatch(/cli\.js statusline$/);
    // Set up again: the user's line stays the one to come back, not ours.
    expect(run('--statusline').code).toBe(0);
    const removed = run('--remove');
    expect(removed.code, removed.err).toBe(0);
    expect(read()).toEqual(USER_SETTINGS);
  });

  it('creates the file when there is none, and takes itself out again with --remove', () => {
    expect(run('--statusline', '--hooks').code).toBe(0);
    expect(Object.keys(read()).sort()).toEqual(['hooks', 'statusLine']);
    expect(run('--remove').code).toBe(0);
    expect(read()).toEqual({});
  });

  it('restores the last backup with --undo', () => {
    writeFileSync(settings, JSON.stringify(USER_SETTINGS));
    run('--statusline');
    expect(read().statusLine.command).toMatch(/statusline$/);
    const r = run('--undo');
    expect(r.out).toMatch(/^Restored .*settings\.json from .*tokenmeter-backup-/);
    expect(read()).toEqual(USER_SETTINGS);
    expect(run('--undo').err).toMatch(/no tokenmeter backup/);
  });

  it('refuses malformed settings and unwritable files, leaving them as they were', () => {
    writeFileSync(settings, '{"model": "opus",');
    const bad = run('--statusline');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/settings\.json: .*; fix it or move it aside, nothing was changed/);
    expect(readFileSync(settings, 'utf8')).toBe('{"model": "opus",');

    writeFileSync(settings, '{"model": "opus"}');
    // Read-only even for root: the immutable attribute where the file system has it, else a read-only folder.
    const immutable = spawnSync('chattr', ['+i', settings]).status === 0;
    if (!immutable) chmodSync(join(dir.path, '.claude'), 0o555);
    try {
      const ro = run('--statusline');
      expect(ro.code).toBe(2);
      expect(ro.err).toMatch(/cannot write .*settings\.json: E\w+; it is unchanged/);
      expect(readFileSync(settings, 'utf8')).toBe('{"model": "opus"}');
    } finally {
      if (immutable) spawnSync('chattr', ['-i', settings]);
      else chmodSync(join(dir.path, '.claude'), 0o755);
    }
  });

  it('handles settings of any shape: empty, nested, unicode; refuses to clobber a hooks value it does not understand', () => {
    writeFileSync(settings, '');
    expect(run('--statusline').code).toBe(0);
    const odd = { 'ключ': ['ü', { deep: [[1, 2], { x: null }] }], hooks: { PostToolUse: [{ matcher: 'Edit|Write', hooks: [{ type: 'command', command: 'fmt' }] }] }, n: 1.5e3, t: true };
    writeFileSync(settings, JSON.stringify(odd));
    expect(run('--hooks').code).toBe(0);
    expect({ ...read(), hooks: undefined }).toEqual({ ...odd, hooks: undefined });
    expect(read().hooks.PostToolUse).toEqual(odd.hooks.PostToolUse);
    for (const bad of [{ hooks: 'none' }, { hooks: { Stop: 'x' } }, { hooks: { Stop: [1] } }]) {
      writeFileSync(settings, JSON.stringify(bad));
      const r = run('--hooks');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/fix it by hand, nothing was changed/);
      expect(read()).toEqual(bad);
    }
    writeFileSync(settings, '[1, 2]');
    expect(run('--statusline').err).toMatch(/not a JSON object/);
  });

  it('prints the telemetry environment, and writes it with --write-env', () => {
    const file = join(dir.path, 'tokenmeter.env');
    const r = run('--otel', '--write-env', file);
    expect(r.out).toContain('export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\nexport OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318');
    expect(readFileSync(file, 'utf8')).toMatch(/^export CLAUDE_CODE_ENABLE_TELEMETRY=1\n/);
    expect(existsSync(settings)).toBe(false);
  });
});
