// tokenmeter setup claude-code: puts the status line and the hooks into Claude Code's settings.json, keeping every
// other key, after a timestamped backup; --dry-run shows the change, --undo restores the last backup, --remove takes
// tokenmeter out again. --otel prints the environment that sends Claude Code's telemetry to the daemon.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_PORT, tokenmeterHome } from './home.js';
import { UsageError } from './usage-error.js';

export interface SetupFlags {
  statusline?: boolean;
  hooks?: boolean;
  guard?: boolean;
  otel?: boolean;
  mcp?: boolean;
  writeEnv?: string;
  dryRun?: boolean;
  undo?: boolean;
  remove?: boolean;
}

type Json = Record<string, unknown>;
const HOOK_EVENTS = ['Stop', 'SubagentStop', 'SessionEnd'] as const;
/** Where the guard stops work once an enforced budget is spent: a new prompt, and each tool call of a long run. */
const GUARD_EVENTS = ['UserPromptSubmit', 'PreToolUse'] as const;
const BACKUP_MARK = '.tokenmeter-backup-';

export function settingsPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.CLAUDE_CONFIG_DIR?.split(',')[0]?.trim() || join(env.HOME || homedir(), '.claude');
  return join(dir, 'settings.json');
}

/** The command that runs this tokenmeter: the Node binary and the built CLI, quoted. */
export function selfCommand(): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `"${s.replaceAll('"', '\\"')}"`);
  return `${q(process.execPath)} ${q(process.argv[1]!)}`;
}

export function otelEnvironment(port = DEFAULT_PORT): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_METRIC_EXPORT_INTERVAL: '10000',
    OTEL_LOGS_EXPORT_INTERVAL: '5000',
  };
}

const isOurs = (command: unknown, self: string, sub: string) =>
  typeof command === 'string' && (command === `${self} ${sub}` || /tokenmeter|dist\/cli\.js/.test(command) && command.endsWith(` ${sub}`));

function readSettings(path: string): Json {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message.replace(/, ".*$/s, '')}; fix it or move it aside, nothing was changed`);
  }
}

/** A settings value tokenmeter would have to overwrite to add itself: refused rather than clobbered. */
function checkShapes(settings: Json, path: string, want: { statusline: boolean; hooks: boolean }): void {
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (want.hooks && settings.hooks !== undefined) {
    if (!isObj(settings.hooks)) throw new UsageError(`${path}: "hooks" is not an object; fix it by hand, nothing was changed`);
    for (const e of [...HOOK_EVENTS, ...GUARD_EVENTS]) {
      const groups = (settings.hooks as Json)[e];
      if (groups !== undefined && (!Array.isArray(groups) || !groups.every(isObj))) {
        throw new UsageError(`${path}: "hooks.${e}" is not a list of matcher groups; fix it by hand, nothing was changed`);
      }
    }
  }
  if (want.statusline && settings.statusLine !== undefined && !isObj(settings.statusLine)) {
    throw new UsageError(`${path}: "statusLine" is not an object; fix it by hand, nothing was changed`);
  }
}

