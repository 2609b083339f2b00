import type { AgentSource } from '../agent-source.js';
import { copilotEventDirs, copilotHome, discoverCopilotFiles } from './discover.js';
import { copilotFormat } from './parse.js';

export const copilotSource: AgentSource = {
  tool: 'copilot',
  name: 'GitHub Copilot CLI',
  agent: 'copilot',
  where: '`session.usage_record` events in `~/.copilot/session-state/<session>/events.jsonl` (and its OTLP traces, counted once with them)',
  yields: 'per call: input (cache reads and writes split out), output, reasoning, cache write, model, session, cwd, response id',
  env: ['COPILOT_HOME', 'COPILOT_EVENTS_LOG_DIRECTORY'],
  serviceNames: ['github-copilot'],
  roots: (env) => [copilotHome(env), ...copilotEventDirs(env).slice(1)],
  watch: (env) => copilotEventDirs(env).map((d, i) => (i === 0 ? [d, copilotHome(env)] : [d])),
  discover: discoverCopilotFiles,
  formats: { copilot: copilotFormat },
};
