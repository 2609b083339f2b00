// The tokenmeter command line (all but the status line's short path, see main.ts).
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import type { Period } from '../core/report.js';
import { isToolFilter, TOOLS } from '../sources/registry.js';
import { DEFAULT_GRPC_PORT, DEFAULT_PORT, indexPath } from './home.js';
import type { ReportFlags } from './report-command.js';
import { UsageError } from './usage-error.js';
import type { BlocksFlags } from './blocks-command.js';
import type { IngestFlags } from './ingest-command.js';
import type { SetupFlags } from './setup-command.js';
import type { ServeFlags } from './serve-command.js';

/** --tool: a registered tool, a name an app's telemetry gave (service.name), or all. */
function toolArg(value: string): string {
  if (value === 'all' || isToolFilter(value)) return value;
  throw new InvalidArgumentError(`expected ${TOOLS.join(', ')}, an app's service.name (lowercase letters, digits, . _ -) or all`);
}

declare const __TOKENMETER_VERSION__: string | undefined;
const version = typeof __TOKENMETER_VERSION__ === 'string' ? __TOKENMETER_VERSION__ : 'dev';

// A report (the default command) is what is run most: its module starts loading now, beside the parser's set-up and
// the config, instead of after them.
const first = process.argv[2];
const reportCommand = first === undefined || first.startsWith('-') || ['daily', 'weekly', 'monthly', 'session'].includes(first)
  ? import('./report-command.js')
  : undefined;

const program = new Command('tokenmeter')
  .description('Tokens and costs of AI coding assistants, from their local logs')
  .version(version)
  // Every command prices with the user's own prices and aliases from the config file (a bad one is said, exit 2).
  .hook('preAction', async (_root, action) => {
    const [{ loadConfig }, { setPriceConfig }] = await Promise.all([import('./config.js'), import('../ingest/price-config.js')]);
    try {
      setPriceConfig(loadConfig().pricing);
    } catch (e) {
      // The guard fails open: a broken config must not stop the user's prompt (it says why itself).
      if (action.name() !== 'guard') throw e;
    }
  });

const reports: Array<[Period, string]> = [
  ['daily', 'usage by day'],
  ['weekly', 'usage by week'],
  ['monthly', 'usage by month'],
  ['session', 'usage by session'],
];

for (const [period, description] of reports) {
  const cmd = program
    .command(period, { isDefault: period === 'daily' })
    .description(description)
    .option('-s, --since <date>', 'from this day on (YYYY-MM-DD or YYYYMMDD)')
    .option('-u, --until <date>', 'up to and including this day')
    .option('-z, --tz <zone>', 'IANA time zone for day boundaries (default: the local zone)')
    .addOption(new Option('--timezone <zone>').hideHelp())
    .option('-p, --project <path>', "only this project (its path, or the path's last segment)")
    .addOption(new Option('--tool <tool>', `only this tool: ${TOOLS.join(', ')}, an app's service.name, or all`).argParser(toolArg).default('all'))
    .option('-b, --breakdown', 'a row per model under each period')
    .option('-j, --json', 'JSON output (ccusage field names)')
    .option('--csv', 'CSV output, a row per period (per model with --breakdown)')
    .option('--compact', 'the narrow table layout')
    .addOption(new Option('--chart [metric]', 'bars instead of a table: tokens by type, or cost').choices(['tokens', 'cost']))
    .addOption(new Option('-m, --mode <mode>', 'cost source: auto (logged cost when present), calculate, display').choices(['auto', 'calculate', 'display']).default('auto'))
    .addOption(new Option('-o, --order <order>', 'row order').choices(['asc', 'desc']).default('asc'))
    .option('--store <url>', 'fleet mode: the pooled PostgreSQL figures of every host (env TOKENMETER_DATABASE_URL; "local" for this machine only)')
    .option('--host <name>', 'only the usage recorded under this host name')
    .option('-v, --verbose', 'indexing figures, and the file and line of every skipped line');
  if (period === 'weekly') cmd.option('--start-of-week <day>', 'first day of a week (ISO weeks, as ccusage 20: monday)', 'monday');
  cmd.action(async (opts: ReportFlags & { timezone?: string }) => {
    const { runReport } = await (reportCommand ?? import('./report-command.js'));
    await runReport(period, { ...opts, tz: opts.tz ?? opts.timezone });
  });
}

program
  .command('statusline')
  .description("one line for Claude Code's statusLine setting, from the JSON it sends on stdin")
  .option('--format <template>', 'segments in order: {model} {cost} {session_cost} {today_cost} {tokens} {context} {rate} {cost_rate} {window} {weekly}')
  .option('--no-emoji', 'no emoji')
  .option('--no-color', 'no colour (also NO_COLOR)')
  .option('--plan <plan>', 'pro, max5, max20 or custom')
  .option('-t, --limit <tokens>', 'tokens per window, p90 or max')
  .action(async () => {
    const { runStatusline } = await import('./statusline-command.js');
    await runStatusline(process.argv.slice(process.argv.indexOf('statusline') + 1));
  });

