// tokenmeter live, driven in tmux as a user would see it: drawn, redrawn on resize, q restores the terminal.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
let dir: ReturnType<typeof tempDir>;
const session = `tm-live-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session).stdout;

async function until(fn: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out; screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasTmux)('tokenmeter live', () => {
  beforeAll(() => {
    dir = tempDir();
    const project = join(dir.path, 'claude', 'projects', '-home-ana-api');
    mkdirSync(project, { recursive: true });
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    writeFileSync(join(project, 's.jsonl'), [
      assistantLine({ messageId: 'msg_l1', requestId: 'req_l1', timestamp: at(20), input: 1000, output: 2000, cacheRead: 10_000, cacheWrite5m: 0 }),
      assistantLine({ messageId: 'msg_l2', requestId: 'req_l2', timestamp: at(2), input: 500, output: 1500, cacheRead: 20_000, cacheWrite5m: 0, model: 'claude-haiku-4-5' }),
    ].join('\n') + '\n');
    const env = `HOME=${dir.path} CLAUDE_CONFIG_DIR=${join(dir.path, 'claude')} TOKENMETER_HOME=${join(dir.path, 'tm')}`;
    // A shell around it, to see what the terminal looks like once it quits.
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `sh -c 'echo BEFORE; env ${env} ${process.execPath} ${cli} live; echo "AFTER $?"; sleep 30'`);
  });
  afterAll(() => {
    tmux('kill-server');
    dir?.cleanup();
  });

  it('draws the window, the rate, totals and the top models and projects', async () => {
    await until(() => screen().includes('tokenmeter live'));
    await until(() => screen().includes('today   35,000 tokens'));
    const s = screen();
    expect(s).toMatch(/5h claude-code █+░* ~?\d+%/);
    expect(s).toMatch(/tokens\/min .*\/min/);
    expect(s).toContain('top models today');
    expect(s).toMatch(/claude-haiku-4-5 +22\.0k/);
    expect(s).toContain('/home/ana/api');
    expect(s).not.toContain('BEFORE'); // the alternate screen
  });

  it('redraws to the new size', async () => {
    tmux('resize-window', '-t', session, '-x', '50', '-y', '12');
    await until(() => screen().split('\n').every((l) => [...l].length <= 50) && screen().includes('tokenmeter live'));
    expect(screen().split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(12);
  });

  it('q quits and gives the terminal back as it was', async () => {
    tmux('send-keys', '-t', session, 'q');
    await until(() => screen().includes('AFTER 0'));
    const s = screen();
    expect(s).toContain('BEFORE');
    expect(s).not.toContain('tokenmeter live');
  });
});
