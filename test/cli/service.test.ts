import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runService, servicePlan } from '../../src/cli/service-command.js';
import { tempDir } from '../helpers/transcript.js';

describe('tokenmeter service', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    dir?.cleanup();
  });

  it('writes a systemd user unit that runs this CLI, with the environment that locates its data', () => {
    const plan = servicePlan('linux', { HOME: '/home/ana', TOKENMETER_HOME: '/data/tm', SECRET_THING: 'no' }, '/opt/tm/dist/cli.js', '/usr/bin/node');
    expect(plan.file).toBe('/home/ana/.config/systemd/user/tokenmeter.service');
    expect(plan.content).toContain('ExecStart="/usr/bin/node" "/opt/tm/dist/cli.js" serve');
    expect(plan.content).toContain('Environment="TOKENMETER_HOME=/data/tm"');
    expect(plan.content).not.toContain('SECRET_THING');
    expect(plan.content).toContain('WantedBy=default.target');
    expect(plan.enable.at(-1)).toEqual(['systemctl', '--user', 'enable', '--now', 'tokenmeter.service']);
  });

  it('carries every tool\'s log location, fleet mode, the token and the upstreams into the service', () => {
    const env = { HOME: '/home/ana', CODEX_HOME: '/c', GEMINI_DIR: '/g', TOKENMETER_DATABASE_URL: 'postgres://u:p@db/t', TOKENMETER_TOKEN: 't0k', TOKENMETER_ANTHROPIC_UPSTREAM: 'http://gw' };
    const plan = servicePlan('linux', env, '/opt/tm/dist/cli.js', '/usr/bin/node');
    for (const [k, v] of Object.entries(env)) if (k !== 'HOME') expect(plan.content).toContain(`Environment="${k}=${v}"`);
  });

  it('says why status cannot tell, and exits 1, when systemd\'s user manager is out of reach', () => {
    dir = tempDir();
    process.env.HOME = dir.path;
    delete process.env.XDG_CONFIG_HOME;
    runService('install', { start: false, platform: 'linux' }, () => undefined);
    const unit = join(dir.path, '.config', 'systemd', 'user', 'tokenmeter.service');
    expect(statSync(unit).mode & 0o777).toBe(0o600);
    // No session bus here (and no systemctl at all on some machines): either way, not a success.
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/bus';
    process.env.XDG_RUNTIME_DIR = '/nonexistent';
    const said: string[] = [];
    expect(runService('status', { start: true, platform: 'linux' }, (l) => said.push(l))).toBe(1);
    expect(said.join('\n')).toMatch(/Failed to connect to bus[\s\S]*user manager cannot be reached|could not run systemctl/);
  });

  it('writes a launchd agent on macOS', () => {
    const plan = servicePlan('darwin', { HOME: '/Users/ana' }, '/opt/tm/dist/cli.js', '/usr/local/bin/node');
    expect(plan.file).toBe('/Users/ana/Library/LaunchAgents/dev.tokenmeter.daemon.plist');
    expect(plan.content).toContain('<array><string>/usr/local/bin/node</string><string>/opt/tm/dist/cli.js</string><string>serve</string></array>');
    expect(plan.content).toContain('<key>RunAtLoad</key><true/>');
  });

  it('refuses other platforms with a way out', () => {
    expect(() => servicePlan('win32', {}, 'cli.js')).toThrow(/run "tokenmeter serve" from your own startup/);
  });

  it('installs, reports and uninstalls, saying what it did', () => {
    dir = tempDir();
    process.env.HOME = dir.path;
    delete process.env.XDG_CONFIG_HOME;
    const said: string[] = [];
    runService('install', { start: false, platform: 'linux' }, (l) => said.push(l));
    const unit = join(dir.path, '.config', 'systemd', 'user', 'tokenmeter.service');
    expect(readFileSync(unit, 'utf8')).toMatch(/serve\n/);
    expect(said.join('\n')).toMatch(/Wrote .*tokenmeter\.service.*\nNot started \(--no-start\)\. To start it: systemctl --user daemon-reload && systemctl --user enable --now tokenmeter\.service/);
    said.length = 0;
    runService('status', { start: false, platform: 'linux' }, (l) => said.push(l));
    expect(said[0]).toBe(`Installed: ${unit}`);
    runService('uninstall', { start: false, platform: 'linux' }, (l) => said.push(l));
    expect(existsSync(unit)).toBe(false);
    expect(said.at(-1)).toMatch(/^Removed .* its data in TOKENMETER_HOME is kept\.$/);
  });
});
