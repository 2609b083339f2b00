import { join } from 'node:path';
import { CLAUDE_TRANSCRIPT, type AgentSource } from '../agent-source.js';
import { claudeRoots, discoverClaudeFiles } from './discover.js';

export const claudeCodeSource: AgentSource = {
  tool: 'claude-code',
  name: 'Claude Code',
  agent: 'claude',
  where: '`projects/**/*.jsonl` (subagents included) under `~/.config/claude` and `~/.claude`',
  yields: 'per response: input, output, cache read, cache write (5m/1h), model, session, cwd, request id; `costUSD` where old versions wrote it',
  env: ['CLAUDE_CONFIG_DIR'],
  serviceNames: ['claude-code'],
  roots: (env) => claudeRoots(env).roots,
  // A root itself is not watched once its projects/ exists: Claude Code writes much else there.
  watch: (env) => claudeRoots(env).roots.map((r) => [join(r, 'projects'), r]),
  discover: discoverClaudeFiles,
  formats: { 'claude-code': CLAUDE_TRANSCRIPT },
};
