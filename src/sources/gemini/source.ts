import type { AgentSource } from '../agent-source.js';
import { discoverGeminiFiles, geminiTmpDirs } from './discover.js';
import { geminiFormat, geminiJsonFormat } from './parse.js';

export const geminiSource: AgentSource = {
  tool: 'gemini',
  name: 'Gemini CLI',
  agent: 'gemini',
  where: '`~/.gemini/tmp/<project>/chats/session-*.jsonl`, subagents\' `chats/<parentSessionId>/*.jsonl`, legacy `session-*.json` (read whole when they change)',
  yields: 'per message: input (cached split out), output, thoughts as reasoning, model, session, project',
  env: ['GEMINI_DIR', 'GEMINI_DATA_DIR'],
  serviceNames: ['gemini-cli'],
  roots: geminiTmpDirs,
  watch: (env) => geminiTmpDirs(env).map((t) => [t]),
  discover: (env) => discoverGeminiFiles(env),
  // gemini-json: the legacy one-document chats, rewritten whole.
  formats: { gemini: geminiFormat, 'gemini-json': geminiJsonFormat },
};
