// The status line as the real Claude Code runs it (BENCH_ONLY=statusline-tui, with CLAUDE_BIN set to a Claude Code
// binary, e.g. from `npm install @anthropic-ai/claude-code`): the interactive TUI in tmux, against the loopback
// stand-in of the Anthropic API, its statusLine pointed at `tokenmeter statusline` through a wrapper that times each
// call Claude Code makes. Without a daemon and with one, beside `node -e 0` timed the same way.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAnthropic } from '../test/fixtures/claude-code/fake-anthropic.mjs';
import { freePort, waitIndexed } from './util.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `home`: the TOKENMETER_HOME whose index the line is computed from (the 1 GB history's, as the other figures). */
export async function benchStatuslineTui({ cli, log, home }) {
  const bin = process.env.CLAUDE_BIN;
  if (!bin || !existsSync(bin)) {
    log('status line in the Claude Code TUI: skipped (set CLAUDE_BIN to a Claude Code binary)');
    return;
  }
  if (spawnSync('tmux', ['-V']).error) {
    log('status line in the Claude Code TUI: skipped (no tmux)');
    return;
  }
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
  const calls = Number(process.env.BENCH_TUI_CALLS ?? 25);
  const tmp = mkdtempSync(join(tmpdir(), 'tokenmeter-tui-'));
  const config = join(tmp, 'config');
  const work = join(tmp, 'work');
  mkdirSync(config);
  mkdirSync(work);
  // Ids of this run's own: the index already holds other runs' messages.
  const api = await startFakeAnthropic({ readPath: join(work, 'notes.txt'), idPrefix: `bench${Date.now().toString(36)}` });
  const key = 'sk-ant-api03-bench-not-a-real-key-0000000000';
  // What a user who has set Claude Code up has: onboarding done, this folder trusted, the API key approved.
  writeFileSync(join(config, '.claude.json'), JSON.stringify({
    hasCompletedOnboarding: true, theme: 'dark', customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] },
    projects: { [work]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
  }));
  const env = {
    PATH: process.env.PATH, HOME: tmp, TERM: 'xterm-256color', ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: key, CLAUDE_CONFIG_DIR: config,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', TOKENMETER_HOME: home,
  };
  const times = join(tmp, 'times.txt');
  /** A wrapper that times the command Claude Code runs, from inside (the shell's own start is not counted). */
  const wrapper = (name, command) => {
    const path = join(tmp, `${name}.sh`);
    const keep = process.env.BENCH_TUI_DEBUG ? ` < /dev/stdin | tee -a ${join(tmp, `${name}.out`)}` : '';
    const input = process.env.BENCH_TUI_DEBUG ? `tee -a ${join(tmp, `${name}.in`)} | ` : '';
    writeFileSync(path, `#!/bin/sh\ns=$(date +%s%N)\n${input}${command}${keep}\ne=$(date +%s%N)\necho $(( (e - s) / 1000000 )) >> ${times}\n`, { mode: 0o755 });
    return path;
  };
  const measure = async (label, command) => {
    writeFileSync(join(config, 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: wrapper(label.replace(/\W+/g, '-'), command), padding: 0, refreshInterval: 1 } }));
    rmSync(times, { force: true });
    const session = `tm-bench-${process.pid}`;
    spawnSync('tmux', ['-L', session, 'new-session', '-d', '-s', session, '-x', '160', '-y', '40', '-c', work,
      `env ${Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ')} ${bin}`]);
    // A turn now and then (once the prompt is up), so that the line is asked for after messages too, and the refresh
    // interval the rest.
    const deadline = Date.now() + 180_000;
    let turns = 0;
    await sleep(4000);
    while (Date.now() < deadline) {
      const n = existsSync(times) ? readFileSync(times, 'utf8').trim().split('\n').filter(Boolean).length : 0;
      if (n >= calls + 3) break;
      if (turns < 3) {
        spawnSync('tmux', ['-L', session, 'send-keys', '-t', session, `say hello ${turns}`, 'Enter']);
        turns++;
      }
      await sleep(1500);
    }
    const screen = spawnSync('tmux', ['-L', session, 'capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
    if (process.env.BENCH_TUI_DEBUG) log(`--- ${label}:\n${screen}`);
    // Claude Code is asked to leave as a user would (Ctrl-C twice), then the terminal goes.
    for (let i = 0; i < 2; i++) {
      spawnSync('tmux', ['-L', session, 'send-keys', '-t', session, 'C-c']);
      await sleep(300);
    }
    await sleep(1000);
    spawnSync('tmux', ['-L', session, 'kill-server']);
    // The first few include Claude Code's own start.
    const ms = (existsSync(times) ? readFileSync(times, 'utf8').trim().split('\n').map(Number) : []).slice(3);
    return { ms: ms.length ? median(ms) : NaN, n: ms.length, line: screen.split('\n').find((l) => /tokenmeter|💰/.test(l))?.trim() ?? '(no line on screen)' };
  };
  try {
    const node = await measure('node', `${process.execPath} -e 0 >/dev/null`);
    const plain = await measure('plain', `${process.execPath} ${cli} statusline`);
    const port = await freePort();
    const daemon = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--no-grpc', '--no-snapshot'], { env: { ...env, CLAUDE_CONFIG_DIR: config }, stdio: 'ignore' });
    await waitIndexed(port);
    const withDaemon = await measure('daemon', `${process.execPath} ${cli} statusline`);
    daemon.kill('SIGTERM');
    log(`status line in the real Claude Code TUI (${version}, tmux, refreshInterval 1 s), median per call of ${withDaemon.n}:`);
    log('| | ms | over node -e 0 | target |');
    log('|---|---:|---:|---:|');
    log(`| node -e 0 | ${node.ms} | | |`);
    log(`| tokenmeter statusline, no daemon | ${plain.ms} | +${plain.ms - node.ms} | ≤ +60 |`);
    log(`| tokenmeter statusline, daemon running | ${withDaemon.ms} | +${withDaemon.ms - node.ms} | ≤ +20 |`);
    log(`on screen: ${withDaemon.line}`);
  } finally {
    await api.close();
    // Claude Code may still be writing its config as it exits: what is left in the temporary folder can stay.
    try {
      if (process.env.BENCH_TUI_DEBUG) log(`kept ${tmp}`);
      else rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch {
      // left for the system's tmp cleaning
    }
  }
}
