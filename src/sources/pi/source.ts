import type { AgentSource } from '../agent-source.js';
import { discoverPiFiles, piAgentDir, piSessionDirs } from './discover.js';
import { piFormat } from './parse.js';

export const piSource: AgentSource = {
  tool: 'pi',
  name: 'pi',
  agent: 'pi',
  where: '`~/.pi/agent/sessions/--<cwd>--/*.jsonl`, and the `sessionDir` of its settings',
  yields: 'per call: input, output (reasoning inside, not apart), cache read, cache write, model, session, cwd, response id; its own cost where it priced the model',
  env: ['PI_CODING_AGENT_DIR', 'PI_CODING_AGENT_SESSION_DIR'],
  roots: (env) => [piAgentDir(env), ...piSessionDirs(env).slice(1)],
  watch: (env) => piSessionDirs(env).map((d, i) => (i === 0 ? [d, piAgentDir(env)] : [d])),
  discover: discoverPiFiles,
  formats: { pi: piFormat },
};