program
  .command('live')
  .description('a full-screen view, refreshed once a second: the 5-hour window, burn rate, token rate, totals, top models and projects')
  .option('--compact', 'fewer lines, for small terminals')
  .option('--interval <seconds>', 'refresh interval', '1')
  .option('--plan <plan>', "pro, max5 or max20: the plan's cost and message limits beside the tokens' (also \"plan\" in the config file)")
  .action(async (opts: { compact?: boolean; interval?: string; plan?: string }) => {
    const { runLive } = await import('./live-command.js');
    await runLive(opts);
  });

program
  .command('hook')
  .description("for Claude Code's Stop, SubagentStop and SessionEnd hooks: reads the transcripts the hook names; always exits 0")
  .action(async () => {
    const { runHook } = await import('./hook-command.js');
    await runHook();
  });

program
  .command('ingest')
  .description('store one request\'s usage from stdin: {"usage": {...}} (Anthropic or OpenAI shape) or a whole API response')
  .option('--model <model>', 'the model (else the response\'s "model")')
  .option('--tool <tool>', `one of ${TOOLS.join(', ')}`, 'api')
  .option('--session <id>', 'the session it belongs to')
  .option('--project <path>', 'the project it belongs to')
  .option('--id <id>', 'the request\'s id (else the response\'s "id"): the same id is stored once')
  .action(async (opts: IngestFlags) => {
    const { runIngest } = await import('./ingest-command.js');
    await runIngest(opts);
  });

program
  .command('setup')
  .description("wire tokenmeter into Claude Code's settings.json (status line, hooks) and print the telemetry environment")
  .argument('<tool>', 'claude-code, or api (prints the base-URL environment for SDKs)')
  .option('--statusline', "set Claude Code's statusLine to tokenmeter statusline")
  .option('--hooks', 'add tokenmeter hook to the Stop, SubagentStop and SessionEnd hooks')
  .option('--guard', 'add tokenmeter guard to the UserPromptSubmit and PreToolUse hooks: enforced budgets stop work once spent')
  .option('--otel', 'print the environment that sends Claude Code telemetry to the daemon')
  .option('--mcp', 'print how to register tokenmeter as an MCP server for Claude Code, Codex CLI and Gemini CLI')
  .option('--write-env <file>', 'with --otel: also write it to this file')
  .option('--remove', "take tokenmeter's status line and hooks out again")
  .option('--dry-run', 'show the change, write nothing')
  .option('--undo', 'restore the settings from the last backup')
  .action(async (tool: string, opts: SetupFlags) => {
    const { runSetup } = await import('./setup-command.js');
    runSetup(tool, opts);
  });

program
  .command('disable')
  .description('print the one line that takes tokenmeter out of Claude Code at once')
  .action(async () => {
    const { disableLine } = await import('./setup-command.js');
    process.stdout.write(`${disableLine()}\n`);
  });

program
  .command('import')
  .description("import the seeds' usage-tracking.json (v1 or v2) as lifetime figures per host")
  .argument('<file>', 'usage-tracking.json')
  .option('--store <url>', 'fleet mode: also into this PostgreSQL database (env TOKENMETER_DATABASE_URL)')
  .action(async (file: string, opts: { store?: string }) => {
    const { runImport } = await import('./import-command.js');
    await runImport(file, opts);
  });

program
  .command('status')
  .description('whether the daemon runs, what the index holds, and in fleet mode the backlog not yet shipped')
  .option('-j, --json', 'JSON output')
  .action(async (opts: { json?: boolean }) => {
    const { runStatus } = await import('./status-command.js');
    await runStatus(opts);
  });

program
  .command('servers')
  .description("each host's 5-hour window and lifetime tokens, requests, sessions and last activity")
  .option('-j, --json', 'JSON output')
  .option('--store <url>', 'the pooled PostgreSQL store (env TOKENMETER_DATABASE_URL)')
  .action(async (opts: { json?: boolean; store?: string }) => {
    const { runServers } = await import('./servers-command.js');
    await runServers(opts);
  });

