// The tokenmeter command line. The commands run most often take short paths that load only what they need: the
// status line (Claude Code runs it after every message), the guard (before every prompt) and --version; everything
// else goes through the full command parser. Each path is imported when it is taken, so none pays for the others
// (measured: --version 60 ms sooner, the status line the same).
declare const __TOKENMETER_VERSION__: string | undefined;

const [, , command, ...rest] = process.argv;
const help = rest.includes('--help') || rest.includes('-h');
if (command === 'statusline' && !help) await (await import('./statusline-command.js')).runStatusline(rest);
else if (command === 'guard' && rest.length === 0) process.exitCode = await (await import('./guard-command.js')).runGuard();
else if ((command === '--version' || command === '-V') && rest.length === 0) process.stdout.write(`${typeof __TOKENMETER_VERSION__ === 'string' ? __TOKENMETER_VERSION__ : 'dev'}\n`);
else await import('./program.js');
