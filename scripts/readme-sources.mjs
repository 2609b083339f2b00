// Rewrites the README's table of sources from the source registry (npm run readme:sources after adding an agent).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Inside the project, so that the bundle's dependencies resolve.
const dir = mkdtempSync(join('node_modules', '.cache-readme-'));
const out = resolve(dir, 'registry.mjs');
try {
  await build({ entryPoints: ['src/sources/source-table.ts'], bundle: true, platform: 'node', format: 'esm', outfile: out, packages: 'external', logLevel: 'error' });
  const { sourceTable } = await import(pathToFileURL(out).href);
  const readme = readFileSync('README.md', 'utf8');
  const next = readme.replace(/<!-- sources -->\n[\s\S]*?<!-- \/sources -->/, `<!-- sources -->\n${sourceTable()}\n<!-- /sources -->`);
  if (next === readme) console.log('README.md: the table of sources is current');
  else {
    writeFileSync('README.md', next);
    console.log('README.md: the table of sources rewritten');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
