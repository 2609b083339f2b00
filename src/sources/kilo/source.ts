// Kilo CLI is an OpenCode fork with the same database schema: OpenCode's readers, under its own name and folder.
import { dirname } from 'node:path';
import type { AgentSource } from '../agent-source.js';
import { openCodeDatabase } from '../opencode/database.js';
import { dataDir, discoverOpenCodeLike } from '../opencode/discover.js';
import { openCodeMessageFile } from '../opencode/legacy.js';

const app = { app: 'kilo', databaseFormat: 'kilo-db', messageFormat: 'kilo-message' };

export const kiloSource: AgentSource = {
  tool: 'kilo',
  name: 'Kilo CLI',
  agent: 'kilo',
  where: '`~/.local/share/kilo/kilo*.db` (its live SQLite database, read-only)',
  yields: 'as OpenCode; its cost is the provider-reported one where there is one',
  env: ['XDG_DATA_HOME', 'KILO_DB'],
  serviceNames: ['kilo', 'kilocode'],
  roots: (env) => [dataDir('kilo', env)],
  watch: (env) => [[dataDir('kilo', env), dirname(dataDir('kilo', env))]],
  discover: (env) => discoverOpenCodeLike(app, env),
  formats: { 'kilo-db': openCodeDatabase('kilo'), 'kilo-message': openCodeMessageFile('kilo') },
};
