import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENTS, agentName, agentOfFormat, formatNamed, TOOLS } from '../../src/sources/registry.js';
import { sourceTable } from '../../src/sources/source-table.js';
import { CLAUDE_TRANSCRIPT } from '../../src/sources/agent-source.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the source registry', () => {
  it('names each agent once, each format once, and api last among the tools', () => {
    const tools = AGENTS.map((a) => a.tool);
    expect(new Set(tools).size).toBe(tools.length);
    expect(TOOLS).toEqual([...tools, 'api']);
    const formats = AGENTS.flatMap((a) => Object.keys(a.formats));
    expect(new Set(formats).size).toBe(formats.length);
    for (const a of AGENTS) for (const f of Object.keys(a.formats)) expect(agentOfFormat(f)).toBe(a);
    expect(formatNamed('claude-code')).toBe(CLAUDE_TRANSCRIPT);
    expect(() => formatNamed('no-such-format')).toThrow('no source reads files of format "no-such-format"');
    expect(agentName('claude-code')).toBe('claude');
    expect(agentName('api')).toBe('api');
  });

  it('is what the README table of sources says', () => {
    const table = sourceTable();
    for (const a of AGENTS) expect(table).toContain(`| \`${a.tool}\` | ${a.name} |`);
    const block = /<!-- sources -->\n([\s\S]*?)\n?<!-- \/sources -->/.exec(readme)?.[1]?.trim();
    expect(block, 'npm run readme:sources rewrites it').toBe(table);
  });

  it('watches and walks nothing outside the roots it names', () => {
    const env = { HOME: '/nonexistent-home' };
    for (const a of AGENTS) {
      const roots = a.roots(env);
      expect(roots.length).toBeGreaterThan(0);
      // Each watched folder is under a root (what is watched instead while it is absent may be its parent).
      for (const [w] of a.watch(env)) expect(roots.some((r) => w!.startsWith(r))).toBe(true);
      const d = a.discover(env, new Map());
      expect(d.files).toEqual([]);
      expect(d.problems).toEqual([]);
    }
  });
});
