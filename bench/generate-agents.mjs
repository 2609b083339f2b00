// Generates realistic logs of pi, Qwen Code, Copilot CLI and OpenCode (shapes from what the real programs wrote in
// test/fixtures/<agent>/<version>/) of a given size, with the totals a correct reader must find. As in real logs, most
// bytes are prose, tool output and (Copilot) the system prompt; the usage records are a small part.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng, text, uuid } from './generate-history.mjs';

export const emptyTotals = () => ({ requests: 0, input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 });

/** One call's counts: uncached input, cache read and write, output (reasoning inside), reasoning. */
function call(r, { cacheWrite = false } = {}) {
  const input = 200 + Math.floor(r() * 8000);
  const cacheRead = Math.floor(r() * 60000);
  const write = cacheWrite && r() < 0.3 ? Math.floor(r() * 5000) : 0;
  const output = 20 + Math.floor(r() * 3000);
  const reasoning = Math.floor(output * r() * 0.6);
  return { input, cacheRead, cacheWrite: write, output, reasoning };
}

function add(totals, c, { reasoning = true } = {}) {
  totals.requests++;
  totals.input += c.input;
  totals.cacheRead += c.cacheRead;
  totals.cacheWrite += c.cacheWrite;
  totals.output += c.output;
  if (reasoning) totals.reasoning += c.reasoning;
}

const start = (r, endTime, days) => endTime - r() * days * 86400e3;
const defaults = { endTime: Date.parse('2026-11-20T18:00:00Z'), days: 30 };

/** pi sessions under `${root}/sessions/--<cwd>--/` (PI_CODING_AGENT_DIR=root). */
export function generatePi(root, { targetBytes, seed = 11, endTime = defaults.endTime, days = defaults.days }) {
  const r = rng(seed);
  const totals = emptyTotals();
  let bytes = 0;
  let files = 0;
  while (bytes < targetBytes) {
    const cwd = `/home/dev/work/repo-${Math.floor(r() * 20)}`;
    const dir = join(root, 'sessions', `--${cwd.slice(1).replace(/\//g, '-')}--`);
    mkdirSync(dir, { recursive: true });
    const id = uuid(r);
    let ts = start(r, endTime, days);
    let parent = null;
    const entry = (o) => {
      const e = { ...o, id: Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0'), parentId: parent, timestamp: new Date(ts).toISOString() };
      parent = e.id;
      return JSON.stringify(e);
    };
    const model = r() < 0.5 ? 'claude-sonnet-4-5' : 'gpt-5';
    const lines = [JSON.stringify({ type: 'session', version: 3, id, timestamp: new Date(ts).toISOString(), cwd }), entry({ type: 'model_change', provider: 'p', modelId: model })];
    const turns = 5 + Math.floor(r() * 40);
    for (let t = 0; t < turns; t++) {
      ts += 5000 + r() * 60000;
      lines.push(entry({ type: 'message', message: { role: 'user', content: [{ type: 'text', text: text(r, 300 + r() * 2000) }], timestamp: Math.floor(ts) } }));
      const c = call(r, { cacheWrite: model.startsWith('claude') });
      const usage = { input: c.input, output: c.output, cacheRead: c.cacheRead, cacheWrite: c.cacheWrite, totalTokens: c.input + c.output + c.cacheRead + c.cacheWrite, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
      const content = [{ type: 'thinking', thinking: text(r, 200 + r() * 800) }, { type: 'text', text: text(r, 300 + r() * 2000) }, { type: 'toolCall', id: `call_${t}`, name: 'read', arguments: { path: 'src/index.ts' } }];
      lines.push(entry({ type: 'message', message: { role: 'assistant', content, api: model.startsWith('claude') ? 'anthropic-messages' : 'openai-responses', provider: 'p', model, usage, stopReason: 'toolUse', timestamp: Math.floor(ts), responseId: `resp_${id.slice(0, 8)}_${t}` } }));
      lines.push(entry({ type: 'message', message: { role: 'toolResult', toolCallId: `call_${t}`, toolName: 'read', content: [{ type: 'text', text: text(r, 2000 + r() * 8000) }], isError: false, timestamp: Math.floor(ts) } }));
      add(totals, c, { reasoning: false }); // pi's output includes reasoning and does not say how much
    }
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, `${new Date(ts).toISOString().replace(/[:.]/g, '-')}_${id}.jsonl`), body);
    bytes += body.length;
    files++;
  }
  return { bytes, files, totals };
}