/** The settings with tokenmeter's status line and hooks put in (or taken out), every other key as it was. */
export function applySetup(settings: Json, want: { statusline: boolean; hooks: boolean; guard?: boolean; remove: boolean }, self: string, replaced?: unknown): Json {
  const out: Json = structuredClone(settings);
  if (want.statusline || want.remove) {
    const current = (out.statusLine as Json | undefined)?.command;
    if (want.remove) {
      // The status line the user had before ours comes back.
      if (isOurs(current, self, 'statusline')) {
        if (replaced !== undefined) out.statusLine = replaced;
        else delete out.statusLine;
      }
    } else {
      out.statusLine = { type: 'command', command: `${self} statusline`, padding: 0 };
    }
  }
  const hooks: Json = out.hooks && typeof out.hooks === 'object' ? (out.hooks as Json) : {};
  const place = (events: readonly string[], sub: string, install: boolean, timeout: number) => {
    for (const event of events) {
      const groups = Array.isArray(hooks[event]) ? (hooks[event] as Json[]) : [];
      // Our handler is taken out of every group first: running setup twice leaves one.
      const kept: Json[] = groups
        .map((g) => ({ ...g, hooks: Array.isArray(g.hooks) ? (g.hooks as Json[]).filter((h) => !isOurs(h.command, self, sub)) : g.hooks }))
        .filter((g) => !Array.isArray(g.hooks) || g.hooks.length > 0);
      if (install) kept.push({ matcher: '', hooks: [{ type: 'command', command: `${self} ${sub}`, timeout }] });
      if (kept.length > 0) hooks[event] = kept;
      else delete hooks[event];
    }
  };
  if (want.hooks || want.remove) place(HOOK_EVENTS, 'hook', !want.remove, 10);
  if (want.guard || want.remove) place(GUARD_EVENTS, 'guard', !want.remove, 30);
  if (want.hooks || want.guard || want.remove) {
    if (Object.keys(hooks).length > 0) out.hooks = hooks;
    else delete out.hooks;
  }
  return out;
}

/** The top-level keys that differ, as - old / + new lines. */
export function describeChange(before: Json, after: Json): string[] {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = JSON.stringify(before[key]);
    const b = JSON.stringify(after[key]);
    if (a === b) continue;
    if (a !== undefined) lines.push(`- "${key}": ${a}`);
    if (b !== undefined) lines.push(`+ "${key}": ${b}`);
  }
  return lines;
}

function backups(path: string): string[] {
  const dir = dirname(path);
  const base = `${path.slice(dir.length + 1)}${BACKUP_MARK}`;
  try {
    return readdirSync(dir).filter((f) => f.startsWith(base) && !f.endsWith('.restored')).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tokenmeter-${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: existsSync(path) ? statSync(path).mode & 0o777 : 0o644 });
  renameSync(tmp, path);
}

/** The environment that sends SDK and tool traffic through the daemon's proxy. */
export function apiEnvironment(port = DEFAULT_PORT): string[] {
  const base = `http://127.0.0.1:${port}`;
  return [
    '# SDKs and tools that honour a base URL (Anthropic and OpenAI SDKs, Claude Code, aider, LiteLLM clients, curl scripts):',
    `export ANTHROPIC_BASE_URL=${base}/anthropic`,
    `export OPENAI_BASE_URL=${base}/openai/v1`,
    '# optional, per process: attribute usage to a project or session (stripped before forwarding)',
    '#   X-Tokenmeter-Project: my-project   X-Tokenmeter-Session: nightly-batch',
  ];
}

