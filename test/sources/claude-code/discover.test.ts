import { mkdirSync, realpathSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeRoots, discoverClaudeFiles } from '../../../src/sources/claude-code/discover.js';
import { tempDir } from '../../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
let projects: string;
beforeEach(() => {
  dir = tempDir();
  projects = join(dir.path, 'claude', 'projects');
  mkdirSync(join(projects, '-home-ana-api', 's1', 'subagents'), { recursive: true });
  writeFileSync(join(projects, '-home-ana-api', 's1.jsonl'), '{}\n');
  writeFileSync(join(projects, '-home-ana-api', 's1', 'subagents', 'agent-a.jsonl'), '{}\n');
  writeFileSync(join(projects, '-home-ana-api', 'notes.txt'), 'not a transcript');
});
afterEach(() => dir.cleanup());

const env = () => ({ CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), HOME: dir.path });
const names = (d: ReturnType<typeof discoverClaudeFiles>) => d.files.map((f) => f.path.split('/').slice(-2).join('/')).sort();

/** Backdates a folder so its listing counts as settled. */
function settle(path: string, agoMs: number) {
  const old = new Date(Date.now() - agoMs);
  utimesSync(path, old, old);
}

describe('Claude Code discovery', () => {
  it('finds transcripts and subagent files, with the session and project they fall back to', () => {
    const d = discoverClaudeFiles(env());
    expect(names(d)).toEqual(['-home-ana-api/s1.jsonl', 'subagents/agent-a.jsonl']);
    const main = d.files.find((f) => f.path.endsWith('s1.jsonl'))!;
    expect([main.sessionFallback, main.projectFallback]).toEqual(['s1', '-home-ana-api']);
  });

  it('reads roots from CLAUDE_CONFIG_DIR, comma-separated, else the two defaults', () => {
    expect(claudeRoots({ CLAUDE_CONFIG_DIR: '/a, /b ,', HOME: '/h' })).toEqual({ roots: ['/a', '/b'], fromEnv: true });
    expect(claudeRoots({ HOME: '/h' })).toEqual({ roots: ['/h/.config/claude', '/h/.claude'], fromEnv: false });
  });

  it('reuses a settled folder listing while its mtime is unchanged, and reads it again once it changes', () => {
    const folder = join(projects, '-home-ana-api');
    settle(folder, 120_000);
    const first = discoverClaudeFiles(env());
    const real = realpathSync(folder);
    const kept = first.listings.changed.get(real)!;
    expect(kept.mtimeMs).toBe(statSync(folder).mtimeMs);
    // Proof that the kept listing is used: a forged one with an extra name is believed while the mtime matches.
    writeFileSync(join(folder, 'hidden.jsonl'), '{}\n');
    settle(folder, 60_000);
    const forged = new Map([[real, { mtimeMs: statSync(folder).mtimeMs, entries: kept.entries }]]);
    expect(names(discoverClaudeFiles(env(), forged))).not.toContain('-home-ana-api/hidden.jsonl');
    expect(names(discoverClaudeFiles(env(), new Map([[real, kept]])))).toContain('-home-ana-api/hidden.jsonl');
  });

  it('does not keep the listing of a folder that changed a moment ago', () => {
    const d = discoverClaudeFiles(env());
    expect(d.listings.changed.has(realpathSync(join(projects, '-home-ana-api')))).toBe(false);
  });

  it('reports folders that are gone', () => {
    const d = discoverClaudeFiles(env(), new Map([['/nowhere/at/all', { mtimeMs: 1, entries: [] }]]));
    expect(d.listings.removed).toEqual(['/nowhere/at/all']);
  });

  it('follows symbolic links to folders and files, once', () => {
    symlinkSync(join(projects, '-home-ana-api'), join(projects, 'alias'));
    symlinkSync(join(projects, '-home-ana-api', 's1.jsonl'), join(projects, '-home-ana-api', 'same.jsonl'));
    expect(names(discoverClaudeFiles(env()))).toEqual(['-home-ana-api/s1.jsonl', 'subagents/agent-a.jsonl']);
  });
});