/**
 * Qwen Code under `${root}` (QWEN_RUNTIME_DIR=root): chats with their ui_telemetry lines, and the monthly token log
 * holding the same calls (each counted once).
 */
export function generateQwen(root, { targetBytes, seed = 13, endTime = defaults.endTime, days = defaults.days }) {
  const r = rng(seed);
  const totals = emptyTotals();
  let bytes = 0;
  let files = 0;
  const usage = new Map();
  while (bytes < targetBytes) {
    const cwd = `/home/dev/work/repo-${Math.floor(r() * 20)}`;
    const dir = join(root, 'projects', cwd.replace(/\//g, '-'), 'chats');
    mkdirSync(dir, { recursive: true });
    const session = uuid(r);
    let ts = start(r, endTime, days);
    let parent = null;
    const line = (o) => {
      const e = { uuid: uuid(r), parentUuid: parent, sessionId: session, timestamp: new Date(ts).toISOString(), cwd, version: '0.24.4', ...o };
      parent = e.uuid;
      return JSON.stringify(e);
    };
    const lines = [];
    const turns = 5 + Math.floor(r() * 40);
    for (let t = 0; t < turns; t++) {
      ts += 5000 + r() * 60000;
      lines.push(line({ type: 'user', provenance: 'real_user', message: { role: 'user', parts: [{ text: text(r, 300 + r() * 2000) }] } }));
      const model = r() < 0.7 ? 'qwen3-coder-plus' : 'gpt-5';
      const c = call(r);
      const prompt = c.input + c.cacheRead;
      const durationMs = 200 + Math.floor(r() * 20000);
      const iso = new Date(ts).toISOString();
      lines.push(line({ type: 'system', provenance: 'system', subtype: 'ui_telemetry', systemPayload: { uiEvent: { 'event.name': 'qwen-code.api_response', 'event.timestamp': iso, response_id: `chatcmpl-${session.slice(0, 8)}-${t}`, model, status_code: 200, duration_ms: durationMs, input_token_count: prompt, output_token_count: c.output, cached_content_token_count: c.cacheRead, thoughts_token_count: c.reasoning, total_token_count: prompt + c.output, response_text: '', prompt_id: `${session}########${t}`, auth_type: 'openai' } } }));
      lines.push(line({ type: 'assistant', provenance: 'assistant_output', model, message: { role: 'model', parts: [{ text: text(r, 300 + r() * 2000) }, { functionCall: { name: 'read_file', args: { absolute_path: `${cwd}/src/a.ts` } } }] } }));
      lines.push(line({ type: 'tool_result', provenance: 'tool', message: { role: 'user', parts: [{ functionResponse: { name: 'read_file', response: { output: text(r, 2000 + r() * 8000) } } }] } }));
      const month = iso.slice(0, 7);
      if (!usage.has(month)) usage.set(month, []);
      usage.get(month).push(JSON.stringify({ schemaVersion: 1, id: uuid(r), timestamp: iso, localDate: iso.slice(0, 10), localMonth: month, sessionId: session, model, authType: 'openai', source: 'main', inputTokens: prompt, outputTokens: c.output, cachedTokens: c.cacheRead, thoughtsTokens: c.reasoning, totalTokens: prompt + c.output, apiDurationMs: durationMs }));
      add(totals, c);
    }
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, `${session}.jsonl`), body);
    bytes += body.length;
    files++;
  }
  mkdirSync(join(root, 'usage'), { recursive: true });
  for (const [month, lines] of usage) {
    const body = lines.join('\n') + '\n';
    writeFileSync(join(root, 'usage', `token-usage-${month}.jsonl`), body);
    bytes += body.length;
    files++;
  }
  return { bytes, files, totals };
}

