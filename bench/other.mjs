// Every agent's logs (run by bench/run.mjs as `other`): BENCH_AGENT_MB (default 100) of generated logs per agent,
// each indexed cold alone (MB/s and requests/s beside Claude Code's, whose runs alternate with its own), then all of
// them together: cold and warm `daily --json`, and a check that every total is the generators'.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAmp, generateAuggie, generateCline, generateCopilot, generateCrush, generateDroid, generateOpenCode, generatePi, generateQwen } from './generate-agents.mjs';
import { generateHistory } from './generate-history.mjs';
import { generateCodex, generateGemini } from './generate-other.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const claudeTotals = (t) => ({ requests: t.requests, input: t.inputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheCreationTokens, output: t.outputTokens, reasoning: 0 });

/** Each agent: its generator, and the variable that points the agent's reader at the generated folder. */
const AGENTS = [
  { tool: 'claude-code', env: 'CLAUDE_CONFIG_DIR', generate: (dir, targetBytes) => {
    const g = generateHistory(dir, { targetBytes });
    return { bytes: g.bytes, files: g.files, totals: claudeTotals(g.totals) };
  } },
  { tool: 'codex', env: 'CODEX_HOME', generate: (dir, targetBytes) => generateCodex(dir, { targetBytes }) },
  { tool: 'gemini', env: 'GEMINI_DIR', generate: (dir, targetBytes) => generateGemini(dir, { targetBytes }) },
  { tool: 'pi', env: 'PI_CODING_AGENT_DIR', generate: (dir, targetBytes) => generatePi(dir, { targetBytes }) },
  { tool: 'qwen', env: 'QWEN_RUNTIME_DIR', generate: (dir, targetBytes) => generateQwen(dir, { targetBytes }) },
  { tool: 'copilot', env: 'COPILOT_HOME', generate: (dir, targetBytes) => generateCopilot(dir, { targetBytes }) },
  { tool: 'opencode', env: 'XDG_DATA_HOME', generate: (dir, targetBytes) => generateOpenCode(dir, { targetBytes }) },
  { tool: 'cline', env: 'CLINE_DATA_DIR', generate: (dir, targetBytes) => generateCline(dir, { targetBytes }) },
  { tool: 'droid', env: 'FACTORY_HOME_OVERRIDE', generate: (dir, targetBytes) => generateDroid(dir, { targetBytes }) },
  // Auggie's folder is under HOME: its generated home is the one every run uses.
  { tool: 'auggie', env: null, generate: (dir, targetBytes) => generateAuggie(dir, { targetBytes }) },
  { tool: 'amp', env: 'AMP_DATA_DIR', generate: (dir, targetBytes) => generateAmp(dir, { targetBytes }) },
  // Sessions' costs only: its tokens are unknown, its totals the requests (one per session).
  { tool: 'crush', env: 'CRUSH_GLOBAL_DATA', generate: (dir, targetBytes) => generateCrush(dir, { targetBytes }) },
];

const FIELDS = ['requests', 'input', 'cacheRead', 'cacheWrite', 'output', 'reasoning'];
const reported = (t) => ({ requests: t.requests, input: t.inputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheCreationTokens, output: t.outputTokens, reasoning: t.reasoningTokens });
const sum = (ts) => Object.fromEntries(FIELDS.map((f) => [f, ts.reduce((s, t) => s + (t[f] ?? 0), 0)]));
const same = (a, b) => FIELDS.every((f) => a[f] === (b[f] ?? 0));

