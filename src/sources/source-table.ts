// The README's table of sources, as the registry says it.
import { AGENTS } from './registry.js';

export function sourceTable(): string {
  const rows = AGENTS.map((a) => `| \`${a.tool}\` | ${a.name} | ${a.where} | ${a.yields} | ${a.env.map((v) => `\`${v}\``).join(', ')} |`);
  return ['| `--tool` | agent | read from | yields | moved by |', '|---|---|---|---|---|', ...rows].join('\n');
}