/** Copilot CLI session events under `${root}/session-state/<session>/events.jsonl` (COPILOT_HOME=root). */
export function generateCopilot(root, { targetBytes, seed = 17, endTime = defaults.endTime, days = defaults.days }) {
  const r = rng(seed);
  const totals = emptyTotals();
  let bytes = 0;
  let files = 0;
  // The system prompt Copilot writes once per session (~20 KB), as the real events.jsonl does.
  const system = text(r, 20000);
  while (bytes < targetBytes) {
    const session = uuid(r);
    const dir = join(root, 'session-state', session);
    mkdirSync(dir, { recursive: true });
    let ts = start(r, endTime, days);
    let parent = null;
    const ev = (type, data) => {
      const e = { type, data, id: uuid(r), timestamp: new Date(ts).toISOString(), parentId: parent };
      parent = e.id;
      return JSON.stringify(e);
    };
    const cwd = `/home/dev/work/repo-${Math.floor(r() * 20)}`;
    const lines = [ev('session.start', { sessionId: session, version: 1, producer: 'copilot-agent', copilotVersion: '1.0.102', startTime: new Date(ts).toISOString(), selectedModel: 'gpt-5', context: { cwd } })];
    lines.push(ev('system.message', { role: 'system', content: system }));
    const turns = 5 + Math.floor(r() * 40);
    const sums = {};
    for (let t = 0; t < turns; t++) {
      ts += 5000 + r() * 60000;
      lines.push(ev('user.message', { content: text(r, 300 + r() * 1500), messageId: uuid(r) }));
      lines.push(ev('assistant.turn_start', { turnId: String(t), interactionId: uuid(r) }));
      const model = r() < 0.5 ? 'claude-sonnet-4-5' : 'gpt-5';
      const c = call(r, { cacheWrite: model.startsWith('claude') });
      const apiCallId = model.startsWith('claude') ? `msg_${session.slice(0, 8)}${t}` : `chatcmpl-${session.slice(0, 8)}${t}`;
      lines.push(ev('session.usage_record', { usage: { model, modelDisplayName: model, inputTokens: c.input + c.cacheRead + c.cacheWrite, outputTokens: c.output, cacheReadTokens: c.cacheRead, cacheWriteTokens: c.cacheWrite, reasoningTokens: c.reasoning, cost: 1, duration: 900, initiator: 'user', apiCallId, accounting: { sourceSessionId: session, sequence: t + 1, usageId: apiCallId } } }));
      lines.push(ev('assistant.message', { messageId: uuid(r), model, content: text(r, 300 + r() * 2000), toolRequests: [] }));
      lines.push(ev('tool.execution_complete', { toolCallId: `call_${t}`, success: true, result: { content: text(r, 1000 + r() * 6000) } }));
      lines.push(ev('assistant.turn_end', { turnId: String(t) }));
      const s = (sums[model] ??= { inputTokens: 0, outputTokens: 0 });
      s.inputTokens += c.input;
      s.outputTokens += c.output;
      add(totals, c);
    }
    // The session's totals: never counted.
    lines.push(ev('session.shutdown', { accountingSnapshot: { modelMetrics: Object.fromEntries(Object.entries(sums).map(([m, u]) => [m, { usage: u }])) } }));
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, 'events.jsonl'), body);
    bytes += body.length;
    files++;
  }
  return { bytes, files, totals };
}

const OPENCODE_SCHEMA = `
CREATE TABLE session (id text PRIMARY KEY, project_id text NOT NULL, parent_id text, slug text NOT NULL, directory text NOT NULL, title text NOT NULL, version text NOT NULL,
  cost real DEFAULT 0 NOT NULL, tokens_input integer DEFAULT 0 NOT NULL, tokens_output integer DEFAULT 0 NOT NULL, tokens_reasoning integer DEFAULT 0 NOT NULL,
  tokens_cache_read integer DEFAULT 0 NOT NULL, tokens_cache_write integer DEFAULT 0 NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL);
CREATE TABLE message (id text PRIMARY KEY, session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE TABLE part (id text PRIMARY KEY, message_id text NOT NULL, session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX part_message_id_id_idx ON part (message_id, id);
CREATE INDEX part_session_idx ON part (session_id);
CREATE INDEX message_session_time_created_id_idx ON message (session_id, time_created, id);`;

