// Generates a large, realistic Claude Code history (transcripts shaped as in ../shared/reference/formats.md) and the
// totals it must produce, computed here independently of tokenmeter: many projects and sessions, one line per content
// block, early streaming snapshots, tool results of 0.2–20 KB, progress lines, <synthetic> lines, subagent files and
// sidechain replays. About 100 requests per MB.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = [
  ['claude-sonnet-4-5-20250929', 0.55],
  ['claude-opus-4-8', 0.3],
  ['claude-haiku-4-5-20251001', 0.15],
];

const WORDS = 'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were their one all we can her has there been if more when will would who so no function const return import export class interface type value result error file test data config'.split(' ');

function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}
export function uuid(r) {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
}
function b62(r, n) {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += a[Math.floor(r() * 62)];
  return s;
}
export function text(r, bytes) {
  const parts = [];
  let len = 0;
  while (len < bytes) {
    const w = WORDS[Math.floor(r() * WORDS.length)];
    parts.push(w);
    len += w.length + 1;
    if (r() < 0.05) {
      parts.push('\n');
      len++;
    }
  }
  return parts.join(' ');
}
function pick(r, weighted) {
  let x = r();
  for (const [v, w] of weighted) {
    if ((x -= w) <= 0) return v;
  }
  return weighted[weighted.length - 1][0];
}

function emptyTotals() {
  return { requests: 0, inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0 };
}
function addUsage(t, u) {
  const write = u.cache_creation.ephemeral_5m_input_tokens + u.cache_creation.ephemeral_1h_input_tokens;
  t.requests++;
  t.inputTokens += u.input_tokens;
  t.outputTokens += u.output_tokens;
  t.cacheCreationTokens += write;
  t.cacheReadTokens += u.cache_read_input_tokens;
  t.totalTokens += u.input_tokens + u.output_tokens + write + u.cache_read_input_tokens;
}

/**
 * @param {string} root a Claude config dir to create (its projects/ is filled)
 * @param {{targetBytes: number, seed?: number, endTime?: number, days?: number}} opts
 * @returns {{bytes: number, files: number, totals: object, byDay: Record<string, object>, byModel: Record<string, object>}}
 */
