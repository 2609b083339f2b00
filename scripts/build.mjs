// Bundles the CLI and the ingest worker into dist/. better-sqlite3's native addon stays in its package (the one
// runtime dependency) while its JavaScript is bundled; everything else is bundled, which is why the other packages are
// devDependencies. Start-up time is a feature of a command line: see `startup` below.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const prices = JSON.parse(readFileSync(new URL('../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8'));

/**
 * What makes every command start sooner (measured: 13 files of better-sqlite3 and their lookup took ~15 ms, Node's
 * child_process and the network modules it pulls in several more):
 * - better-sqlite3 finds its addon through the `bindings` package, which searches a dozen places; bundled, its
 *   JavaScript loads with ours and the addon is required from where the package builds it.
 * - commander requires child_process at load only to run executable subcommands, which tokenmeter has none of: it
 *   is required when first used instead.
 */
function startup() {
  return {
    name: 'startup',
    setup(b) {
      b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'startup' }));
      b.onLoad({ filter: /.*/, namespace: 'startup' }, () => ({
        contents: "module.exports = (name) => require(require.resolve('better-sqlite3/build/Release/' + name));",
        loader: 'js',
      }));
      b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const eager = "const childProcess = require('node:child_process');";
        if (!source.includes(eager)) throw new Error(`commander changed: ${eager} not found in ${args.path}`);
        const lazy = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
        return { contents: source.replace(eager, lazy), loader: 'js' };
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['pg-native'],
  plugins: [startup()],
  sourcemap: false,
  // NO_MINIFY=1 keeps function names, for CPU profiles (node --cpu-prof) that say where the time goes.
  minify: !process.env.NO_MINIFY,
  logLevel: 'warning',
  define: { __TOKENMETER_VERSION__: JSON.stringify(pkg.version), __GENAI_PRICES_VERSION__: JSON.stringify(prices.version) },
  // ESM bundles of CommonJS dependencies need a real require().
  banner: { js: "import { createRequire as __tmCreateRequire } from 'node:module'; const require = __tmCreateRequire(import.meta.url);" },
};

// Chunk names change with their content: stale ones would pile up.
rmSync('dist', { recursive: true, force: true });

// Code split so that a command loads only what it uses (the price database alone is ~800 KB of JavaScript, parsed
// at every start if bundled in). Chunks sit beside the entry points: the CLI finds its worker next to itself. They
// are ES modules named .mjs, so that the entry beside them can be CommonJS (see below).
await build({
  ...common,
  entryPoints: {
    program: 'src/cli/program.ts',
    'statusline-command': 'src/cli/statusline-command.ts',
    'guard-command': 'src/cli/guard-command.ts',
    'ingest-worker': 'src/ingest/worker.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunk-[hash]',
});

/**
 * The entry, dist/cli.js, is CommonJS: Node runs an ES module only after starting its ES module loader, time that
 * --version and --help need not pay (measured, 41 runs alternating: +16 ms over `node -e 0` as an ES module, +5 ms
 * as CommonJS). Every other path imports its ES module, named here as it is built.
 */
const entryPaths = {
  name: 'entry-paths',
  setup(b) {
    b.onResolve({ filter: /^\.\/(program|statusline-command|guard-command)\.js$/ }, (args) => ({
      path: args.path.replace(/\.js$/, '.mjs'),
      external: true,
    }));
  },
};
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  format: 'cjs',
  // Not the ES modules' banner: CommonJS has its own require().
  banner: {},
  plugins: [entryPaths],
});
// dist/cli.js is CommonJS whatever the package's own type says.
writeFileSync('dist/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);
const cli = 'dist/cli.js';
const body = readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) writeFileSync(cli, '#!/usr/bin/env node\n' + body);
chmodSync(cli, 0o755);

// Every command's help, kept for --help to be answered without loading the command parser (see src/cli/main.ts).
const { execFileSync } = await import('node:child_process');
execFileSync(process.execPath, [cli], { env: { ...process.env, TOKENMETER_KEEP_HELP: 'dist/help.json' }, stdio: ['ignore', 'ignore', 'inherit'] });

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