/** OpenCode's database at `${root}/opencode/opencode.db` (XDG_DATA_HOME=root), in the schema 1.18 has, in WAL mode. */
export function generateOpenCode(root, { targetBytes, seed = 19, endTime = defaults.endTime, days = defaults.days }) {
  const r = rng(seed);
  const totals = emptyTotals();
  const dir = join(root, 'opencode');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'opencode.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(OPENCODE_SCHEMA);
  const ins = {
    session: db.prepare('INSERT INTO session (id, project_id, slug, directory, title, version, cost, tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write, time_created, time_updated) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)'),
    message: db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)'),
    part: db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)'),
  };
  let n = 0;
  const id = (prefix) => `${prefix}_${(n++).toString(16).padStart(12, '0')}${Math.floor(r() * 2 ** 40).toString(36)}`;
  let bytes = 0;
  let sessions = 0;
  db.transaction(() => {
    while (bytes < targetBytes) {
      const session = id('ses');
      const cwd = `/home/dev/work/repo-${Math.floor(r() * 20)}`;
      let ts = Math.floor(start(r, endTime, days));
      const sum = emptyTotals();
      const turns = 5 + Math.floor(r() * 40);
      for (let t = 0; t < turns; t++) {
        ts += 5000 + Math.floor(r() * 60000);
        const user = id('msg');
        const userData = JSON.stringify({ role: 'user', time: { created: ts }, agent: 'build', model: { providerID: 'oa', modelID: 'gpt-5' } });
        ins.message.run(user, session, ts, ts, userData);
        const prompt = JSON.stringify({ type: 'text', text: text(r, 300 + r() * 2000) });
        ins.part.run(id('prt'), user, session, ts, ts, prompt);
        const model = r() < 0.5 ? 'claude-sonnet-4-5' : 'gpt-5';
        const msg = id('msg');
        const c = call(r, { cacheWrite: model.startsWith('claude') });
        // OpenCode's output excludes reasoning; the reader adds them.
        const tokens = { total: c.input + c.output + c.cacheRead + c.cacheWrite, input: c.input, output: c.output - c.reasoning, reasoning: c.reasoning, cache: { write: c.cacheWrite, read: c.cacheRead } };
        const data = JSON.stringify({ parentID: user, role: 'assistant', mode: 'build', agent: 'build', path: { cwd, root: '/' }, cost: 0, tokens, modelID: model, providerID: 'p', time: { created: ts, completed: ts + 900 }, finish: 'tool-calls' });
        ins.message.run(msg, session, ts, ts + 900, data);
        const parts = [
          { type: 'step-start' },
          { type: 'reasoning', text: text(r, 200 + r() * 800), time: { start: ts, end: ts + 100 } },
          { type: 'text', text: text(r, 300 + r() * 2000), time: { start: ts, end: ts + 500 } },
          { type: 'tool', callID: `call_${t}`, tool: 'read', state: { status: 'completed', input: { filePath: `${cwd}/src/a.ts` }, output: text(r, 2000 + r() * 8000), title: 'src/a.ts', metadata: {}, time: { start: ts, end: ts + 800 } } },
          { type: 'step-finish', reason: 'tool-calls', tokens, cost: 0 },
        ];
        for (const p of parts) {
          const body = JSON.stringify(p);
          ins.part.run(id('prt'), msg, session, ts, ts + 900, body);
          bytes += body.length;
        }
        bytes += data.length + userData.length + prompt.length;
        add(totals, c);
        add(sum, c);
      }
      // The session's running sums: never counted.
      ins.session.run(session, 'global', `s${sessions}`, cwd, 'title', '1.18.33', sum.input, sum.output, sum.reasoning, sum.cacheRead, sum.cacheWrite, ts, ts);
      sessions++;
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { bytes: statSync(path).size, files: 1, sessions, totals };
}

/** One whole-file document per session, as Cline, Auggie, Amp and Droid rewrite them: `write(dir, session, doc)`. */
function sessions(root, { targetBytes, seed, endTime, days }, build) {
  const r = rng(seed);
  const totals = emptyTotals();
  let bytes = 0;
  let files = 0;
  while (bytes < targetBytes) {
    const cwd = `/home/dev/work/repo-${Math.floor(r() * 20)}`;
    const turns = 5 + Math.floor(r() * 40);
    let ts = start(r, endTime, days);
    const calls = Array.from({ length: turns }, () => {
      ts += 5000 + r() * 60000;
      const model = r() < 0.5 ? 'claude-sonnet-4-5-20250929' : 'gpt-5';
      return { ts: Math.floor(ts), model, c: call(r, { cacheWrite: model.startsWith('claude') }) };
    });
    for (const [path, body] of build(r, uuid(r), cwd, calls, totals)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), body);
      bytes += body.length;
      files++;
    }
  }
  return { bytes, files, totals };
}

