import { dirname } from 'node:path';
import type { AgentSource } from '../agent-source.js';
import { openCodeDatabase } from './database.js';
import { dataDir, discoverOpenCodeLike } from './discover.js';
import { openCodeMessageFile } from './legacy.js';

const app = { app: 'opencode', databaseFormat: 'opencode-db', messageFormat: 'opencode-message' };

export const openCodeSource: AgentSource = {
  tool: 'opencode',
  name: 'OpenCode',
  agent: 'opencode',
  where: '`~/.local/share/opencode/opencode*.db` (its live SQLite database, read-only), or before it `storage/message/*/*.json`',
  yields: 'per call (each step-finish): input, output, reasoning, cache read, cache write, model, session, cwd; its own cost where it priced the model',
  env: ['XDG_DATA_HOME', 'OPENCODE_DB'],
  serviceNames: ['opencode'],
  roots: (env) => [dataDir('opencode', env)],
  watch: (env) => [[dataDir('opencode', env), dirname(dataDir('opencode', env))]],
  discover: (env) => discoverOpenCodeLike(app, env),
  formats: { 'opencode-db': openCodeDatabase('opencode'), 'opencode-message': openCodeMessageFile('opencode') },
};
