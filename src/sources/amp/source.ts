import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentSource } from '../agent-source.js';
import { emptyDiscovery, homeOf, listVar, walk } from '../walk.js';
import { ampThreadFormat } from './parse.js';

/** Amp's data folders: `$XDG_DATA_HOME/amp`, or those AMP_DATA_DIR lists (ccusage's variable, comma-separated). */
const ampDirs = (env: NodeJS.ProcessEnv): string[] =>
  env.AMP_DATA_DIR ? listVar(env.AMP_DATA_DIR) : [join(env.XDG_DATA_HOME || join(homeOf(env), '.local', 'share'), 'amp')];

export const ampSource: AgentSource = {
  tool: 'amp',
  name: 'Amp',
  agent: 'amp',
  where: '`~/.local/share/amp/threads/T-*.json` (older Amp CLIs and the VS Code extension; newer CLIs keep threads on Amp\'s server)',
  yields: 'per call: input, output, cache read, cache write, model, thread, workspace folder',
  env: ['XDG_DATA_HOME', 'AMP_DATA_DIR'],
  serviceNames: ['amp'],
  roots: (env) => ampDirs(env).map((d) => join(d, 'threads')),
  watch: (env) => ampDirs(env).map((d) => [join(d, 'threads'), d]),
  discover: (env) => {
    const out = emptyDiscovery();
    const seen = new Set<string>();
    for (const dir of ampDirs(env)) {
      walk(join(dir, 'threads'), (name, rel) => (/^T-.+\.json$/.test(name) && rel.length === 0 ? 'amp-thread' : null), out, seen, (path) => ({
        session: path.slice(path.lastIndexOf('/') + 1, -'.json'.length),
        project: '',
      }));
    }
    return out;
  },
  // The current CLI is in use here (its device id) but threads live on Amp's server: say where they are.
  notice: (env) => (ampDirs(env).some((d) => existsSync(join(d, 'device-id.json')))
    ? 'Amp: threads of current Amp CLIs are kept on Amp\'s server, not on disk, and are not counted here (`amp threads usage <id>` shows one; the API proxy counts calls made with your own key)'
    : null),
  formats: { 'amp-thread': ampThreadFormat },
};
