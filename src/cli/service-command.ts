// tokenmeter service install | uninstall | status: start the daemon at login, with systemd (Linux, a user unit) or
// launchd (macOS, a user agent). Each step is said as it is done, so a user can undo it by hand.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error.js';

export interface ServiceFlags {
  start: boolean;
  platform?: string;
}

const LABEL = 'dev.tokenmeter.daemon';
const UNIT = 'tokenmeter.service';

interface Plan {
  file: string;
  content: string;
  enable: string[][];
  disable: string[][];
  status: string[];
}

/**
 * Environment worth carrying into the service: where data and every tool's logs live, how the daemon listens, fleet
 * mode, the token and the proxy's upstreams. A daemon started at login without them would silently be another one.
 */
const SERVICE_ENV = [
  'TOKENMETER_HOME', 'TOKENMETER_PORT', 'TOKENMETER_GRPC_PORT', 'TOKENMETER_HOST_NAME', 'TOKENMETER_SNAPSHOT', 'TOKENMETER_TOKEN',
  'TOKENMETER_DATABASE_URL', 'TOKENMETER_ANTHROPIC_UPSTREAM', 'TOKENMETER_OPENAI_UPSTREAM', 'TOKENMETER_OTLP_EXPORT',
  'CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'GEMINI_DIR', 'GEMINI_DATA_DIR', 'XDG_DATA_HOME',
];

function serviceEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(SERVICE_ENV.filter((k) => env[k]).map((k) => [k, env[k]!]));
}

export function servicePlan(platform: string, env: NodeJS.ProcessEnv, cli: string, node = process.execPath): Plan {
  const home = env.HOME || homedir();
  const vars = serviceEnv(env);
  if (platform === 'linux') {
    const file = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user', UNIT);
    const content = [
      '[Unit]',
      'Description=tokenmeter: token and cost tracking for AI coding assistants',
      'After=network.target',
      '',
      '[Service]',
      `ExecStart="${node}" "${cli}" serve`,
      ...Object.entries(vars).map(([k, v]) => `Environment="${k}=${v.replaceAll('"', '\\"')}"`),
      'Restart=on-failure',
      'RestartSec=5',
      '',
      '[Install]',
      'WantedBy=default.target',
      '',
    ].join('\n');
    return {
      file, content,
      enable: [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', UNIT]],
      disable: [['systemctl', '--user', 'disable', '--now', UNIT]],
      status: ['systemctl', '--user', 'status', '--no-pager', UNIT],
    };
  }
  if (platform === 'darwin') {
    const file = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);
    const xml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    const logs = join(env.TOKENMETER_HOME || join(home, '.local', 'share', 'tokenmeter'), 'launchd.log');
    const content = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array><string>${xml(node)}</string><string>${xml(cli)}</string><string>serve</string></array>
  <key>EnvironmentVariables</key>
  <dict>${Object.entries(vars).map(([k, v]) => `<key>${xml(k)}</key><string>${xml(v)}</string>`).join('')}</dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardErrorPath</key><string>${xml(logs)}</string>
</dict>
</plist>
`;
    const uid = String(process.getuid?.() ?? 501);
    return {
      file, content,
      enable: [['launchctl', 'bootstrap', `gui/${uid}`, file]],
      disable: [['launchctl', 'bootout', `gui/${uid}/${LABEL}`]],
      status: ['launchctl', 'print', `gui/${uid}/${LABEL}`],
    };
  }
  throw new UsageError(`tokenmeter service: no service manager known for ${platform} (systemd on Linux and launchd on macOS are); run "tokenmeter serve" from your own startup instead`);
}

function run(cmd: string[], say: (l: string) => void): boolean {
  say(`$ ${cmd.join(' ')}`);
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.error) {
    say(`  could not run ${cmd[0]}: ${r.error.message}`);
    return false;
  }
  for (const l of `${r.stdout}${r.stderr}`.trimEnd().split('\n')) if (l) say(`  ${l}`);
  if (/Failed to connect to bus|DBUS_SESSION_BUS_ADDRESS/.test(r.stderr)) {
    say('  systemd\'s user manager cannot be reached from here (no D-Bus session: an SSH or container shell, say).');
    say('  Log in on a terminal, or keep the user manager running: loginctl enable-linger $USER');
  }
  return r.status === 0;
}

/** The built CLI this command is part of, which the service runs. */
function cliPath(): string {
  return resolve(fileURLToPath(import.meta.url).replace(/chunk-[^/\\]+\.mjs$/, 'cli.js'));
}

/** Returns the exit status: 0 when done (status: installed and running), 1 when not. */
export function runService(action: string, flags: ServiceFlags, say: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): number {
  const plan = servicePlan(flags.platform ?? process.platform, process.env, cliPath());
  if (action === 'install') {
    mkdirSync(dirname(plan.file), { recursive: true });
    const existed = existsSync(plan.file);
    // Readable by its owner only: it may carry the token or a database password.
    writeFileSync(plan.file, plan.content, { mode: 0o600 });
    chmodSync(plan.file, 0o600);
    say(`${existed ? 'Rewrote' : 'Wrote'} ${plan.file}: it runs "tokenmeter serve" at login and restarts it if it fails.`);
    const carried = Object.keys(serviceEnv(process.env));
    if (carried.length) say(`It carries ${carried.join(', ')} from this shell.`);
    if (!flags.start) {
      say(`Not started (--no-start). To start it: ${plan.enable.map((c) => c.join(' ')).join(' && ')}`);
      return 0;
    }
    const ok = plan.enable.every((c) => run(c, say));
    say(ok ? 'The daemon is running. "tokenmeter service status" shows it; "tokenmeter service uninstall" removes it.'
      : `Starting it did not work; the file is in place. Try: ${plan.enable.map((c) => c.join(' ')).join(' && ')}`);
    return ok ? 0 : 1;
  } else if (action === 'uninstall') {
    if (!existsSync(plan.file)) {
      say(`Nothing to remove: ${plan.file} does not exist.`);
      return 0;
    }
    if (flags.start) for (const c of plan.disable) run(c, say);
    rmSync(plan.file);
    say(`Removed ${plan.file}. The daemon no longer starts at login; its data in TOKENMETER_HOME is kept.`);
    return 0;
  } else if (action === 'status') {
    if (!existsSync(plan.file)) {
      say(`Not installed (no ${plan.file}). "tokenmeter service install" sets it up.`);
      return 1;
    }
    say(`Installed: ${plan.file}`);
    const runs = readFileSync(plan.file, 'utf8').includes(cliPath()) ? '' : ' (it runs another tokenmeter install than this one)';
    if (runs) say(`Note${runs}.`);
    if (!flags.start) return 0;
    // The service manager's own verdict: not running, or not reachable, is not a success.
    return run(plan.status, say) ? 0 : 1;
  } else {
    throw new UsageError(`tokenmeter service: unknown action "${action}" (install, uninstall or status)`);
  }
}
