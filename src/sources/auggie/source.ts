import { join } from 'node:path';
import type { AgentSource } from '../agent-source.js';
import { emptyDiscovery, homeOf, walk } from '../walk.js';
import { auggieSessionFormat } from './parse.js';

const augmentDir = (env: NodeJS.ProcessEnv) => join(homeOf(env), '.augment');
const sessionsDir = (env: NodeJS.ProcessEnv) => join(augmentDir(env), 'sessions');

export const auggieSource: AgentSource = {
  tool: 'auggie',
  name: 'Auggie',
  agent: 'auggie',
  where: '`~/.augment/sessions/<session>.json` (rewritten whole after each exchange)',
  yields: 'per exchange: input, output, cache read, cache write, session, cwd, request id; no model (shown as "unknown model (Augment)", unpriced)',
  env: [],
  serviceNames: ['auggie', 'augment'],
  roots: (env) => [sessionsDir(env)],
  watch: (env) => [[sessionsDir(env), augmentDir(env)]],
  discover: (env) => {
    const out = emptyDiscovery();
    walk(sessionsDir(env), (name, rel) => (name.endsWith('.json') && rel.length === 0 ? 'auggie-session' : null), out, new Set(), (path) => ({
      session: path.slice(path.lastIndexOf('/') + 1, -'.json'.length),
      project: '',
    }));
    return out;
  },
  formats: { 'auggie-session': auggieSessionFormat },
};
