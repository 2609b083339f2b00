// Generates realistic Codex CLI rollouts and Gemini CLI chats (shapes from ../shared/reference/formats.md §5–6) of a
// given size, with the totals a correct reader must find: most bytes are prose and tool output, as in real logs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng, text, uuid } from './generate-history.mjs';

export function emptyTotals() {
  return { requests: 0, input: 0, cacheRead: 0, output: 0, reasoning: 0 };
}

/** Codex rollouts under `${root}/sessions/YYYY/MM/DD/`. */
export function generateCodex(root, { targetBytes, seed = 3, endTime = Date.parse('2026-11-20T18:00:00Z'), days = 30 }) {
  const r = rng(seed);
  const totals = emptyTotals();
  let bytes = 0;
  let files = 0;
  const models = ['gpt-5', 'gpt-5-codex', 'gpt-5-mini'];
  while (bytes < targetBytes) {
    const id = uuid(r);
    let ts = endTime - r() * days * 86400e3;
    const d = new Date(ts);
    const dir = join(root, 'sessions', String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), String(d.getUTCDate()).padStart(2, '0'));
    mkdirSync(dir, { recursive: true });
    const lines = [JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'session_meta', payload: { id, timestamp: new Date(ts).toISOString(), cwd: `/home/dev/work/repo-${Math.floor(r() * 20)}`, originator: 'codex_cli_rs', cli_version: '0.169.0', source: 'cli', model_provider: 'openai' } })];
    const total = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
    let model = models[Math.floor(r() * models.length)];
    const turns = 5 + Math.floor(r() * 40);
    for (let t = 0; t < turns; t++) {
      ts += 5000 + r() * 60000;
      const iso = new Date(ts).toISOString();
      if (t === 0 || r() < 0.05) model = models[Math.floor(r() * models.length)];
      lines.push(JSON.stringify({ timestamp: iso, type: 'turn_context', payload: { cwd: '/home/dev/work', model, effort: 'medium', approval_policy: 'on-request', sandbox_policy: { mode: 'workspace-write' } } }));
      lines.push(JSON.stringify({ timestamp: iso, type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: text(r, 300) }] } }));
      lines.push(JSON.stringify({ timestamp: iso, type: 'response_item', payload: { type: 'function_call_output', call_id: `call_${t}`, output: text(r, 2000 + r() * 6000) } }));
      lines.push(JSON.stringify({ timestamp: iso, type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: text(r, 500 + r() * 1500) }] } }));
      const input = 2000 + Math.floor(r() * 40000);
      const cached = Math.floor(input * r() * 0.9);
      const output = 50 + Math.floor(r() * 3000);
      const reasoning = Math.floor(output * r() * 0.7);
      const last = { input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output };
      total.input_tokens += input;
      total.cached_input_tokens += cached;
      total.output_tokens += output;
      total.reasoning_output_tokens += reasoning;
      total.total_tokens += input + output;
      // Older rollouts lack last_token_usage: the reader diffs the totals.
      const info = { total_token_usage: { ...total }, ...(r() < 0.8 ? { last_token_usage: last } : {}), model_context_window: 272000 };
      const ev = JSON.stringify({ timestamp: iso, type: 'event_msg', payload: { type: 'token_count', info, rate_limits: r() < 0.3 ? { primary: { used_percent: Math.round(r() * 100), window_minutes: 300, resets_at: Math.floor(ts / 1000) + 3600 } } : null } });
      lines.push(ev);
      if (r() < 0.2) lines.push(ev); // the same event twice
      totals.requests++;
      totals.input += input - cached;
      totals.cacheRead += cached;
      totals.output += output;
      totals.reasoning += reasoning;
    }
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, `rollout-${new Date(ts).toISOString().slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`), body);
    bytes += body.length;
    files++;
  }
  return { bytes, files, totals };
}

/** Gemini chats under `${root}/tmp/<project>/chats/`. */
export function generateGemini(root, { targetBytes, seed = 5, endTime = Date.parse('2026-11-20T18:00:00Z'), days = 30 }) {
  const r = rng(seed);
  const totals = emptyTotals();
  let bytes = 0;
  let files = 0;
  const models = ['gemini-2.5-pro', 'gemini-2.5-flash'];
  while (bytes < targetBytes) {
    const session = uuid(r);
    const project = `p${Math.floor(r() * 30).toString(16).padStart(8, '0')}`;
    const dir = join(root, 'tmp', project, 'chats');
    mkdirSync(dir, { recursive: true });
    let ts = endTime - r() * days * 86400e3;
    const lines = [JSON.stringify({ sessionId: session, projectHash: project, startTime: new Date(ts).toISOString(), lastUpdated: new Date(ts).toISOString(), kind: 'main' })];
    const turns = 5 + Math.floor(r() * 40);
    for (let t = 0; t < turns; t++) {
      ts += 5000 + r() * 60000;
      const iso = new Date(ts).toISOString();
      lines.push(JSON.stringify({ id: `u${t}`, timestamp: iso, type: 'user', content: [{ text: text(r, 400 + r() * 4000) }] }));
      const id = `g${t}-${Math.floor(r() * 1e9).toString(36)}`;
      const model = models[Math.floor(r() * models.length)];
      const content = [{ text: text(r, 500 + r() * 3000) }];
      // Appended first without tokens, then again with them.
      lines.push(JSON.stringify({ id, timestamp: iso, type: 'gemini', content, model }));
      const input = 2000 + Math.floor(r() * 50000);
      const cached = Math.floor(input * r() * 0.8);
      const output = 50 + Math.floor(r() * 2000);
      const thoughts = Math.floor(r() * 1500);
      const tool = r() < 0.2 ? Math.floor(r() * 500) : 0;
      lines.push(JSON.stringify({ id, timestamp: iso, type: 'gemini', content, model, tokens: { input, output, cached, thoughts, tool, total: input + output + thoughts + tool } }));
      if (r() < 0.1) lines.push(JSON.stringify({ $set: { lastUpdated: iso } }));
      totals.requests++;
      totals.input += input - cached + tool;
      totals.cacheRead += cached;
      totals.output += output + thoughts;
      totals.reasoning += thoughts;
    }
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, `session-${new Date(ts).toISOString().slice(0, 16).replace(/:/g, '-')}-${session.slice(0, 8)}.jsonl`), body);
    bytes += body.length;
    files++;
  }
  return { bytes, files, totals };
}