program
  .command('blocks')
  .description('5-hour windows: tokens, cost, burn rate, share of the limit, official percentage when known')
  .option('-a, --active', 'only the active window, with its projection')
  .option('-r, --recent', 'windows of the last 3 days')
  .option('-j, --json', 'JSON output (ccusage field names, plus limit and official figures)')
  .option('--csv', 'CSV output, one row per block')
  .option('--compact', 'a table that fits 80 columns')
  .option('-z, --tz <zone>', 'IANA time zone for the times shown (default: the local zone)')
  .addOption(new Option('--tool <tool>', "whose 5-hour window: Claude Code's (its own limits), another tool's, or all").argParser(toolArg).default('claude-code'))
  .option('--plan <plan>', 'pro, max5, max20 or custom (also "plan" in the config file)')
  .option('-t, --limit <tokens>', 'tokens per window, p90 (learned from past windows) or max (the largest seen)')
  .option('-s, --since <date>', 'windows ending after this day')
  .option('-u, --until <date>', 'windows starting up to this day')
  .option('--store <url>', 'fleet mode: the pooled window of every host (env TOKENMETER_DATABASE_URL)')
  .option('-v, --verbose', 'indexing figures')
  .action(async (opts: BlocksFlags) => {
    const { runBlocks } = await import('./blocks-command.js');
    await runBlocks(opts);
  });

program
  .command('serve')
  .description('run the daemon: follow logs live, receive OTLP telemetry, serve /metrics, the JSON API and the stream')
  .option('--host <address>', 'address to listen on (non-loopback needs --token)', '127.0.0.1')
  .option('--port <port>', `HTTP port (env TOKENMETER_PORT, default ${DEFAULT_PORT})`)
  .option('--grpc-port <port>', `OTLP/gRPC port (env TOKENMETER_GRPC_PORT, default ${DEFAULT_GRPC_PORT})`)
  .option('--no-grpc', 'do not listen for OTLP/gRPC')
  .option('--token <token>', 'bearer token required from clients (env TOKENMETER_TOKEN)')
  .option('--snapshot <path>', 'where to write token-metrics.json (env TOKENMETER_SNAPSHOT; default in TOKENMETER_HOME)')
  .option('--no-snapshot', 'do not write token-metrics.json')
  .option('--anthropic-upstream <url>', 'where /anthropic/… is forwarded (env TOKENMETER_ANTHROPIC_UPSTREAM)', undefined)
  .option('--openai-upstream <url>', 'where /openai/… is forwarded (env TOKENMETER_OPENAI_UPSTREAM)', undefined)
  .option('--inject-stream-usage', "ask OpenAI for usage in streamed chat completions whose client did not, and remove it from the client's stream")
  .option('--otlp-export <url>', 'push tokenmeter\'s metrics to an OpenTelemetry backend (env TOKENMETER_OTLP_EXPORT)')
  .option('--otlp-export-protocol <protocol>', 'http/protobuf, http/json or grpc', 'http/protobuf')
  .option('--otlp-export-temporality <temporality>', 'delta or cumulative', 'cumulative')
  .option('--otlp-export-interval <seconds>', 'seconds between exports', '60')
  .option('--otlp-export-scope <scope>', "fleet mode: this host's figures (host) or every host's (pooled)", 'host')
  .option('--store <url>', 'fleet mode: ship to this PostgreSQL database and serve the pooled figures (env TOKENMETER_DATABASE_URL)')
  .option('--host-name <name>', 'the name this machine\'s usage is recorded under (env TOKENMETER_HOST_NAME; default the hostname)')
  .option('--sweep-interval <seconds>', 'how often to look at every log file regardless of change events', '30')
  .option('-v, --verbose', 'log what the daemon does (DEBUG=tokenmeter for more)')
  .action(async (opts: ServeFlags) => {
    const { runServe } = await import('./serve-command.js');
    await runServe(opts, version);
  });

program
  .command('index')
  .description('bring the index up to date with the logs and exit (the daemon runs this for large catch-ups)')
  .option('-v, --verbose', 'indexing figures, and the file and line of every skipped line')
  .action(async (opts: { verbose?: boolean }) => {
    const { runIndex } = await import('./index-command.js');
    await runIndex(opts.verbose ?? false);
  });

program
  .command('service')
  .description('start the daemon at login: install | uninstall | status (systemd user unit on Linux, launchd agent on macOS)')
  .argument('<action>', 'install, uninstall or status')
  .option('--no-start', 'only write or remove the service file; do not call systemctl or launchctl')
  .addOption(new Option('--platform <platform>').hideHelp())
  .action(async (action: string, opts: { start: boolean; platform?: string }) => {
    const { runService } = await import('./service-command.js');
    process.exitCode = runService(action, opts);
  });

const budget = program.command('budget').description("spend limits per day, week, month or 5-hour window, and each one's use this period");
budget
  .command('list', { isDefault: true })
  .description("each budget's use this period")
  .option('-j, --json', 'JSON output')
  .option('-z, --tz <zone>', 'IANA time zone for day, week and month boundaries (default: the local zone)')
  .option('--store <url>', 'fleet mode: count the pooled usage of every host')
  .action(async (opts: { json?: boolean; tz?: string; store?: string }) => {
    const { listBudgets } = await import('./budget-command.js');
    await listBudgets(opts);
  });
