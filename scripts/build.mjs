// Bundles the CLI and the ingest worker into dist/. better-sqlite3 stays external (a native addon, the one runtime
// dependency); everything else is bundled, which is why the other packages are devDependencies.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const prices = JSON.parse(readFileSync(new URL('../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3', 'pg-native'],
  sourcemap: false,
  minify: process.env.NO_MINIFY ? false : true,
  logLevel: 'warning',
  define: { __TOKENMETER_VERSION__: JSON.stringify(pkg.version), __GENAI_PRICES_VERSION__: JSON.stringify(prices.version) },
  // ESM bundles of CommonJS dependencies need a real require().
  banner: { js: "import { createRequire as __tmCreateRequire } from 'node:module'; const require = __tmCreateRequire(import.meta.url);" },
};

// Chunk names change with their content: stale ones would pile up.
rmSync('dist', { recursive: true, force: true });

// Code split so that a command loads only what it uses (the price database alone is ~800 KB of JavaScript, parsed
// at every start if bundled in). Chunks sit beside the entry points: the CLI finds its worker next to itself.
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', 'ingest-worker': 'src/ingest/worker.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunk-[hash]',
});
const cli = 'dist/cli.js';
const body = readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(cli, '#!/usr/bin/env node\n' + body);
}
chmodSync(cli, 0o755);

// The dashboard: one script, its styles and uPlot's, and the page; no CDN, nothing fetched at run time.
const { copyFileSync, mkdirSync } = await import('node:fs');
mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: ['web/app.ts'], bundle: true, minify: true, format: 'iife', target: 'es2020', platform: 'browser',
  outfile: 'dist/web/app.js', logLevel: 'warning',
});
copyFileSync('web/index.html', 'dist/web/index.html');
copyFileSync('web/style.css', 'dist/web/style.css');
copyFileSync('node_modules/uplot/dist/uPlot.min.css', 'dist/web/uplot.css');
