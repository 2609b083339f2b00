// The built CLI, run as a user would, on a generated history whose totals the generator computed on its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTurns, generateHistory, type Totals } from '../../bench/generate-history.mjs';
import { tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
let history: ReturnType<typeof generateHistory>;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  dir = tempDir();
  // Over the thresholds at which the indexer reads in worker threads (24 MB) and bulk-loads an empty index (64 MB).
  history = generateHistory(join(dir.path, 'claude'), { targetBytes: 70 << 20, seed: 11 });
  mkdirSync(join(dir.path, 'home'));
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' };
});
afterAll(() => dir?.cleanup());

function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const res = spawnSync(process.execPath, [cli, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function json(args: string[]) {
  const res = run([...args, '--json']);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout);
}

const tokens = (t: Totals | Record<string, number>) => ({
  inputTokens: t.inputTokens, outputTokens: t.outputTokens, cacheCreationTokens: t.cacheCreationTokens,
  cacheReadTokens: t.cacheReadTokens, totalTokens: t.totalTokens,
});

describe('tokenmeter on a generated history', () => {
  it('reports the generator’s totals, per day and per model, from a cold index', () => {
    const cold = run(['daily', '--tz', 'UTC', '--json', '--verbose']);
    expect(cold.code, cold.stderr).toBe(0);
    // The first load went through the worker threads and the bulk load.
    expect(cold.stderr).toMatch(/read\+write \(workers\) \d+, indexes \d+/);
    const out = JSON.parse(cold.stdout);
    expect(tokens(out.totals)).toEqual(tokens(history.totals));
    expect(out.totals.requests).toBe(history.totals.requests);
    expect(out.daily.map((d: { date: string }) => d.date)).toEqual(Object.keys(history.byDay).sort());
    for (const d of out.daily) expect(tokens(d), d.date).toEqual(tokens(history.byDay[d.date]!));
    const byModel: Record<string, Record<string, number>> = {};
    for (const d of out.daily) {
      for (const b of d.modelBreakdowns) {
        const m = (byModel[b.modelName] ??= { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0 });
        for (const k of Object.keys(m)) m[k]! += b[k];
      }
    }
    for (const [model, t] of Object.entries(history.byModel)) expect(tokens(byModel[model]!), model).toEqual(tokens(t));
    expect(out.totals.costUnknown).toBe(false);
    expect(out.totals.totalCost).toBeGreaterThan(0);
  });

  it('gives the same answer warm, and in every period', () => {
    const daily = json(['daily']);
    for (const period of ['weekly', 'monthly', 'session']) expect(tokens(json([period]).totals), period).toEqual(tokens(daily.totals));
    const weeks = json(['weekly', '--start-of-week', 'monday']).weekly.map((w: { week: string }) => new Date(`${w.week}T00:00:00Z`).getUTCDay());
    expect(new Set(weeks)).toEqual(new Set([1]));
    const sessions = json(['session']).sessions;
    expect(sessions[0]).toHaveProperty('projectPath');
    expect(sessions[0].lastActivity).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('puts days in the local zone without time zone data, as a named zone would, across a DST change', () => {
    for (const zone of ['America/New_York', 'Asia/Kolkata']) {
      for (const period of ['daily', 'session']) {
        const local = run([period, '--json'], { TZ: zone });
        const named = run([period, '--json', '--tz', zone], { TZ: 'UTC' });
        expect(local.code).toBe(0);
        expect(JSON.parse(local.stdout), `${zone} ${period}`).toEqual(JSON.parse(named.stdout));
      }
      const utc = JSON.parse(run(['daily', '--json', '--tz', 'UTC']).stdout);
      expect(JSON.parse(run(['daily', '--json'], { TZ: zone }).stdout).daily).not.toEqual(utc.daily);
    }
  });

  it('filters by date, inclusive, in either date format', () => {
    const days = Object.keys(history.byDay).sort();
    const since = days[3]!;
    const until = days[8]!;
    const out = json(['daily', '--since', since, '--until', until.replaceAll('-', '')]);
    expect(out.daily.map((d: { date: string }) => d.date)).toEqual(days.slice(3, 9));
  });

  it('adds appended turns and nothing else, read in this thread or, when large, in workers', () => {
    mkdirSync(join(dir.path, 'claude', 'projects', '-home-dev-appended'), { recursive: true });
    const session = (name: string) => join(dir.path, 'claude', 'projects', '-home-dev-appended', `${name}.jsonl`);
    // One small file, then two large ones: workers share files, not parts of one.
    for (const [names, bytes] of [[['small'], 200_000], [['large-a', 'large-b'], 15 << 20]] as const) {
      const before = json(['daily']).totals;
      const added = names.map((name, i) => appendTurns(session(name), '/home/dev/appended', name, bytes, bytes + i));
      const res = run(['daily', '--json', '--verbose']);
      expect(res.stderr).toContain(names.length > 1 ? 'read+write (workers)' : 'read+write ');
      const after = JSON.parse(res.stdout).totals;
      const sum = (k: 'requests' | 'outputTokens' | 'cacheReadTokens') => added.reduce((s, a) => s + a[k], 0);
      expect(after.requests, names[0]).toBe(before.requests + sum('requests'));
      expect(after.outputTokens, names[0]).toBe(before.outputTokens + sum('outputTokens'));
      expect(after.cacheReadTokens, names[0]).toBe(before.cacheReadTokens + sum('cacheReadTokens'));
    }
  });

  it('prints a table that fits 80 columns', () => {
    for (const args of [['daily'], ['daily', '--breakdown'], ['session', '--breakdown'], ['monthly']]) {
      const res = run(args);
      expect(res.code).toBe(0);
      const widths = res.stdout.trimEnd().split('\n').map((l) => [...l].length);
      expect(Math.max(...widths), args.join(' ')).toBeLessThanOrEqual(80);
      expect(res.stdout).not.toMatch(/\x1b\[/);
    }
  });

  it('names the file and line of a bad line with --verbose, and counts it without', () => {
    const project = join(dir.path, 'bad-root', 'projects', '-home-dev-bad');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 's.jsonl'), '{"type":"assistant","message":{"usage":"oops"}}\n{"type":"user","usage":1}\n{"type":"assistant","message":{"model":"x","usage":{"output_tokens":1\n');
    const env2 = { CLAUDE_CONFIG_DIR: join(dir.path, 'bad-root'), TOKENMETER_HOME: join(dir.path, 'tm-bad') };
    const quiet = run(['daily'], env2);
    expect(quiet.stderr).toBe('tokenmeter: skipped 2 bad lines (--verbose shows where)\n');
    const verbose = run(['daily', '--verbose'], { ...env2, TOKENMETER_HOME: join(dir.path, 'tm-bad-2') });
    expect(verbose.stderr).toContain(`${join(project, 's.jsonl')}:1: message.usage is "oops", expected an object`);
    expect(verbose.stderr).toMatch(new RegExp(`s\\.jsonl:3: malformed JSON`));
  });

  it('says how to recover from a damaged index', () => {
    const home = join(dir.path, 'damaged');
    mkdirSync(home);
    writeFileSync(join(home, 'index.sqlite'), 'this is not a database, just some bytes that are long enough to be read as a header by SQLite');
    const res = run(['daily'], { TOKENMETER_HOME: home });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('tokenmeter: file is not a database');
    expect(res.stderr).toContain(`the index at ${join(home, 'index.sqlite')} is damaged; move it aside and run again`);
  });

  it('explains bad flags and missing data in one line', () => {
    const tz = run(['daily', '--tz', 'Mars/Olympus']);
    expect(tz.code).toBe(2);
    expect(tz.stderr.trim()).toBe('tokenmeter: --tz: unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Berlin or UTC)');
    const since = run(['daily', '--since', 'tomorrow']);
    expect([since.code, since.stderr.trim()]).toEqual([2, 'tokenmeter: --since: expected a date as YYYY-MM-DD or YYYYMMDD, got "tomorrow"']);
    const missing = run(['daily'], { CLAUDE_CONFIG_DIR: join(dir.path, 'nowhere'), TOKENMETER_HOME: join(dir.path, 'tm2') });
    expect(missing.code).toBe(0);
    // Every other registered agent is named, the last after "or".
    expect(missing.stderr).toMatch(/^tokenmeter: no Claude Code data found: looked for projects\/ in .*nowhere; no Codex CLI, Gemini CLI, pi, .*, OpenCode, .* or Crush logs either\n$/);
    expect(missing.stdout).toBe('No usage found for this period.\n');
  });
});

describe('the built entry', () => {
  it('answers --version and --help itself, with the help the parser gives', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const kept = run(['daily', '--help']);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^Usage: tokenmeter daily \[options\]\n/);
    // The parser's own answer (help with another argument after it is not kept) says the same of each option.
    const parsed = run(['daily', '--help', '--json']);
    expect(parsed.stdout).toBe(kept.stdout);
  });

  it.runIf(process.platform === 'linux')('installs a service that runs the entry, not the chunk the command is in', () => {
    const home = join(dir.path, 'service-home');
    mkdirSync(home);
    const res = run(['service', 'install', '--no-start'], { HOME: home });
    expect(res.code, res.stderr).toBe(0);
    const unit = readFileSync(join(home, '.config', 'systemd', 'user', 'tokenmeter.service'), 'utf8');
    expect(unit).toContain(`"${cli}" serve`);
  });
});
