import type { AgentSource } from '../agent-source.js';
import { discoverDroidFiles, droidSessionsDir, factoryDir } from './discover.js';
import { droidSessionFormat } from './parse.js';

export const droidSource: AgentSource = {
  tool: 'droid',
  name: 'Factory Droid',
  agent: 'droid',
  where: '`~/.factory/sessions/<cwd>/<session>.settings.json` (rewritten after every call)',
  yields: 'per session only (a running total, one record that grows; requests unknown): input, output (reasoning inside), reasoning, cache read, cache write, model, cwd',
  env: ['FACTORY_HOME_OVERRIDE'],
  serviceNames: ['droid', 'factory-droid', 'factory-cli'],
  turnSpans: true,
  spanInputUncached: true,
  roots: (env) => [droidSessionsDir(env)],
  watch: (env) => [[droidSessionsDir(env), factoryDir(env)]],
  discover: (env) => discoverDroidFiles(env),
  formats: { 'droid-session': droidSessionFormat },
};
