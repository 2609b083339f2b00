import { join } from 'node:path';
import type { AgentSource } from '../agent-source.js';
import { discoverQwenFiles, qwenRuntimeDir } from './discover.js';
import { qwenChatFormat, qwenUsageFormat } from './parse.js';

export const qwenSource: AgentSource = {
  tool: 'qwen',
  name: 'Qwen Code',
  agent: 'qwen',
  where: '`~/.qwen/usage/token-usage-*.jsonl` and the `ui_telemetry` lines of `~/.qwen/projects/*/chats/*.jsonl` (the same calls: counted once)',
  yields: 'per call, side calls (memory extraction) included: input (cache reads split out; Anthropic cache writes stay input), output, reasoning, model, session, cwd',
  env: ['QWEN_RUNTIME_DIR', 'QWEN_HOME'],
  serviceNames: ['qwen-code'],
  roots: (env) => [qwenRuntimeDir(env)],
  watch: (env) => ['usage', 'projects'].map((d) => [join(qwenRuntimeDir(env), d), qwenRuntimeDir(env)]),
  discover: discoverQwenFiles,
  formats: { 'qwen-usage': qwenUsageFormat, 'qwen-chat': qwenChatFormat },
};