export async function benchOther({ cli, here, log }) {
  const mb = Number(process.env.BENCH_AGENT_MB ?? 100);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const dir = join(here, '.data', `agents-${mb}mb`);
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) {
    rmSync(dir, { recursive: true, force: true });
    const m = {};
    for (const a of AGENTS) {
      const t = performance.now();
      m[a.tool] = a.generate(join(dir, a.tool), mb * 1048576);
      log(`generated ${mb} MB of ${a.tool} logs (${m[a.tool].files} files, ${m[a.tool].totals.requests} requests) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    writeFileSync(manifest, JSON.stringify(m));
  }
  const m = JSON.parse(readFileSync(manifest, 'utf8'));
  const home = join(dir, 'tokenmeter-home');
  mkdirSync(join(dir, 'home'), { recursive: true });
  // Every reader pointed at a folder that does not exist, but the agents asked for.
  const nowhere = Object.fromEntries(AGENTS.filter((a) => a.env).map((a) => [a.env, join(dir, 'nowhere')]));
  const envFor = (tools) => ({
    ...process.env, ...nowhere, HOME: tools.includes('auggie') ? join(dir, 'auggie') : join(dir, 'home'),
    ...Object.fromEntries(AGENTS.filter((a) => a.env && tools.includes(a.tool)).map((a) => [a.env, join(dir, a.tool)])), TOKENMETER_HOME: home, TZ: 'UTC',
  });
  const run = (env, cmd = [cli, 'daily', '--json']) => {
    const t = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...cmd], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(r.stderr);
    return { wall: (performance.now() - t) / 1000, rss: Number(r.stderr.trim().split('\n').pop()) / 1024, out: cmd.length > 2 ? JSON.parse(r.stdout) : null };
  };
  const cold1 = (env) => {
    rmSync(home, { recursive: true, force: true });
    return run(env);
  };
  /** `between` runs after each run (Claude Code's run, to compare with). */
  const cold = (env, between) => {
    const rs = Array.from({ length: runs }, () => {
      const r = cold1(env);
      between?.();
      return r;
    });
    return { wall: median(rs.map((r) => r.wall)), rss: Math.max(...rs.map((r) => r.rss)), out: rs.at(-1).out };
  };
  const node = median(Array.from({ length: 5 }, () => run(process.env, ['-e', '0']).wall));

  log(`every agent's logs, ${mb} MB each, cold index + daily --json alone, median of ${runs} (node -e 0: ${node.toFixed(3)} s):`);
  log('| agent | files | requests | wall s | MB/s | requests/s | vs Claude Code MB/s (runs alternating) | peak RSS MB | totals vs generator |');
  log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  const rates = [];
  // Each agent's runs alternate with Claude Code's, and its ratio is to those: this machine's speed wanders by a
  // third between minutes, more than the differences measured.
  const claudeRate = (wall) => m['claude-code'].bytes / 1048576 / wall;
  for (const a of AGENTS) {
    const g = m[a.tool];
    const claudeWalls = [];
    const r = cold(envFor([a.tool]), a.tool === 'claude-code' ? undefined : () => claudeWalls.push(cold1(envFor(['claude-code'])).wall));
    const rate = g.bytes / 1048576 / r.wall;
    const claude = claudeRate(claudeWalls.length ? median(claudeWalls) : r.wall);
    rates.push({ tool: a.tool, mb, rate, ratio: rate / claude });
    const ok = same(reported(r.out.totals), g.totals);
    log(`| ${a.tool} | ${g.files} | ${g.totals.requests} | ${r.wall.toFixed(3)} | ${rate.toFixed(0)} | ${(g.totals.requests / r.wall).toFixed(0)} | ${(rate / claude).toFixed(2)}× | ${r.rss.toFixed(0)} | ${ok ? 'identical' : `DIFFER: ${JSON.stringify(reported(r.out.totals))} vs ${JSON.stringify(g.totals)}`} |`);
  }

  const all = envFor(AGENTS.map((a) => a.tool));
  const together = cold(all);
  const warm = Array.from({ length: Math.max(runs, 5) }, () => run(all));
  const want = sum(AGENTS.map((a) => m[a.tool].totals));
  const got = reported(together.out.totals);
  const bytes = AGENTS.reduce((s, a) => s + m[a.tool].bytes, 0);
  log(`all ${AGENTS.length} agents together (${(bytes / 1048576).toFixed(0)} MB, ${want.requests} requests):`);
  log('| run | wall s | peak RSS MB |');
  log('|---|---:|---:|');
  log(`| cold index + daily --json | ${together.wall.toFixed(3)} | ${together.rss.toFixed(0)} |`);
  log(`| warm daily --json | ${median(warm.map((w) => w.wall)).toFixed(3)} | ${Math.max(...warm.map((w) => w.rss)).toFixed(0)} |`);
  log(`totals vs the generators: ${same(got, want) ? 'identical' : `DIFFER\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`}; cost $${together.out.totals.totalCost.toFixed(2)}${together.out.totals.costUnknown ? ' (some models unpriced)' : ''}`);
  return rates;
}
