// Codex and Gemini logs (run by bench/run.mjs): cold and warm indexing of generated rollouts and chats (BENCH_OTHER_MB,
// default 500, half each), and a check that the totals are the generator's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCodex, generateGemini } from './generate-other.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchOther({ cli, here, log }) {
  const mb = Number(process.env.BENCH_OTHER_MB ?? 500);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const dir = join(here, '.data', `other-${mb}mb`);
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) {
    rmSync(dir, { recursive: true, force: true });
    const t = performance.now();
    const codex = generateCodex(join(dir, 'codex'), { targetBytes: (mb / 2) * 1048576 });
    const gemini = generateGemini(join(dir, 'gemini'), { targetBytes: (mb / 2) * 1048576 });
    writeFileSync(manifest, JSON.stringify({ codex, gemini }));
    log(`generated ${codex.files} Codex rollouts and ${gemini.files} Gemini chats (${mb} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const m = JSON.parse(readFileSync(manifest, 'utf8'));
  const home = join(dir, 'tokenmeter-home');
  mkdirSync(join(dir, 'home'), { recursive: true });
  const env = { ...process.env, HOME: join(dir, 'home'), CLAUDE_CONFIG_DIR: join(dir, 'no-claude'), CODEX_HOME: join(dir, 'codex'), GEMINI_DIR: join(dir, 'gemini'), TOKENMETER_HOME: home, TZ: 'UTC' };
  const run = () => {
    const t = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'daily', '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(r.stderr);
    return { wall: (performance.now() - t) / 1000, rss: Number(r.stderr.trim().split('\n').pop()) / 1024, out: JSON.parse(r.stdout) };
  };
  const cold = [];
  let last;
  for (let i = 0; i < runs; i++) {
    rmSync(home, { recursive: true, force: true });
    last = run();
    cold.push(last);
  }
  const warm = Array.from({ length: Math.max(runs, 5) }, run);
  const want = { requests: m.codex.totals.requests + m.gemini.totals.requests, input: m.codex.totals.input + m.gemini.totals.input,
    cacheRead: m.codex.totals.cacheRead + m.gemini.totals.cacheRead, output: m.codex.totals.output + m.gemini.totals.output, reasoning: m.codex.totals.reasoning + m.gemini.totals.reasoning };
  const t = last.out.totals;
  const got = { requests: t.requests, input: t.inputTokens, cacheRead: t.cacheReadTokens, output: t.outputTokens, reasoning: t.reasoningTokens };
  log(`Codex + Gemini logs, ${mb} MB (${m.codex.files} rollouts, ${m.gemini.files} chats, ${want.requests} requests), median of ${runs} / ${warm.length}:`);
  log(`| run | wall s | peak RSS MB |`);
  log(`|---|---:|---:|`);
  log(`| cold index + daily --json | ${median(cold.map((c) => c.wall)).toFixed(3)} | ${Math.max(...cold.map((c) => c.rss)).toFixed(0)} |`);
  log(`| warm daily --json | ${median(warm.map((c) => c.wall)).toFixed(3)} | ${Math.max(...warm.map((c) => c.rss)).toFixed(0)} |`);
  log(`totals vs the generator: ${JSON.stringify(got) === JSON.stringify(want) ? 'identical' : `DIFFER\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`}; cost $${t.totalCost.toFixed(2)}${t.costUnknown ? ' (some models unpriced)' : ''}`);
}