/** Cline CLI 3.x sessions (`${root}/sessions/<id>/<id>.messages.json`, CLINE_DATA_DIR=root) and, for a third of
 * them, extension task files (`${root}/tasks/<id>/ui_messages.json`). */
export function generateCline(root, { targetBytes, seed = 23, endTime = defaults.endTime, days = defaults.days }) {
  const system = text(rng(seed + 1), 20000);
  return sessions(root, { targetBytes, seed, endTime, days }, (r, id, cwd, calls, totals) => {
    for (const { c } of calls) add(totals, c, { reasoning: false });
    if (r() < 0.33) {
      const task = String(calls[0].ts - 1000);
      const ui = [{ ts: calls[0].ts - 1000, type: 'say', say: 'task', text: text(r, 300) }];
      for (const { ts, model, c } of calls) {
        const anthropic = model.startsWith('claude');
        const modelInfo = { providerId: anthropic ? 'anthropic' : 'openai', modelId: model, mode: 'act' };
        ui.push({ ts, type: 'say', say: 'api_req_started', text: JSON.stringify({ request: text(r, 2000), tokensIn: anthropic ? c.input : c.input + c.cacheRead + c.cacheWrite, tokensOut: c.output, cacheWrites: c.cacheWrite, cacheReads: c.cacheRead, cost: 0 }), modelInfo });
        ui.push({ ts: ts + 1, type: 'say', say: 'text', text: text(r, 300 + r() * 2000), modelInfo });
      }
      return [[`tasks/${task}/ui_messages.json`, JSON.stringify(ui)]];
    }
    const messages = [];
    for (const [i, { ts, model, c }] of calls.entries()) {
      messages.push({ id: uuid(r), role: 'user', content: [{ type: 'text', text: text(r, 300 + r() * 2000) }], ts: ts - 1000 });
      messages.push({ id: `msg_${id.slice(0, 8)}${i}`, role: 'assistant', content: [{ type: 'text', text: text(r, 300 + r() * 2000) }, { type: 'tool_use', id: `call_${i}`, name: 'read_files', input: { paths: [`${cwd}/src/a.ts`] } }], ts, modelInfo: { id: model, provider: model.startsWith('claude') ? 'anthropic' : 'openai-compatible' }, metrics: { inputTokens: c.input + c.cacheRead + c.cacheWrite, outputTokens: c.output, cacheReadTokens: c.cacheRead, cacheWriteTokens: c.cacheWrite } });
      messages.push({ id: uuid(r), role: 'user', content: [{ type: 'tool_result', tool_use_id: `call_${i}`, content: text(r, 2000 + r() * 8000) }], ts: ts + 10 });
    }
    return [
      [`sessions/${id}/${id}.messages.json`, JSON.stringify({ version: 1, sessionId: id, messages, system_prompt: system }, null, 2)],
      [`sessions/${id}/${id}.json`, JSON.stringify({ version: 1, session_id: id, cwd, workspace_root: cwd, metadata: { usage: {}, aggregateUsage: {} } }, null, 2)],
    ];
  });
}

