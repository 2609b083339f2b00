import type { AgentSource } from '../agent-source.js';
import { codexRoots, discoverCodexFiles } from './discover.js';
import { codexFormat } from './parse.js';
import { join } from 'node:path';

export const codexSource: AgentSource = {
  tool: 'codex',
  name: 'Codex CLI',
  agent: 'codex',
  where: '`rollout-*.jsonl` under `${CODEX_HOME:-~/.codex}/sessions/` and `archived_sessions/`',
  yields: 'per turn: input (cached split out), output, reasoning, model, session, cwd; 5-hour and weekly window readings',
  env: ['CODEX_HOME'],
  serviceNames: ['codex_cli_rs', 'codex-cli', 'codex_exec'],
  roots: codexRoots,
  watch: (env) => codexRoots(env).flatMap((r) => [[join(r, 'sessions'), r], [join(r, 'archived_sessions')]]),
  discover: (env) => discoverCodexFiles(env),
  formats: { codex: codexFormat },
};
