import { dirname } from 'node:path';
import type { AgentSource } from '../agent-source.js';
import { openCodeDatabase } from './database.js';
import { dataDir, discoverOpenCodeLike } from './discover.js';
import { openCodeMessageFile } from './legacy.js';

type Described = Pick<AgentSource, 'name' | 'where' | 'yields' | 'env' | 'serviceNames'>;

/** An agent that keeps OpenCode's schema under `$XDG_DATA_HOME/<app>/` (OpenCode itself, and its forks). */
export function openCodeLikeSource(app: string, described: Described): AgentSource {
  const a = { app, databaseFormat: `${app}-db`, messageFormat: `${app}-message` };
  return {
    tool: app,
    agent: app,
    ...described,
    roots: (env) => [dataDir(app, env)],
    watch: (env) => [[dataDir(app, env), dirname(dataDir(app, env))]],
    discover: (env) => discoverOpenCodeLike(a, env),
    formats: { [a.databaseFormat]: openCodeDatabase(app), [a.messageFormat]: openCodeMessageFile(app) },
  };
}

export const openCodeSource = openCodeLikeSource('opencode', {
  name: 'OpenCode',
  where: '`~/.local/share/opencode/opencode*.db` (its live SQLite database, read-only), or before it `storage/message/*/*.json`',
  yields: 'per call (each step-finish): input, output, reasoning, cache read, cache write, model, session, cwd; its own cost where it priced the model',
  env: ['XDG_DATA_HOME', 'OPENCODE_DB'],
  serviceNames: ['opencode'],
});
