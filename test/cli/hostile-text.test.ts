// Names and values from logs reach a terminal and the index: a model named like a terminal command is shown, not
// obeyed, and a huge bad value is quoted in a few dozen characters, in the index, its WAL and doctor's output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable, quoteValue } from '../../src/core/text.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const ESC = '\u001b';
let dir: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = tempDir();
  const project = join(dir.path, 'claude', 'projects', '-home-ana-api');
  mkdirSync(project, { recursive: true });
  const hugeValue = 'A'.repeat(5 << 20);
  writeFileSync(join(project, 's.jsonl'), [
    assistantLine({ messageId: 'msg_1', model: `${ESC}[2J${ESC}]0;pwned\u0007model`, cwd: '/home/ana/\u202eevil', sessionId: `sess${ESC}[31m` }),
    assistantLine({ messageId: 'msg_2' }).replace('"output_tokens":212', `"output_tokens":"${hugeValue}"`),
    assistantLine({ messageId: 'msg_3', output: 7 }),
  ].join('\n') + '\n');
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), NO_COLOR: '1', TZ: 'UTC', TOKENMETER_PORT: '9' };
});
afterAll(() => dir?.cleanup());

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });

describe('text from logs', () => {
  it('escapes control characters in names printed to a terminal', () => {
    for (const args of [['daily', '--breakdown'], ['session'], ['blocks'], ['doctor']]) {
      const out = run(...args).stdout;
      expect(out.includes(ESC), args.join(' ')).toBe(false);
      expect(out.includes('\u202e'), args.join(' ')).toBe(false);
      expect(out.includes('\u0007'), args.join(' ')).toBe(false);
    }
    expect(run('daily', '--breakdown').stdout).toContain('\\x1b[2J');
  });

  it('quotes at most ~80 characters of a bad value, in the index and in doctor', () => {
    const doctor = run('doctor');
    const line = doctor.stdout.split('\n').find((l) => l.includes('s.jsonl:2:'))!;
    expect(line).toMatch(/message\.usage\.output_tokens is "AAAA+… \(5242882 characters\), expected a non-negative number/);
    expect(line.length).toBeLessThan(300);
    for (const f of ['index.sqlite', 'index.sqlite-wal']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(dir.path, 'tm', f), 'latin1');
      } catch {
        continue;
      }
      expect(bytes.includes('A'.repeat(1000)), f).toBe(false);
    }
    // The good requests around it are counted.
    expect(JSON.parse(run('daily', '--json').stdout).totals.requests).toBe(2);
  });

  it('quoteValue and printable', () => {
    expect(quoteValue('x'.repeat(100))).toBe(`"${'x'.repeat(79)}… (102 characters)`);
    expect(quoteValue(12)).toBe('12');
    expect(printable(`a${ESC}[2Jb\u202ec\u0085d\té`)).toBe('a\\x1b[2Jb\\u202ec\\x85d\\x09é');
  });
});