/** Factory Droid sessions (`${root}/.factory/sessions/<cwd>/<id>.settings.json` + transcript, FACTORY_HOME_OVERRIDE=root). */
export function generateDroid(root, { targetBytes, seed = 29, endTime = defaults.endTime, days = defaults.days }) {
  return sessions(root, { targetBytes, seed, endTime, days }, (r, id, cwd, calls, totals) => {
    const sum = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, thinkingTokens: 0, factoryCredits: 0 };
    const lines = [JSON.stringify({ type: 'session_start', id, title: text(r, 60), owner: 'dev', version: 2, cwd })];
    for (const { c } of calls) {
      sum.inputTokens += c.input;
      sum.outputTokens += c.output;
      sum.cacheCreationTokens += c.cacheWrite;
      sum.cacheReadTokens += c.cacheRead;
      sum.thinkingTokens += c.reasoning;
      lines.push(JSON.stringify({ type: 'message', id: uuid(r), message: { role: 'user', content: [{ type: 'text', text: text(r, 300 + r() * 2000) }] } }));
      lines.push(JSON.stringify({ type: 'message', id: uuid(r), message: { role: 'assistant', content: [{ type: 'text', text: text(r, 300 + r() * 2000) }, { type: 'tool_result', content: text(r, 2000 + r() * 8000) }] } }));
    }
    // One record per session: its running totals.
    totals.requests++;
    totals.input += sum.inputTokens;
    totals.output += sum.outputTokens;
    totals.cacheRead += sum.cacheReadTokens;
    totals.cacheWrite += sum.cacheCreationTokens;
    totals.reasoning += sum.thinkingTokens;
    const folder = `.factory/sessions/${cwd.replace(/\//g, '-')}`;
    return [
      [`${folder}/${id}.settings.json`, JSON.stringify({ model: 'gpt-5', tokenUsage: sum, inclusiveTokenUsage: sum, providerLock: 'openai' }, null, 2)],
      [`${folder}/${id}.jsonl`, lines.join('\n') + '\n'],
    ];
  });
}

/** Auggie sessions (`${root}/.augment/sessions/<id>.json`, HOME=root). */
export function generateAuggie(root, { targetBytes, seed = 31, endTime = defaults.endTime, days = defaults.days }) {
  return sessions(root, { targetBytes, seed, endTime, days }, (r, id, cwd, calls, totals) => {
    const chatHistory = calls.map(({ ts, c }) => {
      add(totals, { ...c, output: c.output }, { reasoning: false });
      return {
        exchange: {
          request_message: text(r, 300 + r() * 2000), response_text: text(r, 300 + r() * 2000), request_id: uuid(r),
          request_nodes: [{ id: 0, type: 0, text_node: { content: text(r, 300) } }, { id: 1, type: 4, ide_state_node: { workspace_folders: [{ folder_root: cwd, repository_root: cwd }] } }],
          response_nodes: [{ id: 1, type: 0, content: text(r, 2000 + r() * 8000) }, { id: 2, type: 10, token_usage: { input_tokens: c.input, output_tokens: c.output, cache_read_input_tokens: c.cacheRead, cache_creation_input_tokens: c.cacheWrite } }, { id: 3, type: 9, billing_metadata: { credits_consumed: 10 } }],
        },
        completed: true, sequenceId: 1, finishedAt: new Date(ts).toISOString(),
      };
    });
    return [[`.augment/sessions/${id}.json`, JSON.stringify({ sessionId: id, created: new Date(calls[0].ts).toISOString(), chatHistory, agentState: { modelId: '' } }, null, 2)]];
  });
}

