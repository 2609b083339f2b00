// Every agent tokenmeter reads. Adding one is its folder under src/sources/<tool>/ (a source.ts saying where its
// usage lives and how to read it) plus one line here: discovery, watching, --tool, doctor, the dashboard and the
// README's table all follow from this list.
import { CLAUDE_TRANSCRIPT, type AgentSource } from './agent-source.js';
import { ampSource } from './amp/source.js';
import { auggieSource } from './auggie/source.js';
import { claudeCodeSource } from './claude-code/source.js';
import { clineSource } from './cline/source.js';
import { codexSource } from './codex/source.js';
import { copilotSource } from './copilot/source.js';
import { crushSource } from './crush/source.js';
import { droidSource } from './droid/source.js';
import type { DatabaseFormat, FileFormat } from './file-format.js';
import { geminiSource } from './gemini/source.js';
import { kiloSource } from './kilo/source.js';
import { openCodeSource } from './opencode/source.js';
import { piSource } from './pi/source.js';
import { qwenSource } from './qwen/source.js';

export const AGENTS: readonly AgentSource[] = [
  claudeCodeSource,
  codexSource,
  geminiSource,
  piSource,
  qwenSource,
  copilotSource,
  openCodeSource,
  kiloSource,
  clineSource,
  droidSource,
  auggieSource,
  ampSource,
  crushSource,
];

/** Every tool usage is recorded under: the agents', and `api` (SDK scripts and direct calls, through the proxy or pushed). */
export const TOOLS: readonly string[] = [...AGENTS.map((a) => a.tool), 'api'];

/** A registered tool: what pushed usage may be recorded under. */
export const isTool = (t: string): boolean => TOOLS.includes(t);

/** What a report may filter by: a registered tool, or any name telemetry may have given an app (toolOfService). */
export const isToolFilter = (t: string): boolean => isTool(t) || TOOL_NAME.test(t);

const byFormat = new Map<string, { agent: AgentSource; format: FileFormat | DatabaseFormat | typeof CLAUDE_TRANSCRIPT }>(
  AGENTS.flatMap((agent) => Object.entries(agent.formats).map(([name, format]) => [name, { agent, format }] as const)),
);

/** A file format by the name discovery gave the file (stored with its checkpoint). */
export function formatNamed(name: string): FileFormat | DatabaseFormat | typeof CLAUDE_TRANSCRIPT {
  const f = byFormat.get(name);
  if (!f) throw new Error(`no source reads files of format "${name}"`);
  return f.format;
}

/** The agent whose files are in this format. */
export const agentOfFormat = (name: string): AgentSource | undefined => byFormat.get(name)?.agent;

/** The registered agent a tool's usage is recorded under, if any. */
export const agentOfTool = (tool: string): AgentSource | undefined => AGENTS.find((a) => a.tool === tool);

/** ccusage 20's agent name for a tool (`claude` for claude-code; the tool's own name otherwise). */
export const agentName = (tool: string): string => AGENTS.find((a) => a.tool === tool)?.agent ?? tool;

const byService = new Map(AGENTS.flatMap((a) => (a.serviceNames ?? []).map((n) => [n, a.tool] as const)));

/**
 * The tool telemetry counts under: a registered agent's by its service.name, else the service's own name (an app
 * instrumented with OpenTelemetry), else `api`.
 */
export function toolOfService(serviceName: string): string {
  const known = byService.get(serviceName);
  if (known) return known;
  const own = serviceName.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 64);
  return own && !own.startsWith('unknown_service') ? own : 'api';
}

/** A tool name as `--tool` and `?tool=` take it: a registered one, or one telemetry named (see toolOfService). */
export const TOOL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
