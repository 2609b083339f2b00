// Every file-based source's logs in one list: Claude Code transcripts, Codex rollouts, Gemini chats.
import { claudeRoots, discoverClaudeFiles } from './claude-code/discover.js';
import type { DirListings, Discovery } from './discovery.js';
import { codexRoots, discoverCodexFiles, discoverGeminiFiles, geminiTmpDirs } from './other-discover.js';
import { join } from 'node:path';

export function discoverAll(env: NodeJS.ProcessEnv, listings: DirListings): Discovery {
  const claude = discoverClaudeFiles(env, listings);
  const codex = discoverCodexFiles(env);
  const gemini = discoverGeminiFiles(env);
  const others = codex.files.length + gemini.files.length;
  return {
    files: [...claude.files, ...codex.files, ...gemini.files],
    problems: [...claude.problems, ...codex.problems, ...gemini.problems],
    // Said only when no source has anything.
    missing: claude.missing && others === 0 ? `${claude.missing}; no Codex CLI or Gemini CLI logs either` : null,
    listings: claude.listings,
    folders: [...claude.folders, ...codex.folders, ...gemini.folders],
  };
}

/**
 * The folders where logs appear, each with the folder to watch instead while it does not exist yet (the root, where
 * it will be created). A root itself is not watched once its log folder exists: tools write much else there.
 */
export function logRoots(env: NodeJS.ProcessEnv): string[][] {
  return [
    ...claudeRoots(env).roots.map((r) => [join(r, 'projects'), r]),
    ...codexRoots(env).flatMap((r) => [[join(r, 'sessions'), r], [join(r, 'archived_sessions')]]),
    ...geminiTmpDirs(env).map((t) => [t]),
  ];
}