/** Amp legacy threads (`${root}/threads/T-<id>.json`, AMP_DATA_DIR=root), half with a usage ledger. */
export function generateAmp(root, { targetBytes, seed = 37, endTime = defaults.endTime, days = defaults.days }) {
  return sessions(root, { targetBytes, seed, endTime, days }, (r, id, cwd, calls, totals) => {
    const messages = [];
    const events = [];
    for (const [i, { ts, model, c }] of calls.entries()) {
      add(totals, c, { reasoning: false });
      messages.push({ role: 'user', messageId: 2 * i, content: [{ type: 'text', text: text(r, 300 + r() * 2000) }] });
      messages.push({ role: 'assistant', messageId: 2 * i + 1, content: [{ type: 'text', text: text(r, 2000 + r() * 8000) }], usage: { model, inputTokens: c.input, outputTokens: c.output, cacheCreationInputTokens: c.cacheWrite, cacheReadInputTokens: c.cacheRead, totalInputTokens: c.input + c.cacheRead + c.cacheWrite, timestamp: new Date(ts).toISOString() } });
      events.push({ id: uuid(r), timestamp: new Date(ts).toISOString(), model, credits: 1, tokens: { input: c.input, output: c.output }, operationType: 'inference', fromMessageId: 2 * i, toMessageId: 2 * i + 1 });
    }
    const ledger = r() < 0.5 ? { usageLedger: { events } } : {};
    return [[`threads/T-${id}.json`, JSON.stringify({ v: 1, id: `T-${id}`, created: calls[0].ts, messages, env: { initial: { trees: [{ uri: `file://${cwd}` }] } }, ...ledger }, null, 2)]];
  });
}

/**
 * Crush (`${root}/projects.json`, CRUSH_GLOBAL_DATA=root): a database per project in Crush's schema, messages holding
 * the prose; each top-level session's cost (sub-agent sessions' costs included in their parent's) is what is known.
 */
export function generateCrush(root, { targetBytes, seed = 41, endTime = defaults.endTime, days = defaults.days }) {
  const r = rng(seed);
  const schema = readFileSync(new URL('../test/fixtures/crush/schema-37f36e9.sql', import.meta.url), 'utf8');
  const totals = { ...emptyTotals(), cost: 0 };
  const projects = [];
  let bytes = 0;
  for (let p = 0; bytes < targetBytes; p++) {
    const path = join(root, 'work', `repo-${p}`);
    const dataDir = join(path, '.crush');
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, 'crush.db'));
    db.pragma('journal_mode = WAL');
    db.exec(schema);
    // Crush's triggers stamp updated_at with the clock; generated history keeps its own times.
    db.exec("DROP TRIGGER IF EXISTS update_sessions_updated_at; DROP TRIGGER IF EXISTS update_messages_updated_at;");
    const session = db.prepare('INSERT INTO sessions (id, parent_session_id, title, message_count, prompt_tokens, completion_tokens, cost, updated_at, created_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)');
    const message = db.prepare('INSERT INTO messages (id, session_id, role, parts, model, provider, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let s = 0; s < 40 && bytes < targetBytes; s++) {
        const id = uuid(r);
        let ts = Math.floor(start(r, endTime, days) / 1000);
        const created = ts;
        let cost = 0;
        session.run(id, null, 'title', 0, 0, 0, ts, created);
        for (let t = 5 + Math.floor(r() * 40); t > 0; t--) {
          ts += 5 + Math.floor(r() * 60);
          const parts = JSON.stringify([{ type: 'text', data: { text: text(r, 300 + r() * 2000) } }, { type: 'tool_result', data: { content: text(r, 2000 + r() * 8000) } }]);
          message.run(uuid(r), id, 'assistant', parts, 'claude-sonnet-4-5-20250929', 'anthropic', ts, ts);
          bytes += parts.length;
          cost += Math.round(r() * 5000) / 1e5;
        }
        const child = r() < 0.2 ? Math.round(r() * 2000) / 1e5 : 0;
        if (child) session.run(uuid(r), id, 'task', 100, 10, child, ts, created);
        db.prepare('UPDATE sessions SET prompt_tokens = 40000, completion_tokens = 800, cost = ?, updated_at = ? WHERE id = ?').run(cost + child, ts, id);
        totals.requests++;
        totals.cost += cost + child;
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    projects.push({ path, data_dir: dataDir, last_accessed: new Date(endTime).toISOString() });
  }
  writeFileSync(join(root, 'projects.json'), JSON.stringify({ projects }, null, 2));
  return { bytes, files: projects.length, totals };
}
