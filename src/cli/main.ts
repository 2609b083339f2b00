// The tokenmeter command line. The status line, run by Claude Code after every message, takes a short path that loads
// only what it needs (statically: a dynamic import would cost another module round trip); everything else goes
// through the full command parser.
import { runStatusline } from './statusline-command.js';

const [, , command, ...rest] = process.argv;
// --help goes to the full parser, which knows the options.
if (command === 'statusline' && !rest.includes('--help') && !rest.includes('-h')) await runStatusline(rest);
// The guard runs before every prompt: it too skips the full parser.
else if (command === 'guard' && rest.length === 0) process.exitCode = await (await import('./guard-command.js')).runGuard();
else await import('./program.js');
