// Kilo CLI is an OpenCode fork with the same database schema: OpenCode's readers, under its own name and folder.
import { openCodeLikeSource } from '../opencode/source.js';

export const kiloSource = openCodeLikeSource('kilo', {
  name: 'Kilo CLI',
  where: '`~/.local/share/kilo/kilo*.db` (its live SQLite database, read-only)',
  yields: 'as OpenCode; its cost is the provider-reported one where there is one',
  env: ['XDG_DATA_HOME', 'KILO_DB'],
  serviceNames: ['kilo', 'kilocode'],
});
