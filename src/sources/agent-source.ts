// What an agent's folder gives the registry: where its usage lives, how to find it and how to read it. Everything
// that names agents (discovery, watching, --tool, doctor, the dashboard, the README's table) reads these.
import type { DirListings, Discovery } from './discovery.js';
import type { DatabaseFormat, FileFormat } from './file-format.js';

/** Claude Code's transcripts have their own hot path in ingest/read-file.ts; this stands for it. */
export const CLAUDE_TRANSCRIPT = 'claude-transcript';

/** One agent's files; `missing` and `listings` only where the agent has something to say there (Claude Code). */
export type AgentDiscovery = Pick<Discovery, 'files' | 'problems' | 'folders'> & Partial<Pick<Discovery, 'missing' | 'listings'>>;

export interface AgentSource {
  /** The name usage is recorded under and `--tool` takes. */
  tool: string;
  /** The program, as its users call it. */
  name: string;
  /** ccusage 20's agent name for it in JSON (`claude` for claude-code). */
  agent: string;
  /** Where its usage is read from, in words (README, doctor, the dashboard's empty state). */
  where: string;
  /** What its records give, in words (the README's table). */
  yields: string;
  /** Variables that move where it keeps its logs. */
  env: string[];
  /** The places its data lives (existing or not), for doctor. */
  roots(env: NodeJS.ProcessEnv): string[];
  /** Folders to watch, each followed by what to watch instead while it does not exist yet. */
  watch(env: NodeJS.ProcessEnv): string[][];
  /** Its log files as they are now. `listings` are folder listings kept from last time (see claude-code/discover). */
  discover(env: NodeJS.ProcessEnv, listings: DirListings): AgentDiscovery;
  /** What doctor should say about this agent on this machine beyond where its logs are (usage it cannot see). */
  notice?(env: NodeJS.ProcessEnv): string | null;
  /**
   * Its GenAI telemetry puts usage on `invoke_agent` spans, one per turn, with no per-call spans under them (Droid):
   * those count, where other agents' `invoke_agent` spans only sum their children.
   */
  turnSpans?: boolean;
  /** Its GenAI spans' `input_tokens` leave the cache out (Droid), where the conventions put it in. */
  spanInputUncached?: boolean;
  /** The `service.name`s its OpenTelemetry carries, so that GenAI spans it sends count under its tool. */
  serviceNames?: string[];
  /** Its file formats by the name discovery gives files (stored with their checkpoints: never rename one). */
  formats: Record<string, FileFormat | DatabaseFormat | typeof CLAUDE_TRANSCRIPT>;
}
