// tokenmeter guard: a Claude Code hook (UserPromptSubmit, and PreToolUse for long agent runs) that stops the prompt or
// the tool call once an enforced budget in scope is spent: exit 2 with the reason on stderr, which Claude Code shows
// to the user instead of sending the prompt. Anything that goes wrong on tokenmeter's side lets it through (exit 0,
// with why on stderr): a tracker must never stop the tool it watches by its own fault.
import { coversClaudeSession, type Budget, type BudgetUse } from '../core/budgets.js';
import { assertTimeZone, LOCAL_ZONE } from '../core/time.js';
import { printable } from '../core/text.js';
import { setPriceConfig } from '../ingest/price-config.js';
import { loadConfig } from './config.js';
import { daemonLockPath, hostName } from './home.js';

/** How long the daemon may take to answer before the index is read instead. */
const DAEMON_TIMEOUT_MS = 300;

interface HookInput {
  cwd?: unknown;
  hook_event_name?: unknown;
}

const PERIOD_WORDS: Record<string, string> = { day: 'today', week: 'this week', month: 'this month', '5h': 'in this 5-hour window' };

/** The one line Claude Code shows: which budget, how much of what, until when, and how to go on. */
export function refusal(u: BudgetUse): string {
  const spentOf = u.limits.usd !== undefined && u.usd >= u.limits.usd ? `$${u.usd.toFixed(2)} of $${u.limits.usd.toFixed(2)}`
    : u.limits.tokens !== undefined && u.tokens >= u.limits.tokens ? `${u.tokens.toLocaleString('en-US')} of ${u.limits.tokens.toLocaleString('en-US')} tokens`
      : `${(u.percent ?? 0).toFixed(0)}% of ${u.limits.percent}% of the window`;
  const until = new Date(u.end).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
  return `tokenmeter: budget "${printable(u.name)}" is spent: ${spentOf} ${PERIOD_WORDS[u.period]} (until ${until}). ` +
    `Raise it with \`tokenmeter budget set ${printable(u.name)} …\` or remove it with \`tokenmeter budget remove ${printable(u.name)}\`.`;
}

/** A running daemon's figures for these budgets (it reads the same config), or null to read the index instead. */
async function fromDaemon(names: string[]): Promise<BudgetUse[] | null> {
  const { runningDaemon } = await import('../server/instance-lock.js');
  const daemon = runningDaemon(daemonLockPath());
  if (!daemon) return null;
  try {
    const { getFromDaemon } = await import('./daemon-client.js');
    const r = await getFromDaemon(daemon.port, '/api/budgets', DAEMON_TIMEOUT_MS);
    if (r.status !== 200) return null;
    const uses = (JSON.parse(r.body) as { budgets: Array<BudgetUse & { start: string; end: string }> }).budgets
      .map((u) => ({ ...u, start: Date.parse(u.start), end: Date.parse(u.end) }));
    // A daemon started with another config does not know these budgets: the index answers instead.
    return names.every((n) => uses.some((u) => u.name === n)) ? uses.filter((u) => names.includes(u.name)) : null;
  } catch {
    return null;
  }
}

async function fromIndex(budgets: Budget[], now: number): Promise<BudgetUse[]> {
  const timeZone = assertTimeZone(process.env.TOKENMETER_TZ ?? LOCAL_ZONE);
  const [{ withIndex }, { budgetUses }] = await Promise.all([import('./index-access.js'), import('../server/budgets.js')]);
  return withIndex({}, (store) => budgetUses(store, budgets, { now, timeZone }));
}

async function readInput(): Promise<HookInput> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  const v: unknown = text ? JSON.parse(text) : {};
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as HookInput) : {};
}

export async function runGuard(now = Date.now()): Promise<number> {
  try {
    const input = await readInput();
    const config = loadConfig();
    // What the index catches up on is priced as every other command prices it.
    setPriceConfig(config.pricing);
    const budgets = config.budgets.filter((b) => b.enforce && coversClaudeSession(b, typeof input.cwd === 'string' ? input.cwd : '', hostName()));
    if (budgets.length === 0) return 0;
    const uses = (await fromDaemon(budgets.map((b) => b.name))) ?? (await fromIndex(budgets, now));
    const spent = uses.find((u) => u.spent);
    if (!spent) return 0;
    process.stderr.write(`${refusal(spent)}\n`);
    return 2;
  } catch (e) {
    process.stderr.write(`tokenmeter guard: ${(e as Error).message} (the prompt goes through)\n`);
    return 0;
  }
}
