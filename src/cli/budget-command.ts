// tokenmeter budget [list|set|remove]: the budgets of the config file, edited without touching anything else in it
// (written to a temporary file and renamed over), and each one's use this period.
import { readFileSync } from 'node:fs';
import { parseBudgets, budgetJson, budgetUseJson, type Budget, type BudgetPeriod, type BudgetUse } from '../core/budgets.js';
import { assertTimeZone, LOCAL_ZONE } from '../core/time.js';
import { printable } from '../core/text.js';
import { configPath, loadConfig } from './config.js';
import { withIndex } from './index-access.js';
import { writeAtomically } from './setup-command.js';
import { UsageError } from './usage-error.js';

export interface BudgetSetFlags {
  period: BudgetPeriod;
  usd?: string;
  tokens?: string;
  percent?: string;
  tool?: string;
  project?: string;
  model?: string;
  host?: string;
  alertAt?: string;
  enforce?: boolean;
}

/** The config file as an object to edit (empty when there is none yet), and its budgets as read. */
function readConfigObject(path: string): { raw: Record<string, unknown>; budgets: Budget[] } {
  // Says what is wrong with the file, if anything, before it is edited.
  const { budgets } = loadConfig();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { raw: {}, budgets };
  }
  return { raw: JSON.parse(text) as Record<string, unknown>, budgets };
}

function writeBudgets(path: string, config: Record<string, unknown>, budgets: Budget[]): void {
  const next = { ...config, budgets: budgets.map(budgetJson) };
  // Checked as it will be read back: an edit never leaves a config that stops every command.
  parseBudgets(next.budgets, path);
  writeAtomically(path, `${JSON.stringify(next, null, 2)}\n`);
}

const numberFlag = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag}: expected a positive number, got "${v}"`);
  return n;
};

export function setBudget(name: string, flags: BudgetSetFlags): string {
  const path = configPath();
  const config = readConfigObject(path);
  const budgets = config.budgets.filter((b) => b.name !== name);
  const raw = {
    name, period: flags.period, usd: numberFlag(flags.usd, '--usd'), tokens: numberFlag(flags.tokens, '--tokens'), percent: numberFlag(flags.percent, '--percent'),
    tool: flags.tool, project: flags.project, model: flags.model, host: flags.host,
    alertAt: flags.alertAt?.split(',').map((p) => numberFlag(p.trim(), '--alert-at')), enforce: flags.enforce || undefined,
  };
  let budget: Budget;
  try {
    budget = parseBudgets([Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined))], 'budget')[0]!;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^budget: budgets\[0\]/, `budget ${name}`));
  }
  const replaced = budgets.length < config.budgets.length;
  writeBudgets(path, config.raw, [...budgets, budget]);
  return `${replaced ? 'changed' : 'added'} budget ${name} in ${path}`;
}

export function removeBudget(name: string): string {
  const path = configPath();
  const { raw, budgets } = readConfigObject(path);
  if (!budgets.some((b) => b.name === name)) throw new UsageError(`no budget named "${name}" in ${path} (tokenmeter budget list shows them)`);
  writeBudgets(path, raw, budgets.filter((b) => b.name !== name));
  return `removed budget ${name} from ${path}`;
}

const money = (v: number) => `$${v.toFixed(2)}`;
const limitText = (u: BudgetUse) => [
  u.limits.usd !== undefined ? `${money(u.usd)} of ${money(u.limits.usd)}` : null,
  u.limits.tokens !== undefined ? `${u.tokens.toLocaleString('en-US')} of ${u.limits.tokens.toLocaleString('en-US')} tokens` : null,
  u.limits.percent !== undefined ? `${u.percent === null ? '?' : `${u.percent.toFixed(0)}%`} of ${u.limits.percent}% of the window` : null,
].filter(Boolean).join(', ');

export async function listBudgets(flags: { json?: boolean; tz?: string; store?: string }, now = Date.now()): Promise<void> {
  const { budgets } = loadConfig();
  const timeZone = assertTimeZone(flags.tz ?? process.env.TOKENMETER_TZ ?? LOCAL_ZONE);
  const uses = await withIndex({ verbose: false, store: flags.store }, async (store) => {
    const { budgetUses } = await import('../server/budgets.js');
    return budgetUses(store, budgets, { now, timeZone });
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ budgets: uses.map(budgetUseJson) }, null, 2)}\n`);
    return;
  }
  if (!uses.length) {
    process.stdout.write(`No budgets. Add one: tokenmeter budget set daily-cap --period day --usd 20\n`);
    return;
  }
  for (const u of uses) {
    const scope = Object.entries(u.scope).map(([k, v]) => `${k} ${printable(v)}`).join(', ');
    const mark = u.spent ? 'SPENT' : `${(u.ratio * 100).toFixed(0)}%`;
    process.stdout.write(`${u.name} (${u.period}${scope ? `, ${scope}` : ''}${u.enforce ? ', enforced' : ''}): ${mark}: ${limitText(u)}, until ${new Date(u.end).toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
  }
}
