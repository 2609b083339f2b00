// Every registered agent's log files in one list.
import type { DirListings, Discovery } from './discovery.js';
import { AGENTS } from './registry.js';

export function discoverAll(env: NodeJS.ProcessEnv, listings: DirListings): Discovery {
  const found = AGENTS.map((agent) => ({ agent, d: agent.discover(env, listings) }));
  const first = found[0]!.d;
  const others = found.slice(1);
  const othersHave = others.some((o) => o.d.files.length > 0);
  const names = others.map((o) => o.agent.name);
  const none = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];
  return {
    files: found.flatMap((f) => f.d.files),
    problems: found.flatMap((f) => f.d.problems),
    // Said only when no source has anything.
    missing: first.missing && !othersHave ? `${first.missing}; no ${none} logs either` : null,
    listings: {
      changed: new Map(found.flatMap((f) => [...(f.d.listings?.changed ?? [])])),
      removed: found.flatMap((f) => f.d.listings?.removed ?? []),
    },
    folders: found.flatMap((f) => f.d.folders),
  };
}

/**
 * The folders where logs appear, each with the folder to watch instead while it does not exist yet (the root, where
 * it will be created).
 */
export function logRoots(env: NodeJS.ProcessEnv): string[][] {
  return AGENTS.flatMap((a) => a.watch(env));
}
