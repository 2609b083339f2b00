// Every agent tokenmeter reads. Adding one is its folder under src/sources/<tool>/ (a source.ts saying where its
// usage lives and how to read it) plus one line here: discovery, watching, --tool, doctor, the dashboard and the
// README's table all follow from this list.
import { CLAUDE_TRANSCRIPT, type AgentSource } from './agent-source.js';
import { claudeCodeSource } from './claude-code/source.js';
import { codexSource } from './codex/source.js';
import { copilotSource } from './copilot/source.js';
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
];

/** Every tool usage is recorded under: the agents', and `api` (SDK scripts and direct calls, through the proxy or pushed). */
export const TOOLS: readonly string[] = [...AGENTS.map((a) => a.tool), 'api'];

export const isTool = (t: string): boolean => TOOLS.includes(t);

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

/** ccusage 20's agent name for a tool (`claude` for claude-code; the tool's own name otherwise). */
export const agentName = (tool: string): string => AGENTS.find((a) => a.tool === tool)?.agent ?? tool;