export function runSetup(target: string, flags: SetupFlags, say: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  if (target === 'api') {
    for (const l of apiEnvironment(Number(process.env.TOKENMETER_PORT) || DEFAULT_PORT)) say(l);
    return;
  }
  if (target !== 'claude-code') throw new UsageError(`setup: expected claude-code or api, not "${target}"`);
  const path = settingsPath();
  if (flags.undo) {
    const last = backups(path).at(-1);
    if (!last) throw new UsageError(`no tokenmeter backup of ${path} to restore`);
    if (flags.dryRun) return say(`would restore ${last} over ${path}`);
    copyFileSync(last, path);
    renameSync(last, `${last}.restored`);
    return say(`Restored ${path} from ${last}.`);
  }
  if (flags.mcp) {
    // Claude Code keeps its MCP servers in its own files (~/.claude.json), written by its own command: that is the one
    // to run. Codex and Gemini CLI take a few lines of their config.
    const self = selfCommand();
    say('# tokenmeter as an MCP server (tools: usage_summary, usage_report, current_window, budgets, session_cost):');
    say(`claude mcp add --scope user tokenmeter -- ${self} mcp`);
    say('# Codex CLI, in ~/.codex/config.toml:');
    say(`[mcp_servers.tokenmeter]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(process.argv[1])}, "mcp"]`);
    say('# Gemini CLI, in ~/.gemini/settings.json:');
    say(JSON.stringify({ mcpServers: { tokenmeter: { command: process.execPath, args: [process.argv[1], 'mcp'] } } }));
    say(`# or, with the daemon running, over HTTP: http://127.0.0.1:${Number(process.env.TOKENMETER_PORT) || DEFAULT_PORT}/mcp`);
  }
  if (flags.otel) {
    const env = otelEnvironment(Number(process.env.TOKENMETER_PORT) || DEFAULT_PORT);
    const block = Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n');
    say('# Claude Code telemetry to the tokenmeter daemon (tokenmeter serve):');
    say(block);
    if (flags.writeEnv && !flags.dryRun) {
      writeAtomically(flags.writeEnv, `${block}\n`);
      say(`# written to ${flags.writeEnv}: source it from your shell profile`);
    }
  }
  const statusline = flags.statusline ?? false;
  const hooks = flags.hooks ?? false;
  const guard = flags.guard ?? false;
  if (!statusline && !hooks && !guard && !flags.remove) {
    if (!flags.otel && !flags.mcp) {
      say('Nothing asked. The recommended set-up (the status line, and hooks that read each transcript as it ends):');
      say('  tokenmeter setup claude-code --statusline --hooks            # add --dry-run to see the change first');
      say('Also: --otel (telemetry settings to export), --remove (take tokenmeter out), --undo (restore the last backup).');
    }
    return;
  }
  const before = readSettings(path);
  checkShapes(before, path, { statusline: statusline || (flags.remove ?? false), hooks: hooks || guard || (flags.remove ?? false) });
  const replaced = new ReplacedStatusLines(join(tokenmeterHome(), 'replaced-statusline.json'));
  const after = applySetup(before, { statusline, hooks, guard, remove: flags.remove ?? false }, selfCommand(), replaced.get(path));
  const change = describeChange(before, after);
  if (change.length === 0) return say(`${path} already has it: nothing to change.`);
  if (flags.dryRun) {
    say(`would change ${path}:`);
    for (const l of change) say(l);
    return;
  }
  let backup: string | null = null;
  if (existsSync(path)) {
    backup = `${path}${BACKUP_MARK}${new Date().toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(path, backup);
  }
  // Another status line ours takes the place of is kept, to be put back by --remove.
  const previous = before.statusLine as Json | undefined;
  const replacing = statusline && !flags.remove && previous !== undefined && !isOurs(previous.command, selfCommand(), 'statusline');
  if (replacing) replaced.set(path, previous);
  try {
    writeAtomically(path, `${JSON.stringify(after, null, 2)}\n`);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; it is unchanged`);
  }
  if (flags.remove && replaced.get(path) !== undefined) replaced.set(path, undefined);
  say(`Changed ${path}${backup ? ` (backup: ${backup}; "tokenmeter setup claude-code --undo" restores it)` : ''}:`);
  for (const l of change) say(l);
}

/** The status lines tokenmeter's took the place of, by settings file. */
class ReplacedStatusLines {
  constructor(private readonly file: string) {}

  private all(): Record<string, unknown> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  get(settings: string): unknown {
    return this.all()[settings];
  }

  set(settings: string, statusLine: unknown): void {
    const all = this.all();
    if (statusLine === undefined) delete all[settings];
    else all[settings] = statusLine;
    writeAtomically(this.file, `${JSON.stringify(all, null, 2)}\n`);
  }
}

export function disableLine(): string {
  return `${selfCommand()} setup claude-code --remove   # takes tokenmeter's status line and hooks out of ${settingsPath()}; unset CLAUDE_CODE_ENABLE_TELEMETRY to stop telemetry`;
}
