// The tokenmeter command line. The commands run most often take short paths that load only what they need: the
// status line (Claude Code runs it after every message), the guard (before every prompt) and --version; everything
// else goes through the full command parser. Each path is imported when it is taken, so none pays for the others
// (measured: --version 60 ms sooner, the status line the same). Built as CommonJS (see scripts/build.mjs): no
// top-level await, and the kept help is found beside this file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __TOKENMETER_VERSION__: string | undefined;

const [, , command, ...rest] = process.argv;
const asksHelp = (a: string | undefined) => a === '--help' || a === '-h';
const help = rest.some(asksHelp);

/**
 * The help the build kept (dist/help.json) for `tokenmeter [command] --help`: the parser and every command's options
 * cost ~30 ms to load. Kept at the width help has when it is not shown on a terminal, or on one 80 columns wide.
 */
function keptHelp(): string | undefined {
  const key = asksHelp(command) && rest.length === 0 ? '' : command && !command.startsWith('-') && rest.length === 1 && asksHelp(rest[0]) ? command : null;
  if (key === null || (process.stdout.isTTY && process.stdout.columns !== 80)) return undefined;
  try {
    return (JSON.parse(readFileSync(join(__dirname, 'help.json'), 'utf8')) as Record<string, string | undefined>)[key];
  } catch {
    return undefined; // not built (run from sources, an ES module has no __dirname): the parser answers
  }
}

async function main(): Promise<void> {
  if (command === 'statusline' && !help) await (await import('./statusline-command.js')).runStatusline(rest);
  else if (command === 'guard' && rest.length === 0) process.exitCode = await (await import('./guard-command.js')).runGuard();
  else if ((command === '--version' || command === '-V') && rest.length === 0) process.stdout.write(`${typeof __TOKENMETER_VERSION__ === 'string' ? __TOKENMETER_VERSION__ : 'dev'}\n`);
  else {
    const kept = keptHelp();
    if (kept !== undefined) process.stdout.write(kept);
    else await import('./program.js');
  }
}

// A failure no command caught is left unhandled: Node prints it and exits with status 1, as before.
void main();
