import type { AgentSource } from '../agent-source.js';
import { clineDataDir, clineSessionsDir, clineTaskRoots, discoverClineFiles } from './discover.js';
import { clineSessionFormat, clineTaskFormat } from './parse.js';

export const clineSource: AgentSource = {
  tool: 'cline',
  name: 'Cline',
  agent: 'cline',
  where: 'Cline CLI 3.x: `~/.cline/data/sessions/<id>/<id>.messages.json`; the Cline, Roo Code and Kilo Code extensions of every VS Code-family editor and Cline CLI 2.x: `tasks/<id>/ui_messages.json` (all rewritten whole)',
  yields: 'per call: input (cache split out by the provider\'s convention), output (reasoning inside), cache read, cache write, model, session (task), cwd; its own cost where it priced the model',
  env: ['CLINE_DIR', 'CLINE_DATA_DIR', 'CLINE_SESSION_DATA_DIR'],
  serviceNames: ['cline'],
  roots: (env) => [clineSessionsDir(env), ...clineTaskRoots(env).map((r) => `${r}/tasks`)],
  watch: (env) => [[clineSessionsDir(env), clineDataDir(env)], ...clineTaskRoots(env).map((r) => [`${r}/tasks`, r])],
  discover: (env) => discoverClineFiles(env),
  formats: { 'cline-session': clineSessionFormat, 'cline-task': clineTaskFormat },
};