export function generateHistory(root, opts) {
  const r = rng(opts.seed ?? 42);
  const endTime = opts.endTime ?? Date.parse('2026-11-20T18:00:00Z');
  const days = opts.days ?? 45;
  const totals = emptyTotals();
  const byDay = {};
  const byModel = {};
  let bytes = 0;
  let files = 0;
  const projectCount = Math.max(3, Math.min(40, Math.round(opts.targetBytes / 25e6)));
  const projects = Array.from({ length: projectCount }, (_, i) => `/home/dev/work/project-${i}-${b62(r, 4).toLowerCase()}`);

  const count = (usage, ts, model) => {
    addUsage(totals, usage);
    const day = new Date(ts).toISOString().slice(0, 10);
    addUsage((byDay[day] ??= emptyTotals()), usage);
    addUsage((byModel[model] ??= emptyTotals()), usage);
  };

  while (bytes < opts.targetBytes) {
    const cwd = projects[Math.floor(r() * projects.length)];
    const dir = join(root, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
    mkdirSync(dir, { recursive: true });
    const sessionId = uuid(r);
    const sessionBytes = Math.min(opts.targetBytes - bytes, 200e3 + r() * 4e6);
    let ts = endTime - r() * days * 86400e3;
    const lines = [];
    const subagentLines = [];
    const mainMessages = [];
    let size = 0;
    let parent = null;
    const base = { isSidechain: false, userType: 'external', cwd, sessionId, version: '2.1.197', gitBranch: 'main' };
    // A session that starts near the end would run past it: it is moved back as a whole once written (a request
    // from the future is a bad record), so its times and its totals by day are kept until then.
    let lastTs = 0;
    const at = (t) => {
      lastTs = Math.max(lastTs, t);
      return new Date(t).toISOString();
    };
    const counted = [];
    const push = (arr, obj) => {
      const s = JSON.stringify(obj);
      arr.push(s);
      size += s.length + 1;
    };

    push(lines, { ...base, parentUuid: null, type: 'user', message: { role: 'user', content: text(r, 80 + r() * 400) }, uuid: uuid(r), timestamp: at(ts), promptId: uuid(r), permissionMode: 'default' });
    while (size < sessionBytes) {
      ts += 2000 + r() * 60000;
      if (r() < 0.01) ts += 6 * 3600e3; // a break long enough to open a new 5-hour block
      const model = pick(r, MODELS);
      const oneHour = r() < 0.15;
      const write = Math.floor(r() * 6000);
      const usage = {
        input_tokens: Math.floor(1 + r() * 20),
        cache_creation_input_tokens: write,
        cache_read_input_tokens: Math.floor(r() * 150000),
        cache_creation: { ephemeral_5m_input_tokens: oneHour ? 0 : write, ephemeral_1h_input_tokens: oneHour ? write : 0 },
        output_tokens: Math.floor(20 + r() * 1500),
        service_tier: 'standard',
        server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
        inference_geo: 'us',
        speed: 'standard',
      };
      const messageId = `msg_01${b62(r, 22)}`;
      const requestId = `req_011C${b62(r, 18)}`;
      const blocks = [];
      if (r() < 0.5) blocks.push({ type: 'thinking', thinking: text(r, 100 + r() * 1500), signature: b62(r, 120) });
      if (r() < 0.7) blocks.push({ type: 'text', text: text(r, 40 + r() * 800) });
      const toolUse = r() < 0.75;
      if (toolUse) blocks.push({ type: 'tool_use', id: `toolu_01${b62(r, 22)}`, name: pick(r, [['Read', 0.4], ['Bash', 0.3], ['Edit', 0.2], ['Grep', 0.1]]), input: { file_path: `${cwd}/src/${b62(r, 8)}.ts`, description: text(r, 30) } });
      if (blocks.length === 0) blocks.push({ type: 'text', text: text(r, 50) });
      // An early streaming snapshot of the same request, with fewer output tokens.
      if (r() < 0.2) {
        push(lines, { ...base, parentUuid: parent, type: 'assistant', uuid: uuid(r), timestamp: at(ts - 500), requestId, message: { id: messageId, type: 'message', role: 'assistant', model, content: [blocks[0]], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: Math.min(5, usage.output_tokens) } } });
      }
      for (const block of blocks) {
        const uid = uuid(r);
        push(lines, { ...base, parentUuid: parent, message: { id: messageId, type: 'message', role: 'assistant', model, content: [block], stop_reason: toolUse ? 'tool_use' : 'end_turn', stop_sequence: null, usage }, requestId, type: 'assistant', uuid: uid, timestamp: at(ts) });
        parent = uid;
      }
      counted.push([usage, ts, model]);
      mainMessages.push({ messageId, requestId, usage, model, ts });
      if (toolUse) {
        ts += 200 + r() * 5000;
        const content = text(r, 200 + Math.pow(r(), 2) * 20000);
        push(lines, { ...base, parentUuid: parent, type: 'user', message: { role: 'user', content: [{ tool_use_id: `toolu_01${b62(r, 22)}`, type: 'tool_result', content }] }, uuid: uuid(r), timestamp: at(ts), toolUseResult: { stdout: content.slice(0, 200), stderr: '', interrupted: false } });
      }
      if (r() < 0.02) {
        // A subagent: its requests live in its own file; the parent gets progress lines nesting the same usage
        // (never to be counted) and a Task result with a usage summary (a user line, not a request).
        const agentId = hex(r, 16);
        const subUsage = { input_tokens: 8, cache_creation_input_tokens: 900, cache_read_input_tokens: 12000, cache_creation: { ephemeral_5m_input_tokens: 900, ephemeral_1h_input_tokens: 0 }, output_tokens: 300, service_tier: 'standard' };
        const subModel = 'claude-haiku-4-5-20251001';
        for (let k = 0; k < 3; k++) {
          const subMsg = { id: `msg_01${b62(r, 22)}`, type: 'message', role: 'assistant', model: subModel, content: [{ type: 'text', text: text(r, 200) }], stop_reason: 'end_turn', usage: subUsage };
          const subTs = ts + k * 1000;
          subagentLines.push(JSON.stringify({ ...base, isSidechain: true, agentId, parentUuid: null, type: 'assistant', uuid: uuid(r), timestamp: at(subTs), requestId: `req_011C${b62(r, 18)}`, message: subMsg }));
          push(lines, { ...base, parentUuid: parent, type: 'progress', data: { type: 'agent_progress', agentId, message: { type: 'assistant', message: subMsg } }, uuid: uuid(r), timestamp: at(subTs) });
          counted.push([subUsage, subTs, subModel]);
        }
        push(lines, { ...base, parentUuid: parent, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_01${b62(r, 22)}`, content: 'done' }] }, uuid: uuid(r), timestamp: at(ts), toolUseResult: { status: 'completed', totalTokens: 13208, usage: subUsage } });
        // A /btw side question replays a parent message under another request id: the main copy wins.
        const replay = mainMessages[Math.floor(r() * mainMessages.length)];
        subagentLines.push(JSON.stringify({ ...base, isSidechain: true, agentId, parentUuid: null, type: 'assistant', uuid: uuid(r), timestamp: at(replay.ts), requestId: `req_011C${b62(r, 18)}`, message: { id: replay.messageId, type: 'message', role: 'assistant', model: replay.model, content: [{ type: 'text', text: 'replay' }], stop_reason: 'end_turn', usage: replay.usage } }));
        ts += 3000;
      }
      if (r() < 0.01) {
        push(lines, { ...base, parentUuid: parent, type: 'assistant', uuid: uuid(r), timestamp: at(ts), message: { id: uuid(r), model: '<synthetic>', role: 'assistant', type: 'message', stop_reason: 'stop_sequence', content: [{ type: 'text', text: 'API Error: Request was aborted.' }], usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } }, isApiErrorMessage: true });
      }
      if (r() < 0.15) {
        ts += 10000 + r() * 600000;
        push(lines, { ...base, parentUuid: parent, type: 'user', message: { role: 'user', content: text(r, 50 + r() * 600) }, uuid: uuid(r), timestamp: at(ts) });
      }
    }
    const shift = Math.max(lastTs - endTime, 0);
    for (const [usage, t, model] of counted) count(usage, t - shift, model);
    if (shift > 0) {
      const back = (l) => l.replace(/"timestamp":"([^"]+)"/g, (_, iso) => `"timestamp":"${new Date(Date.parse(iso) - shift).toISOString()}"`);
      lines.splice(0, lines.length, ...lines.map(back));
      subagentLines.splice(0, subagentLines.length, ...subagentLines.map(back));
    }
    const body = lines.join('\n') + '\n';
    writeFileSync(join(dir, `${sessionId}.jsonl`), body);
    bytes += Buffer.byteLength(body);
    files++;
    if (subagentLines.length > 0) {
      const subDir = join(dir, sessionId, 'subagents');
      mkdirSync(subDir, { recursive: true });
      const sub = subagentLines.join('\n') + '\n';
      writeFileSync(join(subDir, `agent-${hex(r, 16)}.jsonl`), sub);
      bytes += Buffer.byteLength(sub);
      files++;
    }
  }
  return { bytes, files, totals, byDay, byModel };
}

/** Appends `bytes` of new turns to an existing session file, returning the totals they add. */
export function appendTurns(file, cwd, sessionId, bytes, seed = 7, startTs = Date.parse('2026-11-20T19:00:00Z')) {
  const r = rng(seed);
  const totals = emptyTotals();
  const lines = [];
  let size = 0;
  let ts = startTs;
  while (size < bytes) {
    ts += 5000;
    const usage = { input_tokens: 3, cache_creation_input_tokens: 1000, cache_read_input_tokens: 50000, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 0 }, output_tokens: 400, service_tier: 'standard' };
    const line = JSON.stringify({ isSidechain: false, userType: 'external', cwd, sessionId, version: '2.1.197', type: 'assistant', uuid: uuid(r), timestamp: new Date(ts).toISOString(), requestId: `req_011C${b62(r, 18)}`, message: { id: `msg_01${b62(r, 22)}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: text(r, 300) }], usage } });
    const result = JSON.stringify({ isSidechain: false, cwd, sessionId, type: 'user', uuid: uuid(r), timestamp: new Date(ts).toISOString(), message: { role: 'user', content: [{ type: 'tool_result', content: text(r, 8000) }] } });
    lines.push(line, result);
    size += line.length + result.length + 2;
    addUsage(totals, usage);
  }
  writeFileSync(file, lines.join('\n') + '\n', { flag: 'a' });
  return totals;
}