budget
  .command('set <name>')
  .description('add a budget, or change the one of that name')
  .addOption(new Option('--period <period>', 'the period it covers').choices(['day', 'week', 'month', '5h']).makeOptionMandatory())
  .option('--usd <n>', 'a limit in USD')
  .option('--tokens <n>', 'a limit in tokens')
  .option('--percent <n>', "a limit in percent of the tool's official window (period 5h or week)")
  .addOption(new Option('--tool <tool>', 'only this tool').argParser(toolArg))
  .option('--project <path>', 'only this project')
  .option('--model <model>', 'only this model')
  .option('--host <name>', 'only this host')
  .option('--alert-at <percents>', 'alert at these percentages of it (default 80,100)')
  .option('--enforce', 'the guard stops new prompts once it is spent')
  .action(async (name: string, opts: import('./budget-command.js').BudgetSetFlags) => {
    const { setBudget } = await import('./budget-command.js');
    process.stdout.write(`${setBudget(name, opts)}\n`);
  });
budget
  .command('remove <name>')
  .description('remove a budget')
  .action(async (name: string) => {
    const { removeBudget } = await import('./budget-command.js');
    process.stdout.write(`${removeBudget(name)}\n`);
  });

program
  .command('guard')
  .description("Claude Code's UserPromptSubmit/PreToolUse hook: stops the prompt (exit 2, the reason on stderr) once an enforced budget is spent")
  .action(async () => {
    const { runGuard } = await import('./guard-command.js');
    process.exitCode = await runGuard();
  });

program
  .command('mcp')
  .description('a Model Context Protocol server on stdio: usage, windows, budgets and session costs for assistants')
  .action(async () => {
    const [{ buildMcpServer }, { StdioServerTransport }, { withIndex }, { loadConfig }] = await Promise.all([
      import('../server/mcp.js'), import('@modelcontextprotocol/sdk/server/stdio.js'), import('./index-access.js'), import('./config.js'),
    ]);
    const server = buildMcpServer({ withStore: (fn) => withIndex({}, (store) => fn(store)), budgets: () => loadConfig().budgets, version });
    await server.connect(new StdioServerTransport());
  });

program
  .command('prices [model]')
  .description("a model's price and where it comes from (your own prices, an alias, the price database); without a model, the models in the index that have none")
  .option('-j, --json', 'JSON output')
  .action(async (model: string | undefined, opts: { json?: boolean }) => {
    const { runPrices } = await import('./prices-command.js');
    process.exitCode = await runPrices(model, opts);
  });

program
  .command('doctor')
  .description('what tokenmeter sees, and where two sources disagree about a request or a session')
  .option('-j, --json', 'JSON output')
  .option('--limit <n>', 'disagreements to list', '20')
  .action(async (opts: { json?: boolean; limit: string }) => {
    const { runDoctor } = await import('./doctor-command.js');
    process.exitCode = await runDoctor(opts);
  });

// A reader that stops early (`| head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** The command meant by a mistyped one: the known name fewest edits away (one edit per three letters), if any. */
function suggestion(word: string, names: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
    return d[a.length]![b.length]!;
  };
  const most = Math.max(1, Math.floor(word.length / 3));
  return names.map((n) => [n, distance(word, n)] as const).filter(([, k]) => k <= most).sort((a, b) => a[1] - b[1])[0]?.[0];
}

// The build keeps every command's help beside the bundle, so that --help is answered without this parser (main.ts).
if (process.env.TOKENMETER_KEEP_HELP) {
  const help = Object.fromEntries([['', program.helpInformation()], ...program.commands.map((c) => [c.name(), c.helpInformation()])]);
  writeFileSync(process.env.TOKENMETER_KEEP_HELP, `${JSON.stringify(help)}\n`);
  process.exit(0);
}

// `daily` is the default command, so a mistyped command would reach it as an argument: say what is wrong instead.
const commands = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
if (first !== undefined && !first.startsWith('-') && !commands.includes(first) && first !== 'help') {
  const meant = suggestion(first, commands);
  process.stderr.write(`tokenmeter: unknown command "${first}"${meant ? ` — did you mean "${meant}"?` : ''} (tokenmeter --help lists them)\n`);
  process.exit(2);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`tokenmeter: ${e.message}\n`);
    process.exit(2);
  }
  const err = e as NodeJS.ErrnoException;
  process.stderr.write(`tokenmeter: ${err.message ?? String(e)}\n`);
  if (err.code === 'SQLITE_CORRUPT' || err.code === 'SQLITE_NOTADB') {
    process.stderr.write(`tokenmeter: the index at ${indexPath()} is damaged; move it aside and run again to rebuild it from the logs still on disk\n`);
  }
  if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
