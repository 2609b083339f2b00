// ../../tmp/prof/harness.ts
import { readdirSync as readdirSync5, statSync as statSync5, openSync as openSync3, readSync as readSync3, closeSync as closeSync4 } from "node:fs";
import { join as join18 } from "node:path";

// src/core/text.ts
function quoteValue(v, max = 80) {
  let s;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length <= max ? s : `${s.slice(0, max)}\u2026 (${s.length} characters)`;
}

// src/core/event.ts
var sessionTotalKey = (tool, session) => `${tool}:total:${session}`;
function emptyCounts() {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0 };
}
function cacheWrite(c) {
  return c.cacheWrite5m + c.cacheWrite1h;
}
function totalTokens(c) {
  return c.input + c.output + c.cacheRead + cacheWrite(c);
}
function shouldReplace(current, candidate) {
  if (current.isSidechain !== candidate.isSidechain) return current.isSidechain;
  const a = totalTokens(current);
  const b = totalTokens(candidate);
  if (b !== a) return b > a;
  if (current.speed !== candidate.speed) return candidate.speed === "fast";
  return current.project === "" && candidate.project !== "";
}
function splitCachedInput(inputIncludingCache, cached) {
  const cacheRead = Math.min(Math.max(cached, 0), Math.max(inputIncludingCache, 0));
  return { input: Math.max(inputIncludingCache - cacheRead, 0), cacheRead };
}
var MAX_REQUEST_TOKENS = 1e10;
var EARLIEST_EVENT_TS = Date.UTC(2023, 0, 1);
var MAX_FUTURE_MS = 864e5;
var COUNT_FIELDS = ["input", "output", "cacheRead", "cacheWrite5m", "cacheWrite1h", "reasoning"];
function implausibility(e, now) {
  for (const k of COUNT_FIELDS) {
    const v = e[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `${k} is ${quoteValue(v)}, expected a non-negative number`;
    if (v > MAX_REQUEST_TOKENS) return `${k} is ${v}, more than any request can have (10^10)`;
  }
  if (typeof e.ts !== "number" || !Number.isFinite(e.ts)) return `timestamp is ${quoteValue(e.ts)}, not a time`;
  if (e.ts < EARLIEST_EVENT_TS) return `timestamp ${isoOf(e.ts)} is before 2023`;
  if (e.ts > now + MAX_FUTURE_MS) return `timestamp ${isoOf(e.ts)} is more than a day ahead of this machine's clock`;
  const cost = e.reportedCost;
  if (cost !== void 0 && cost !== null && (!Number.isFinite(cost) || cost < 0 || cost > MAX_REQUEST_TOKENS)) {
    return `reported cost is ${quoteValue(cost)}, expected a plausible number of USD`;
  }
  return null;
}
function isoOf(ts) {
  const d = new Date(ts);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(ts);
}

// src/sources/latin1.ts
var HIGH = /[\x80-\xff]/;
function fromLatin1(s) {
  return HIGH.test(s) ? Buffer.from(s, "latin1").toString("utf8") : s;
}

// src/sources/claude-code/parse.ts
var USAGE_MARKER = Buffer.from('"usage"');
var FieldError = class extends Error {
};
function tokenField(usage, name, path = "message.usage") {
  const v = usage[name];
  if (v === void 0 || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new FieldError(`${path}.${name} is ${quoteValue(v)}, expected a non-negative number`);
  }
  return Math.round(v);
}
function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
var HIGH2 = /[\x80-\xff]/;
function parseTranscriptLine(text, ctx, offset, latin1 = false) {
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    const m = e.message;
    const at = /position (\d+)/.exec(m)?.[1];
    return { kind: "error", message: at ? `malformed JSON at byte ${at}` : /Unexpected end/.test(m) ? "malformed JSON (ends early)" : "malformed JSON" };
  }
  return transcriptOutcome(obj, ctx, offset, latin1 ? () => parseTranscriptLine(fromLatin1(text), ctx, offset, false) : null);
}
var MESSAGE_KEY = Buffer.from('"message":{');
var CONTENT_KEY = Buffer.from('"content":');
var STOP_REASON_KEY = Buffer.from(',"stop_reason":');
var STOP_REASON_REACH = 256;
function parseTranscriptBytes(buf2, start, end, hit, ctx, offset) {
  const whole = () => parseTranscriptLine(buf2.toString("latin1", start, end), ctx, offset, true);
  const head = buf2.subarray(start, hit);
  const m = head.indexOf(MESSAGE_KEY);
  const c = m < 0 ? -1 : head.indexOf(CONTENT_KEY, m + MESSAGE_KEY.length);
  const reach = Math.min(STOP_REASON_REACH, head.length);
  const near = c < 0 ? -1 : head.subarray(head.length - reach).lastIndexOf(STOP_REASON_KEY);
  const s = near < 0 ? -1 : head.length - reach + near;
  if (s <= c) return whole();
  let obj;
  try {
    obj = JSON.parse(`${buf2.toString("latin1", start, start + c + CONTENT_KEY.length)}[]${buf2.toString("latin1", start + s, end)}`);
  } catch {
    return whole();
  }
  const message = isObject(obj) ? obj.message : void 0;
  if (!isObject(message) || !Array.isArray(message.content) || message.content.length !== 0 || !("stop_reason" in message)) return whole();
  return transcriptOutcome(obj, ctx, offset, whole);
}
function transcriptOutcome(obj, ctx, offset, utf8Again) {
  if (!isObject(obj)) return { kind: "error", message: "line is not a JSON object" };
  if (obj.type === "progress") return { kind: "skip", reason: "progress" };
  if (obj.type !== "assistant") return { kind: "skip", reason: "other-type" };
  const message = obj.message;
  if (!isObject(message)) return { kind: "error", message: "assistant line without a message object" };
  const usage = message.usage;
  if (usage === void 0 || usage === null) return { kind: "skip", reason: "other-type" };
  if (!isObject(usage)) return { kind: "error", message: `message.usage is ${quoteValue(usage)}, expected an object` };
  const str3 = (v) => typeof v === "string" && v ? v : null;
  const model = str3(message.model) ?? "";
  if (utf8Again && [model, obj.cwd, obj.sessionId, message.id, obj.requestId].some((v) => typeof v === "string" && HIGH2.test(v))) {
    return utf8Again();
  }
  if (model === "<synthetic>") return { kind: "skip", reason: "synthetic" };
  const ts = typeof obj.timestamp === "string" ? Date.parse(obj.timestamp) : NaN;
  if (!Number.isFinite(ts)) return { kind: "error", message: `timestamp is ${quoteValue(obj.timestamp)}, expected an ISO-8601 time` };
  try {
    const input = tokenField(usage, "input_tokens");
    const output = tokenField(usage, "output_tokens");
    const cacheRead = tokenField(usage, "cache_read_input_tokens");
    let cacheWrite5m;
    let cacheWrite1h;
    const split = usage.cache_creation;
    if (isObject(split)) {
      cacheWrite5m = tokenField(split, "ephemeral_5m_input_tokens", "message.usage.cache_creation");
      cacheWrite1h = tokenField(split, "ephemeral_1h_input_tokens", "message.usage.cache_creation");
      if (cacheWrite5m + cacheWrite1h === 0) cacheWrite5m = tokenField(usage, "cache_creation_input_tokens");
    } else {
      cacheWrite5m = tokenField(usage, "cache_creation_input_tokens");
      cacheWrite1h = 0;
    }
    const details = usage.output_tokens_details;
    const reasoning = isObject(details) ? Math.min(tokenField(details, "thinking_tokens", "message.usage.output_tokens_details"), output) : 0;
    if (!model) {
      if (input + output + cacheRead + cacheWrite5m + cacheWrite1h === 0) return { kind: "skip", reason: "synthetic" };
      return { kind: "error", message: "message.model is missing" };
    }
    const messageId = str3(message.id);
    const dedupKey = messageId ?? `line:${ctx.fileKey}:${offset}`;
    const cost = obj.costUSD;
    const reportedCost = typeof cost === "number" && Number.isFinite(cost) && cost >= 0 ? cost : null;
    const event2 = {
      ts,
      tool: "claude-code",
      source: "transcript",
      host: ctx.host,
      sessionId: str3(obj.sessionId) ?? ctx.sessionFallback,
      project: str3(obj.cwd) ?? ctx.projectFallback,
      model,
      input,
      output,
      cacheRead,
      cacheWrite5m,
      cacheWrite1h,
      reasoning,
      speed: usage.speed === "fast" ? "fast" : "standard",
      reportedCost,
      dedupKey,
      requestId: str3(obj.requestId),
      isSidechain: obj.isSidechain === true
    };
    return { kind: "event", event: event2 };
  } catch (e) {
    if (e instanceof FieldError) return { kind: "error", message: e.message };
    throw e;
  }
}
var RepeatDetector = class {
  last = "";
  /** Whether the line `buf[start, end)` repeats the one before. */
  isRepeat(buf2, start, end) {
    const key = repeatKey(buf2.subarray(start, end));
    const repeat = key !== "" && key === this.last;
    this.last = key;
    return repeat;
  }
};
var ID_KEY = Buffer.from('"id":"msg_');
var USAGE_OBJECT_KEY = Buffer.from('"usage":{');
var REQUEST_ID_KEY = Buffer.from('"requestId":"');
var QUOTE = 34;
var OPEN_BRACE = 123;
var CLOSE_BRACE = 125;
function repeatKey(line) {
  const id = line.indexOf(ID_KEY);
  const usage = line.lastIndexOf(USAGE_OBJECT_KEY);
  if (id < 0 || usage < id) return "";
  const idEnd = line.indexOf(QUOTE, id + ID_KEY.length);
  if (idEnd < 0 || idEnd > usage) return "";
  let depth = 0;
  let usageEnd = -1;
  for (let i = usage + USAGE_OBJECT_KEY.length - 1; i < line.length; i++) {
    const c = line[i];
    if (c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACE && --depth === 0) {
      usageEnd = i + 1;
      break;
    }
  }
  if (usageEnd < 0) return "";
  let req = line.indexOf(REQUEST_ID_KEY, usageEnd);
  if (req < 0) req = line.subarray(0, id).lastIndexOf(REQUEST_ID_KEY);
  const reqEnd = req < 0 ? -1 : line.indexOf(QUOTE, req + REQUEST_ID_KEY.length);
  const requestId = reqEnd < 0 ? "" : line.toString("latin1", req + REQUEST_ID_KEY.length, reqEnd);
  return `${line.toString("latin1", id + ID_KEY.length, idEnd)}\0${requestId}\0${line.toString("latin1", usage, usageEnd)}`;
}

// src/sources/file-format.ts
var isDatabaseFormat = (f) => isObject2(f) && f.database === true;
var isObject2 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function count(o, key, path) {
  const v = o[key];
  if (v === void 0 || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new FormatError(`${path ? `${path}.` : ""}${key} is ${quoteValue(v)}, expected a non-negative number`);
  return Math.round(v);
}
var FormatError = class extends Error {
};
function jsonError(e) {
  const m = e.message;
  const at = /position (\d+)/.exec(m)?.[1];
  return at ? `malformed JSON at byte ${at}` : /Unexpected end/.test(m) ? "malformed JSON (ends early)" : "malformed JSON";
}
function jsonObjectLine(text) {
  let o;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return jsonError(e);
  }
  return isObject2(o) ? o : "line is not a JSON object";
}
var nonEmpty = (v) => typeof v === "string" && v ? v : null;
function timeOf(v) {
  if (typeof v === "number") return v;
  return typeof v === "string" ? Date.parse(v) : NaN;
}
function recordedCost(v) {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}
function jsonDocumentFormat(read) {
  return {
    markers: [],
    wholeFile: true,
    parser: (ctx) => ({
      line: () => void 0,
      state: () => null,
      whole(text, emit, problem) {
        let doc;
        try {
          doc = JSON.parse(text);
        } catch (e) {
          return jsonError(e);
        }
        return read(doc, ctx, emit, problem);
      }
    })
  };
}
function guardRecord(problem, where, f) {
  try {
    f();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    problem(`${where}: ${e.message}`);
  }
}

// src/sources/agent-source.ts
var CLAUDE_TRANSCRIPT = "claude-transcript";

// src/sources/amp/source.ts
import { existsSync } from "node:fs";
import { join as join2 } from "node:path";

// src/sources/walk.ts
import { readdirSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
var homeOf = (env) => env.HOME || homedir();
var listVar = (v) => v?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
var emptyDiscovery = () => ({ files: [], problems: [], folders: [] });
function walk(dir, keep, out, seen, meta, rel = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = e.code;
    if (code !== "ENOENT") out.problems.push(`cannot read directory ${dir}: ${code}`);
    return;
  }
  out.folders.push(dir);
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      walk(path, keep, out, seen, meta, [...rel, e.name]);
      continue;
    }
    const source = keep(e.name, rel);
    if (!source) continue;
    try {
      const real = realpathSync.native(path);
      const st = statSync(real);
      const id = `${st.dev}:${st.ino}`;
      if (seen.has(real) || seen.has(id)) continue;
      seen.add(real);
      seen.add(id);
      const m = meta(real, rel);
      out.files.push({ path: real, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, source, sessionFallback: m.session, projectFallback: m.project });
    } catch (err) {
      out.problems.push(`cannot stat ${path}: ${err.code ?? err.message}`);
    }
  }
}

// src/sources/amp/parse.ts
function projectOf(thread) {
  const initial = isObject2(thread.env) && isObject2(thread.env.initial) ? thread.env.initial : null;
  const tree = initial && Array.isArray(initial.trees) ? initial.trees.find(isObject2) : void 0;
  const uri = nonEmpty(tree?.uri);
  if (!uri) return null;
  try {
    return uri.startsWith("file:") ? decodeURIComponent(new URL(uri).pathname) : uri;
  } catch {
    return uri;
  }
}
var creditsOf = (v) => typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
var messageKey = (id) => typeof id === "number" || typeof id === "string" && id ? String(id) : null;
var ampThreadFormat = jsonDocumentFormat((t2, ctx, emit, problem) => {
  if (!isObject2(t2)) return "not an Amp thread";
  const thread = nonEmpty(t2.id) ?? ctx.sessionFallback;
  const base = { ...emptyCounts(), tool: "amp", source: "transcript", host: ctx.host, sessionId: thread, project: projectOf(t2) ?? ctx.projectFallback, speed: "standard", reportedCost: null, requestId: null, isSidechain: false };
  const created = typeof t2.created === "number" ? t2.created : NaN;
  const messages = Array.isArray(t2.messages) ? t2.messages.filter(isObject2) : [];
  const usageOf = new Map(messages.filter((m) => isObject2(m.usage)).map((m) => [messageKey(m.messageId), m.usage]));
  const guarded = (where, f) => guardRecord(problem, where, () => {
    const e = f();
    if (e && e.input + e.output + e.cacheRead + e.cacheWrite5m > 0) emit(e);
  });
  const ledger = isObject2(t2.usageLedger) && Array.isArray(t2.usageLedger.events) ? t2.usageLedger.events : null;
  if (ledger) {
    ledger.forEach((ev, i) => guarded(`usageLedger.events[${i}]`, () => {
      if (!isObject2(ev) || !isObject2(ev.tokens) || ev.operationType !== void 0 && ev.operationType !== "inference") return null;
      const cache = usageOf.get(messageKey(ev.toMessageId)) ?? {};
      const ts = timeOf(ev.timestamp);
      if (!Number.isFinite(ts)) throw new FormatError("timestamp is not a time");
      return {
        ...base,
        ts,
        model: nonEmpty(ev.model) ?? "unknown",
        input: count(ev.tokens, "input", "tokens"),
        output: count(ev.tokens, "output", "tokens"),
        cacheRead: count(cache, "cacheReadInputTokens", "usage"),
        cacheWrite5m: count(cache, "cacheCreationInputTokens", "usage"),
        dedupKey: `amp:${thread}:ledger:${nonEmpty(ev.id) ?? i}`,
        credits: creditsOf(ev.credits)
      };
    }));
    return void 0;
  }
  messages.forEach((m, i) => guarded(`messages[${i}]`, () => {
    if (m.role !== "assistant" || !isObject2(m.usage)) return null;
    const u = m.usage;
    const ts = timeOf(u.timestamp ?? m.timestamp ?? created);
    if (!Number.isFinite(ts)) throw new FormatError("usage.timestamp is not a time");
    return {
      ...base,
      ts,
      model: nonEmpty(u.model) ?? nonEmpty(m.model) ?? "unknown",
      input: count(u, "inputTokens", "usage"),
      output: count(u, "outputTokens", "usage"),
      cacheRead: count(u, "cacheReadInputTokens", "usage"),
      cacheWrite5m: count(u, "cacheCreationInputTokens", "usage"),
      dedupKey: `amp:${thread}:${messageKey(m.messageId) ?? `message:${i}`}`,
      credits: creditsOf(u.credits)
    };
  }));
  return void 0;
});

// src/sources/amp/source.ts
var ampDirs = (env) => env.AMP_DATA_DIR ? listVar(env.AMP_DATA_DIR) : [join2(env.XDG_DATA_HOME || join2(homeOf(env), ".local", "share"), "amp")];
var ampSource = {
  tool: "amp",
  name: "Amp",
  agent: "amp",
  where: "`~/.local/share/amp/threads/T-*.json` (older Amp CLIs and the VS Code extension; newer CLIs keep threads on Amp's server)",
  yields: "per call: input, output, cache read, cache write, model, thread, workspace folder",
  env: ["XDG_DATA_HOME", "AMP_DATA_DIR"],
  serviceNames: ["amp"],
  roots: (env) => ampDirs(env).map((d) => join2(d, "threads")),
  watch: (env) => ampDirs(env).map((d) => [join2(d, "threads"), d]),
  discover: (env) => {
    const out = emptyDiscovery();
    const seen = /* @__PURE__ */ new Set();
    for (const dir of ampDirs(env)) {
      walk(join2(dir, "threads"), (name, rel) => /^T-.+\.json$/.test(name) && rel.length === 0 ? "amp-thread" : null, out, seen, (path) => ({
        session: path.slice(path.lastIndexOf("/") + 1, -".json".length),
        project: ""
      }));
    }
    return out;
  },
  // The current CLI is in use here (its device id) but threads live on Amp's server: say where they are.
  notice: (env) => ampDirs(env).some((d) => existsSync(join2(d, "device-id.json"))) ? "Amp: threads of current Amp CLIs are kept on Amp's server, not on disk, and are not counted here (`amp threads usage <id>` shows one; the API proxy counts calls made with your own key)" : null,
  formats: { "amp-thread": ampThreadFormat }
};

// src/sources/auggie/source.ts
import { join as join3 } from "node:path";

// src/sources/auggie/parse.ts
var AUGMENT_MODEL = "unknown model (Augment)";
function cwdOf(exchange) {
  for (const node of Array.isArray(exchange.request_nodes) ? exchange.request_nodes : []) {
    if (!isObject2(node) || !isObject2(node.ide_state_node)) continue;
    const ide = node.ide_state_node;
    const folder = Array.isArray(ide.workspace_folders) ? ide.workspace_folders.find(isObject2) : void 0;
    const cwd = nonEmpty(folder?.folder_root) ?? nonEmpty(folder?.repository_root) ?? (isObject2(ide.current_terminal) ? nonEmpty(ide.current_terminal.current_working_directory) : null);
    if (cwd) return cwd;
  }
  return null;
}
var auggieSessionFormat = jsonDocumentFormat((doc, ctx, emit, problem) => {
  if (!isObject2(doc) || !Array.isArray(doc.chatHistory)) return "not an Auggie session (no chatHistory array)";
  const session = nonEmpty(doc.sessionId) ?? ctx.sessionFallback;
  let project = ctx.projectFallback;
  doc.chatHistory.forEach((item, i) => {
    const exchange = isObject2(item) && isObject2(item.exchange) ? item.exchange : null;
    if (!exchange) return;
    project = cwdOf(exchange) ?? project;
    const nodes = Array.isArray(exchange.response_nodes) ? exchange.response_nodes : [];
    const usage = nodes.find((n2) => isObject2(n2) && n2.type === 10 && isObject2(n2.token_usage))?.token_usage;
    if (!isObject2(usage)) return;
    const billing = nodes.find((n2) => isObject2(n2) && n2.type === 9 && isObject2(n2.billing_metadata))?.billing_metadata;
    const credits = isObject2(billing) && typeof billing.credits_consumed === "number" && billing.credits_consumed >= 0 ? billing.credits_consumed : null;
    guardRecord(problem, `chatHistory[${i}]`, () => {
      const ts = timeOf(item.finishedAt ?? doc.modified);
      if (!Number.isFinite(ts)) throw new FormatError("finishedAt is not a time");
      emit({
        ...emptyCounts(),
        input: count(usage, "input_tokens", "token_usage"),
        output: count(usage, "output_tokens", "token_usage"),
        cacheRead: count(usage, "cache_read_input_tokens", "token_usage"),
        cacheWrite5m: count(usage, "cache_creation_input_tokens", "token_usage"),
        ts,
        tool: "auggie",
        source: "transcript",
        host: ctx.host,
        sessionId: session,
        project,
        model: AUGMENT_MODEL,
        speed: "standard",
        reportedCost: null,
        dedupKey: `auggie:${nonEmpty(exchange.request_id) ?? `${session}:${i}`}`,
        requestId: null,
        isSidechain: false,
        credits
      });
    });
  });
  return void 0;
});

// src/sources/auggie/source.ts
var augmentDir = (env) => join3(homeOf(env), ".augment");
var sessionsDir = (env) => join3(augmentDir(env), "sessions");
var auggieSource = {
  tool: "auggie",
  name: "Auggie",
  agent: "auggie",
  where: "`~/.augment/sessions/<session>.json` (rewritten whole after each exchange)",
  yields: 'per exchange: input, output, cache read, cache write, session, cwd, request id; no model (shown as "unknown model (Augment)", unpriced)',
  env: [],
  serviceNames: ["auggie", "augment"],
  roots: (env) => [sessionsDir(env)],
  watch: (env) => [[sessionsDir(env), augmentDir(env)]],
  discover: (env) => {
    const out = emptyDiscovery();
    walk(sessionsDir(env), (name, rel) => name.endsWith(".json") && rel.length === 0 ? "auggie-session" : null, out, /* @__PURE__ */ new Set(), (path) => ({
      session: path.slice(path.lastIndexOf("/") + 1, -".json".length),
      project: ""
    }));
    return out;
  },
  formats: { "auggie-session": auggieSessionFormat }
};

// src/sources/claude-code/source.ts
import { join as join5 } from "node:path";

// src/sources/claude-code/discover.ts
import { readdirSync as readdirSync2, realpathSync as realpathSync2, statSync as statSync2 } from "node:fs";
import { homedir as homedir2 } from "node:os";
import { join as join4, resolve, sep } from "node:path";
var STILL_MS = 2e3;
function claudeRoots(env = process.env) {
  const configured = env.CLAUDE_CONFIG_DIR?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
  if (configured.length > 0) return { roots: configured.map(expandHome), fromEnv: true };
  const home = env.HOME || homedir2();
  return { roots: [join4(home, ".config", "claude"), join4(home, ".claude")], fromEnv: false };
}
function expandHome(p) {
  return p === "~" || p.startsWith(`~${sep}`) ? join4(process.env.HOME || homedir2(), p.slice(1)) : resolve(p);
}
function discoverClaudeFiles(env = process.env, previous = /* @__PURE__ */ new Map()) {
  const { roots, fromEnv } = claudeRoots(env);
  const files2 = [];
  const problems = [];
  const seenPaths = /* @__PURE__ */ new Set();
  const seenInodes = /* @__PURE__ */ new Set();
  const seenDirs = /* @__PURE__ */ new Set();
  let rootsFound = 0;
  const absent = [];
  const changed = /* @__PURE__ */ new Map();
  const now = Date.now();
  const listing = (dir, real) => {
    const mtimeMs = statSync2(dir).mtimeMs;
    const kept = previous.get(real);
    if (kept && kept.mtimeMs === mtimeMs) return kept.entries;
    const entries = readdirSync2(dir, { withFileTypes: true }).map((e) => [
      e.name,
      e.isSymbolicLink() ? "l" : e.isDirectory() ? "d" : e.isFile() ? "f" : "o"
    ]);
    if (now - mtimeMs > STILL_MS) changed.set(real, { mtimeMs, entries });
    return entries;
  };
  const walk3 = (dir, project, knownReal) => {
    let real;
    try {
      real = knownReal ?? realpathSync2.native(dir);
    } catch (e) {
      problems.push(`cannot resolve ${dir}: ${e.code ?? e.message}`);
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = listing(dir, real);
    } catch (e) {
      problems.push(`cannot read directory ${dir}: ${e.code ?? e.message}`);
      return;
    }
    for (const [name, kind] of entries) {
      const path = dir + sep + name;
      const isLink = kind === "l";
      let isDir = kind === "d";
      let isFile = kind === "f";
      let st;
      if (isLink) {
        try {
          st = statSync2(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        walk3(path, project || name, isLink ? void 0 : real + sep + name);
        continue;
      }
      if (!isFile || !name.endsWith(".jsonl")) continue;
      try {
        st ??= statSync2(path);
        const realPath = isLink ? realpathSync2.native(path) : real + sep + name;
        const inode = `${st.dev}:${st.ino}`;
        if (seenPaths.has(realPath) || seenInodes.has(inode)) continue;
        seenPaths.add(realPath);
        seenInodes.add(inode);
        files2.push({
          path: realPath,
          dev: st.dev,
          ino: st.ino,
          size: st.size,
          mtimeMs: st.mtimeMs,
          source: "claude-code",
          sessionFallback: name.slice(0, -".jsonl".length),
          projectFallback: project
        });
      } catch (e) {
        problems.push(`cannot stat ${path}: ${e.code ?? e.message}`);
      }
    }
  };
  for (const root2 of roots) {
    const projects2 = join4(root2, "projects");
    let ok = false;
    try {
      ok = statSync2(projects2).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) {
      if (fromEnv) absent.push(projects2);
      continue;
    }
    rootsFound++;
    walk3(projects2, "");
  }
  if (rootsFound > 0) for (const p of absent) problems.push(`no Claude Code transcripts at ${p} (named in CLAUDE_CONFIG_DIR)`);
  const missing = rootsFound === 0 ? `no Claude Code data found: looked for projects/ in ${roots.join(", ")}${fromEnv ? "" : " (set CLAUDE_CONFIG_DIR to point elsewhere)"}` : null;
  const removed = [...previous.keys()].filter((d) => !seenDirs.has(d));
  return { files: files2, problems, missing, listings: { changed, removed }, folders: [...seenDirs] };
}

// src/sources/claude-code/source.ts
var claudeCodeSource = {
  tool: "claude-code",
  name: "Claude Code",
  agent: "claude",
  where: "`projects/**/*.jsonl` (subagents included) under `~/.config/claude` and `~/.claude`",
  yields: "per response: input, output, cache read, cache write (5m/1h), model, session, cwd, request id; `costUSD` where old versions wrote it",
  env: ["CLAUDE_CONFIG_DIR"],
  serviceNames: ["claude-code"],
  roots: (env) => claudeRoots(env).roots,
  // A root itself is not watched once its projects/ exists: Claude Code writes much else there.
  watch: (env) => claudeRoots(env).roots.map((r) => [join5(r, "projects"), r]),
  discover: discoverClaudeFiles,
  formats: { "claude-code": CLAUDE_TRANSCRIPT }
};

// src/sources/cline/discover.ts
import { existsSync as existsSync2, readdirSync as readdirSync3, readFileSync, statSync as statSync3 } from "node:fs";
import { basename, dirname, join as join6 } from "node:path";
var CLINE_EXTENSIONS = ["saoudrizwan.claude-dev", "rooveterinaryinc.roo-cline", "kilocode.kilo-code"];
var clineDataDir = (env) => env.CLINE_DATA_DIR || join6(env.CLINE_DIR || join6(homeOf(env), ".cline"), "data");
var clineSessionsDir = (env) => env.CLINE_SESSION_DATA_DIR || join6(clineDataDir(env), "sessions");
function editorStorages(env) {
  const home = homeOf(env);
  const bases = [env.XDG_CONFIG_HOME || join6(home, ".config"), join6(home, "Library", "Application Support"), ...env.APPDATA ? [env.APPDATA] : []];
  const found = [];
  for (const base of bases) {
    let names;
    try {
      names = readdirSync3(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const storage = join6(base, name, "User", "globalStorage");
      if (existsSync2(storage)) found.push(storage);
    }
  }
  let dotted = [];
  try {
    dotted = readdirSync3(home).filter((n2) => /^\.[\w-]+-server(-insiders)?$/.test(n2));
  } catch {
  }
  for (const server of dotted) {
    const storage = join6(home, server, "data", "User", "globalStorage");
    if (existsSync2(storage)) found.push(storage);
  }
  return found;
}
function clineTaskRoots(env) {
  return [clineDataDir(env), ...editorStorages(env).flatMap((s) => CLINE_EXTENSIONS.map((id) => join6(s, id)))];
}
function taskCwds(root2) {
  const cwds2 = /* @__PURE__ */ new Map();
  try {
    const history = JSON.parse(readFileSync(join6(root2, "state", "taskHistory.json"), "utf8"));
    for (const item of Array.isArray(history) ? history : []) {
      if (isObject2(item) && typeof item.id === "string" && typeof item.cwdOnTaskInitialization === "string") cwds2.set(item.id, item.cwdOnTaskInitialization);
    }
  } catch {
  }
  return cwds2;
}
var sessionCwds = /* @__PURE__ */ new Map();
function sessionCwd(messagesPath) {
  const path = join6(dirname(messagesPath), `${basename(messagesPath, ".messages.json")}.json`);
  try {
    const { mtimeMs } = statSync3(path);
    const known = sessionCwds.get(path);
    if (known?.mtimeMs === mtimeMs) return known.cwd;
    const s = JSON.parse(readFileSync(path, "utf8"));
    const cwd = isObject2(s) ? typeof s.cwd === "string" ? s.cwd : typeof s.workspace_root === "string" ? s.workspace_root : "" : "";
    sessionCwds.set(path, { mtimeMs, cwd });
    return cwd;
  } catch {
    return "";
  }
}
function discoverClineFiles(env) {
  const out = emptyDiscovery();
  const seen = /* @__PURE__ */ new Set();
  walk(clineSessionsDir(env), (name) => name.endsWith(".messages.json") ? "cline-session" : null, out, seen, (path) => ({
    session: basename(path, ".messages.json"),
    project: sessionCwd(path)
  }));
  for (const root2 of clineTaskRoots(env)) {
    if (!existsSync2(join6(root2, "tasks"))) continue;
    const cwds2 = taskCwds(root2);
    walk(join6(root2, "tasks"), (name, rel) => name === "ui_messages.json" && rel.length === 1 ? "cline-task" : null, out, seen, (_path, rel) => ({
      session: rel[0],
      project: cwds2.get(rel[0]) ?? ""
    }));
  }
  return out;
}

// src/sources/cline/parse.ts
var event = (ctx, fields) => ({
  ...emptyCounts(),
  tool: "cline",
  source: "transcript",
  host: ctx.host,
  project: ctx.projectFallback,
  speed: "standard",
  requestId: null,
  isSidechain: false,
  reasoning: 0,
  ...fields
});
function uncached(input, read, write, includesCache) {
  return includesCache && input >= read + write ? input - read - write : input;
}
var clineSessionFormat = jsonDocumentFormat((doc, ctx, emit, problem) => {
  if (!isObject2(doc) || !Array.isArray(doc.messages)) return "not a Cline session (no messages array)";
  const session = nonEmpty(doc.sessionId) ?? ctx.sessionFallback;
  doc.messages.forEach((m, i) => {
    if (!isObject2(m) || m.role !== "assistant" || !isObject2(m.metrics)) return;
    const metrics = m.metrics;
    guardRecord(problem, `messages[${i}]`, () => {
      const read = count(metrics, "cacheReadTokens", "metrics");
      const write = count(metrics, "cacheWriteTokens", "metrics");
      const ts = timeOf(m.ts);
      if (!Number.isFinite(ts)) throw new FormatError("ts is not a time");
      emit(event(ctx, {
        ts,
        sessionId: session,
        model: (isObject2(m.modelInfo) ? nonEmpty(m.modelInfo.id) : null) ?? "unknown",
        dedupKey: `cline:${session}:${nonEmpty(m.id) ?? i}`,
        reportedCost: recordedCost(metrics.cost),
        input: uncached(count(metrics, "inputTokens", "metrics"), read, write, true),
        cacheRead: read,
        cacheWrite5m: write,
        output: count(metrics, "outputTokens", "metrics")
      }));
    });
  });
  return void 0;
});
var ANTHROPIC_STYLE = /* @__PURE__ */ new Set(["anthropic", "bedrock", "vertex", "claude-code", "minimax"]);
var USAGE_MESSAGES = /* @__PURE__ */ new Set(["api_req_started", "deleted_api_reqs", "subagent_usage"]);
var hasTokens = (o) => ["tokensIn", "tokensOut", "cacheReads", "cacheWrites"].some((k) => o[k] !== void 0 && o[k] !== null);
function usageText(m) {
  if (typeof m.text !== "string") return {};
  try {
    const o = JSON.parse(m.text);
    return isObject2(o) ? o : "text is not a JSON object";
  } catch (e) {
    return `text: ${jsonError(e)}`;
  }
}
var clineTaskFormat = jsonDocumentFormat((doc, ctx, emit, problem) => {
  if (!Array.isArray(doc)) return "not a Cline task (expected an array of messages)";
  let model = null;
  let provider = null;
  doc.forEach((m, i) => {
    if (!isObject2(m)) return;
    if (isObject2(m.modelInfo)) {
      model = nonEmpty(m.modelInfo.modelId) ?? model;
      provider = nonEmpty(m.modelInfo.providerId) ?? provider;
    }
    if (m.type !== "say" || !USAGE_MESSAGES.has(String(m.say))) return;
    let info = usageText(m);
    if (typeof info === "string") return problem(`messages[${i}] (${String(m.say)}): ${info}`);
    if (m.say === "api_req_started" && !hasTokens(info)) {
      const next = doc.slice(i + 1).find((n2) => isObject2(n2) && (n2.say === "api_req_finished" || n2.say === "api_req_started"));
      const finished = next?.say === "api_req_finished" ? usageText(next) : null;
      if (!finished || typeof finished === "string" || !hasTokens(finished)) return;
      info = finished;
    }
    if (!hasTokens(info)) return;
    const u = info;
    guardRecord(problem, `messages[${i}] (${String(m.say)})`, () => {
      const read = count(u, "cacheReads", "text");
      const write = count(u, "cacheWrites", "text");
      const protocol = nonEmpty(u.apiProtocol);
      const includesCache = protocol ? protocol !== "anthropic" : !ANTHROPIC_STYLE.has(provider ?? "");
      const ts = timeOf(m.ts);
      if (!Number.isFinite(ts)) throw new FormatError("ts is not a time");
      emit(event(ctx, {
        ts,
        sessionId: ctx.sessionFallback,
        model: model ?? "unknown",
        dedupKey: `cline-task:${ctx.sessionFallback}:${ts}`,
        reportedCost: recordedCost(u.cost),
        input: uncached(count(u, "tokensIn", "text"), read, write, includesCache),
        cacheRead: read,
        cacheWrite5m: write,
        output: count(u, "tokensOut", "text")
      }));
    });
  });
  return void 0;
});

// src/sources/cline/source.ts
var clineSource = {
  tool: "cline",
  name: "Cline",
  agent: "cline",
  where: "Cline CLI 3.x: `~/.cline/data/sessions/<id>/<id>.messages.json`; the Cline, Roo Code and Kilo Code extensions of every VS Code-family editor and Cline CLI 2.x: `tasks/<id>/ui_messages.json` (all rewritten whole)",
  yields: "per call: input (cache split out by the provider's convention), output (reasoning inside), cache read, cache write, model, session (task), cwd; its own cost where it priced the model",
  env: ["CLINE_DIR", "CLINE_DATA_DIR", "CLINE_SESSION_DATA_DIR"],
  serviceNames: ["cline"],
  roots: (env) => [clineSessionsDir(env), ...clineTaskRoots(env).map((r) => `${r}/tasks`)],
  watch: (env) => [[clineSessionsDir(env), clineDataDir(env)], ...clineTaskRoots(env).map((r) => [`${r}/tasks`, r])],
  discover: (env) => discoverClineFiles(env),
  formats: { "cline-session": clineSessionFormat, "cline-task": clineTaskFormat }
};

// src/sources/codex/discover.ts
import { basename as basename2, join as join7 } from "node:path";
function codexRoots(env = process.env) {
  const configured = listVar(env.CODEX_HOME);
  return configured.length ? configured : [join7(homeOf(env), ".codex")];
}
function discoverCodexFiles(env = process.env) {
  const out = emptyDiscovery();
  const seen = /* @__PURE__ */ new Set();
  const rollout = (name) => name.startsWith("rollout-") && name.endsWith(".jsonl") ? "codex" : null;
  const meta = (path) => ({ session: basename2(path, ".jsonl").slice(-36), project: "" });
  for (const root2 of codexRoots(env)) {
    walk(join7(root2, "sessions"), rollout, out, seen, meta);
    const names = new Set(out.files.map((f) => basename2(f.path)));
    walk(join7(root2, "archived_sessions"), (n2) => names.has(n2) ? null : rollout(n2), out, seen, meta);
  }
  return out;
}

// src/sources/codex/parse.ts
var CODEX_FALLBACK_MODEL = "gpt-5";
function totalsOf(u, path) {
  if (!isObject2(u)) return null;
  const input = count(u, "input_tokens", path);
  const output = count(u, "output_tokens", path);
  return {
    input,
    output,
    cached: count(u, "cached_input_tokens", path),
    reasoning: count(u, "reasoning_output_tokens", path),
    total: u.total_tokens === void 0 ? input + output : count(u, "total_tokens", path)
  };
}
var str = (v) => typeof v === "string" && v ? v : null;
var CodexParser = class {
  constructor(ctx, state) {
    this.ctx = ctx;
    this.s = state ? JSON.parse(state) : { session: null, cwd: null, model: null, last: null, series: 0 };
  }
  ctx;
  s;
  state() {
    return JSON.stringify(this.s);
  }
  line(text, emit, reading) {
    let o;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return jsonError(e);
    }
    if (!isObject2(o) || !isObject2(o.payload)) return "line is not a rollout record (no payload object)";
    const p = o.payload;
    try {
      if (o.type === "session_meta") {
        this.s.session = str(p.id) ?? str(p.session_id) ?? this.s.session;
        this.s.cwd = str(p.cwd) ?? this.s.cwd;
        return void 0;
      }
      if (o.type === "turn_context") {
        this.s.model = str(p.model) ?? this.s.model;
        this.s.cwd = str(p.cwd) ?? this.s.cwd;
        return void 0;
      }
      if (o.type !== "event_msg" || p.type !== "token_count") return void 0;
      const ts = typeof o.timestamp === "string" ? Date.parse(o.timestamp) : NaN;
      if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(o.timestamp)}, expected an ISO-8601 time`;
      if (isObject2(p.rate_limits)) this.readings(p.rate_limits, ts, reading);
      if (!isObject2(p.info)) return void 0;
      const total = totalsOf(p.info.total_token_usage, "payload.info.total_token_usage");
      const lastUsage = totalsOf(p.info.last_token_usage, "payload.info.last_token_usage");
      if (!total && !lastUsage) return "token_count without total_token_usage or last_token_usage";
      let delta = lastUsage;
      if (total) {
        const prev = this.s.last;
        if (prev && total.total === prev.total) return void 0;
        if (prev && total.total < prev.total) this.s.series++;
        if (!delta) {
          const from = prev && total.total >= prev.total ? prev : null;
          delta = from ? { input: total.input - from.input, cached: total.cached - from.cached, output: total.output - from.output, reasoning: total.reasoning - from.reasoning, total: total.total - from.total } : total;
        }
        this.s.last = total;
      }
      if (!delta || delta.total <= 0 && delta.input + delta.output === 0) return void 0;
      const { input, cacheRead } = splitCachedInput(Math.max(delta.input, 0), Math.max(delta.cached, 0));
      const output = Math.max(delta.output, 0);
      const session = this.s.session ?? this.ctx.sessionFallback;
      const ev = {
        ...emptyCounts(),
        ts,
        tool: "codex",
        source: "transcript",
        host: this.ctx.host,
        sessionId: session,
        project: this.s.cwd ?? this.ctx.projectFallback,
        model: this.s.model ?? CODEX_FALLBACK_MODEL,
        speed: "standard",
        reportedCost: null,
        // The running total names the request within its series: a re-read or a repeated event gets the same key.
        dedupKey: `codex:${session}:${this.s.series}:${total ? total.total : `${this.ctx.fileKey}:${ts}`}`,
        requestId: null,
        isSidechain: false,
        input,
        cacheRead,
        output,
        reasoning: Math.min(Math.max(delta.reasoning, 0), output)
      };
      if (!this.s.model) ev.modelFallback = true;
      emit(ev);
      return void 0;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }
  readings(r, ts, reading) {
    for (const key of ["primary", "secondary"]) {
      const w = r[key];
      if (!isObject2(w) || typeof w.used_percent !== "number") continue;
      const minutes = typeof w.window_minutes === "number" ? w.window_minutes : key === "primary" ? 300 : 10080;
      const window = minutes <= 300 ? "5h" : "7d";
      const resetsAt = typeof w.resets_at === "number" ? w.resets_at * 1e3 : typeof w.resets_in_seconds === "number" ? ts + w.resets_in_seconds * 1e3 : ts + minutes * 6e4;
      reading({ tool: "codex", window, at: ts, usedPercent: w.used_percent, resetsAt });
    }
  }
};
var codexFormat = {
  markers: [Buffer.from('"token_count"'), Buffer.from('"turn_context"'), Buffer.from('"session_meta"')],
  wholeFile: false,
  parser: (ctx, state) => new CodexParser(ctx, state)
};

// src/sources/codex/source.ts
import { join as join8 } from "node:path";
var codexSource = {
  tool: "codex",
  name: "Codex CLI",
  agent: "codex",
  where: "`rollout-*.jsonl` under `${CODEX_HOME:-~/.codex}/sessions/` and `archived_sessions/`",
  yields: "per turn: input (cached split out), output, reasoning, model, session, cwd; 5-hour and weekly window readings",
  env: ["CODEX_HOME"],
  serviceNames: ["codex_cli_rs", "codex-cli", "codex_exec"],
  roots: codexRoots,
  watch: (env) => codexRoots(env).flatMap((r) => [[join8(r, "sessions"), r], [join8(r, "archived_sessions")]]),
  discover: (env) => discoverCodexFiles(env),
  formats: { codex: codexFormat }
};

// src/sources/copilot/discover.ts
import { basename as basename3, dirname as dirname2, join as join9 } from "node:path";
var copilotHome = (env) => env.COPILOT_HOME || join9(homeOf(env), ".copilot");
function copilotEventDirs(env) {
  const dirs = [join9(copilotHome(env), "session-state")];
  if (env.COPILOT_EVENTS_LOG_DIRECTORY) dirs.push(env.COPILOT_EVENTS_LOG_DIRECTORY);
  return dirs;
}
function discoverCopilotFiles(env) {
  const out = emptyDiscovery();
  const seen = /* @__PURE__ */ new Set();
  const [state, ...extra] = copilotEventDirs(env);
  walk(
    state,
    (name, rel) => rel.length === 1 && name === "events.jsonl" ? "copilot" : null,
    out,
    seen,
    (path) => ({ session: basename3(dirname2(path)), project: "" })
  );
  for (const dir of extra) walk(dir, (name) => name.endsWith(".jsonl") ? "copilot" : null, out, seen, (path) => ({ session: basename3(path, ".jsonl"), project: "" }));
  return out;
}

// src/sources/copilot/parse.ts
var CopilotParser = class {
  constructor(ctx, state) {
    this.ctx = ctx;
    this.s = state ? JSON.parse(state) : { session: null, cwd: null };
  }
  ctx;
  s;
  state() {
    return JSON.stringify(this.s);
  }
  line(text, emit) {
    const o = jsonObjectLine(text);
    if (typeof o === "string") return o;
    const d = o.data;
    if (!isObject2(d)) return void 0;
    if (o.type === "session.start" || o.type === "session.resume") {
      this.s.session = nonEmpty(d.sessionId) ?? this.s.session;
      this.s.cwd = (isObject2(d.context) ? nonEmpty(d.context.cwd) : null) ?? this.s.cwd;
      return void 0;
    }
    if (o.type !== "session.usage_record") return void 0;
    const u = d.usage;
    if (!isObject2(u)) return "session.usage_record without data.usage";
    try {
      const ts = timeOf(o.timestamp);
      if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(o.timestamp)}, expected an ISO-8601 time`;
      const at = "data.usage";
      const prompt = count(u, "inputTokens", at);
      const cacheRead = count(u, "cacheReadTokens", at);
      const cacheWrite2 = count(u, "cacheWriteTokens", at);
      const output = count(u, "outputTokens", at);
      if (prompt + output === 0) return void 0;
      const session = this.s.session ?? this.ctx.sessionFallback;
      const apiCallId = nonEmpty(u.apiCallId);
      emit({
        ...emptyCounts(),
        ts,
        tool: "copilot",
        source: "transcript",
        host: this.ctx.host,
        sessionId: session,
        project: this.s.cwd ?? this.ctx.projectFallback,
        model: nonEmpty(u.model) ?? "unknown",
        speed: "standard",
        reportedCost: null,
        dedupKey: apiCallId ?? `copilot:${session}:${nonEmpty(o.id) ?? ts}`,
        requestId: nonEmpty(u.providerCallId),
        isSidechain: false,
        input: Math.max(prompt - cacheRead - cacheWrite2, 0),
        cacheRead,
        cacheWrite5m: cacheWrite2,
        output,
        reasoning: Math.min(count(u, "reasoningTokens", at), output)
      });
      return void 0;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }
};
var copilotFormat = {
  markers: [Buffer.from("session.usage_record"), Buffer.from("session.start"), Buffer.from("session.resume")],
  wholeFile: false,
  parser: (ctx, state) => new CopilotParser(ctx, state)
};

// src/sources/copilot/source.ts
var copilotSource = {
  tool: "copilot",
  name: "GitHub Copilot CLI",
  agent: "copilot",
  where: "`session.usage_record` events in `~/.copilot/session-state/<session>/events.jsonl` (and its OTLP traces, counted once with them)",
  yields: "per call: input (cache reads and writes split out), output, reasoning, cache write, model, session, cwd, response id",
  env: ["COPILOT_HOME", "COPILOT_EVENTS_LOG_DIRECTORY"],
  serviceNames: ["github-copilot"],
  roots: (env) => [copilotHome(env), ...copilotEventDirs(env).slice(1)],
  watch: (env) => copilotEventDirs(env).map((d, i) => i === 0 ? [d, copilotHome(env)] : [d]),
  discover: discoverCopilotFiles,
  formats: { copilot: copilotFormat }
};

// src/sources/crush/source.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { isAbsolute, join as join11 } from "node:path";

// src/sources/database-file.ts
import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, rmSync, statSync as statSync4 } from "node:fs";
import { tmpdir } from "node:os";
import { join as join10 } from "node:path";
function statDatabase(path) {
  const db = statSync4(path);
  let size = db.size;
  let mtimeMs = db.mtimeMs;
  try {
    const wal = statSync4(`${path}-wal`);
    size += wal.size;
    mtimeMs = Math.max(mtimeMs, wal.mtimeMs);
  } catch {
  }
  return { dev: db.dev, ino: db.ino, size, mtimeMs };
}
function discoveredDatabase(path, source, problems) {
  try {
    const st = statDatabase(path);
    if (!statSync4(path).isFile()) return null;
    return { path, ...st, source, sessionFallback: "", projectFallback: "" };
  } catch (e) {
    const code = e.code;
    if (code !== "ENOENT") problems.push(`cannot stat ${path}: ${code ?? e.message}`);
    return null;
  }
}
function openLive(path) {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 100 });
    db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
    return { db, close: () => db.close() };
  } catch (e) {
    if (!/readonly|unable to open|SQLITE_CANTOPEN|SQLITE_READONLY/i.test(`${e.code} ${e.message}`)) throw e;
    const dir = mkdtempSync(join10(tmpdir(), "tokenmeter-db-"));
    copyFileSync(path, join10(dir, "copy.db"));
    try {
      copyFileSync(`${path}-wal`, join10(dir, "copy.db-wal"));
    } catch {
    }
    const db = new Database(join10(dir, "copy.db"), { fileMustExist: true });
    return { db, close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    } };
  }
}

// src/sources/crush/source.ts
var crushDataDir = (env) => env.CRUSH_GLOBAL_DATA || join11(env.XDG_DATA_HOME || join11(homeOf(env), ".local", "share"), "crush");
function projects(env, problems) {
  const file = join11(crushDataDir(env), "projects.json");
  let list;
  try {
    list = JSON.parse(readFileSync2(file, "utf8"));
  } catch (e) {
    if (e.code !== "ENOENT") problems.push(`cannot read ${file}: ${e.code ?? "malformed JSON"}`);
    return [];
  }
  const out = [];
  for (const p of isObject2(list) && Array.isArray(list.projects) ? list.projects : []) {
    const path = isObject2(p) ? nonEmpty(p.path) : null;
    const dataDir2 = isObject2(p) ? nonEmpty(p.data_dir) : null;
    if (path && dataDir2) out.push({ path, dataDir: isAbsolute(dataDir2) ? dataDir2 : join11(path, dataDir2) });
  }
  return out;
}
var msOf = (t2) => t2 < 1e11 ? t2 * 1e3 : t2;
var crushDatabase = {
  database: true,
  wholeRead: true,
  read(path, _state, ctx, emit, problem) {
    const { db, close } = openLive(path);
    try {
      const columns = new Set(db.prepare("PRAGMA table_info(sessions)").all().map((c) => c.name));
      const missing = ["id", "parent_session_id", "cost", "updated_at"].filter((c) => !columns.has(c));
      if (missing.length) {
        if (columns.size > 0) problem(path, `table sessions has no column ${missing.join(", ")}: a schema this version of tokenmeter does not know`);
        return null;
      }
      const hasModel = db.prepare("SELECT count(*) AS n FROM pragma_table_info('messages') WHERE name = 'model'").get().n > 0;
      const rows = db.prepare(`SELECT s.id, s.cost, s.created_at AS created, s.updated_at AS updated,
          ${hasModel ? `(SELECT m.model FROM messages m WHERE m.session_id = s.id AND m.model IS NOT NULL AND m.model <> '' ORDER BY m.created_at DESC LIMIT 1)` : "NULL"} AS model
        FROM sessions s WHERE s.parent_session_id IS NULL OR s.parent_session_id = ''`).all();
      for (const s of rows) {
        if (typeof s.cost !== "number" || !(s.cost > 0)) continue;
        const ts = msOf(Number(s.updated ?? s.created));
        emit({
          ...emptyCounts(),
          ts,
          tool: "crush",
          source: "transcript",
          host: ctx.host,
          sessionId: s.id,
          project: ctx.projectFallback,
          model: s.model ?? "unknown",
          speed: "standard",
          reportedCost: s.cost,
          dedupKey: `crush:${s.id}`,
          requestId: null,
          isSidechain: false,
          tokensUnknown: true
        });
      }
      return null;
    } finally {
      close();
    }
  }
};
var crushSource = {
  tool: "crush",
  name: "Crush",
  agent: "crush",
  where: "each project's `crush.db` (its live SQLite database, read-only), found through `~/.local/share/crush/projects.json`",
  yields: "per session only (one record that grows): its cost as Crush recorded it, model, project; tokens unknown (Crush keeps no per-call counts)",
  env: ["CRUSH_GLOBAL_DATA", "XDG_DATA_HOME"],
  serviceNames: ["crush"],
  roots: (env) => [crushDataDir(env), ...projects(env, []).map((p) => p.dataDir)],
  watch: (env) => [[crushDataDir(env)], ...projects(env, []).map((p) => [p.dataDir])],
  discover: (env) => {
    const out = emptyDiscovery();
    for (const p of projects(env, out.problems)) {
      const f = discoveredDatabase(join11(p.dataDir, "crush.db"), "crush-db", out.problems);
      if (f) out.files.push({ ...f, projectFallback: p.path });
      out.folders.push(p.dataDir);
    }
    return out;
  },
  formats: { "crush-db": crushDatabase }
};

// src/sources/droid/discover.ts
import { closeSync, openSync, readFileSync as readFileSync3, readSync } from "node:fs";
import { basename as basename4, join as join12 } from "node:path";
var factoryDir = (env) => join12(env.FACTORY_HOME_OVERRIDE || homeOf(env), ".factory");
var droidSessionsDir = (env) => join12(factoryDir(env), "sessions");
function customModels(env) {
  const out = {};
  try {
    const s = JSON.parse(readFileSync3(join12(factoryDir(env), "settings.json"), "utf8"));
    for (const m of isObject2(s) && Array.isArray(s.customModels) ? s.customModels : []) {
      if (isObject2(m) && typeof m.model === "string" && typeof m.displayName === "string") out[`custom:${m.displayName.trim().replace(/\s+/g, "-")}`] = m.model;
    }
  } catch {
  }
  return out;
}
var cwds = /* @__PURE__ */ new Map();
function transcriptCwd(path) {
  const known = cwds.get(path);
  if (known !== void 0) return known;
  let cwd = "";
  try {
    const fd = openSync(path, "r");
    try {
      const buf2 = Buffer.alloc(16384);
      const n2 = readSync(fd, buf2, 0, buf2.length, 0);
      const first = buf2.subarray(0, n2).toString("utf8").split("\n")[0];
      const o = JSON.parse(first);
      if (isObject2(o) && typeof o.cwd === "string") cwd = o.cwd;
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
  cwds.set(path, cwd);
  return cwd;
}
function discoverDroidFiles(env) {
  const out = emptyDiscovery();
  const models = customModels(env);
  walk(droidSessionsDir(env), (name) => name.endsWith(".settings.json") ? "droid-session" : null, out, /* @__PURE__ */ new Set(), (path) => ({
    session: basename4(path, ".settings.json"),
    project: transcriptCwd(path.replace(/\.settings\.json$/, ".jsonl"))
  }));
  for (const f of out.files) f.models = models;
  return out;
}

// src/sources/droid/parse.ts
function droidModel(name, models) {
  return models?.[name] ?? models?.[name.replace(/-\d+$/, "")] ?? name;
}
var droidSessionFormat = jsonDocumentFormat((s, ctx, emit) => {
  if (!isObject2(s)) return "not a Droid session settings file";
  if (!isObject2(s.tokenUsage)) return void 0;
  const u = s.tokenUsage;
  try {
    const output = count(u, "outputTokens", "tokenUsage");
    const input = count(u, "inputTokens", "tokenUsage");
    const cacheRead = count(u, "cacheReadTokens", "tokenUsage");
    const cacheWrite5m = count(u, "cacheCreationTokens", "tokenUsage");
    const reasoning = Math.min(count(u, "thinkingTokens", "tokenUsage"), output);
    if (input + output + cacheRead + cacheWrite5m === 0) return void 0;
    emit({
      ...emptyCounts(),
      input,
      output,
      cacheRead,
      cacheWrite5m,
      reasoning,
      ts: Math.floor(ctx.mtimeMs ?? Date.now()),
      tool: "droid",
      source: "transcript",
      host: ctx.host,
      sessionId: ctx.sessionFallback,
      project: ctx.projectFallback,
      model: droidModel(nonEmpty(s.model) ?? "unknown", ctx.models),
      speed: "standard",
      reportedCost: null,
      dedupKey: sessionTotalKey("droid", ctx.sessionFallback),
      requestId: null,
      isSidechain: false,
      sessionTotal: true,
      credits: typeof u.factoryCredits === "number" && u.factoryCredits > 0 ? u.factoryCredits : null
    });
    return void 0;
  } catch (e) {
    if (e instanceof FormatError) return e.message;
    throw e;
  }
});

// src/sources/droid/source.ts
var droidSource = {
  tool: "droid",
  name: "Factory Droid",
  agent: "droid",
  where: "`~/.factory/sessions/<cwd>/<session>.settings.json` (rewritten after every call)",
  yields: "per session only (a running total, one record that grows; requests unknown): input, output (reasoning inside), reasoning, cache read, cache write, model, cwd",
  env: ["FACTORY_HOME_OVERRIDE"],
  serviceNames: ["droid", "factory-droid", "factory-cli"],
  turnSpans: true,
  spanInputUncached: true,
  roots: (env) => [droidSessionsDir(env)],
  watch: (env) => [[droidSessionsDir(env), factoryDir(env)]],
  discover: (env) => discoverDroidFiles(env),
  formats: { "droid-session": droidSessionFormat }
};

// src/sources/gemini/discover.ts
import { createHash } from "node:crypto";
import { readFileSync as readFileSync4 } from "node:fs";
import { basename as basename5, join as join13 } from "node:path";
function geminiTmpDirs(env = process.env) {
  if (env.GEMINI_DATA_DIR) return listVar(env.GEMINI_DATA_DIR);
  return [join13(env.GEMINI_DIR || join13(homeOf(env), ".gemini"), "tmp")];
}
function geminiProjectPaths(tmp, geminiDir) {
  let registry = {};
  try {
    const parsed = JSON.parse(readFileSync4(join13(geminiDir, "projects.json"), "utf8"));
    if (parsed.projects && typeof parsed.projects === "object") registry = parsed.projects;
  } catch {
  }
  const known = /* @__PURE__ */ new Map();
  for (const [path, slug] of Object.entries(registry)) {
    if (typeof slug === "string") known.set(slug, path);
    known.set(createHash("sha256").update(path).digest("hex"), path);
  }
  const found = /* @__PURE__ */ new Map();
  return (name) => {
    let path = found.get(name);
    if (path === void 0) {
      try {
        path = readFileSync4(join13(tmp, name, ".project_root"), "utf8").trim() || void 0;
      } catch {
        path = void 0;
      }
      path ??= known.get(name) ?? name;
      found.set(name, path);
    }
    return path;
  };
}
function discoverGeminiFiles(env = process.env) {
  const out = emptyDiscovery();
  const seen = /* @__PURE__ */ new Set();
  for (const tmp of geminiTmpDirs(env)) {
    const projectOf2 = geminiProjectPaths(tmp, env.GEMINI_DIR || join13(homeOf(env), ".gemini"));
    walk(tmp, (name, rel) => {
      const inChats = rel.length >= 2 && rel[1] === "chats";
      if (!inChats) return null;
      if (name.endsWith(".jsonl") && (rel.length === 3 || name.startsWith("session-"))) return "gemini";
      if (rel.length === 2 && name.startsWith("session-") && name.endsWith(".json")) return "gemini-json";
      return null;
    }, out, seen, (path, rel) => ({ session: basename5(path).replace(/\.jsonl?$/, ""), project: rel[0] ? projectOf2(rel[0]) : "" }));
  }
  return out;
}

// src/sources/gemini/parse.ts
var str2 = (v) => typeof v === "string" && v ? v : null;
function messageEvent(m, session, ctx) {
  if (m.type !== "gemini" || !isObject2(m.tokens)) return null;
  const t2 = m.tokens;
  const id = str2(m.id);
  if (!id) return "gemini message without an id";
  const ts = typeof m.timestamp === "string" ? Date.parse(m.timestamp) : NaN;
  if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(m.timestamp)}, expected an ISO-8601 time`;
  const { input, cacheRead } = splitCachedInput(count(t2, "input", "tokens"), count(t2, "cached", "tokens"));
  const reasoning = count(t2, "thoughts", "tokens");
  return {
    ...emptyCounts(),
    ts,
    tool: "gemini",
    source: "transcript",
    host: ctx.host,
    sessionId: session,
    project: ctx.projectFallback,
    model: str2(m.model) ?? "unknown",
    speed: "standard",
    reportedCost: null,
    dedupKey: `gemini:${session}:${id}`,
    requestId: null,
    isSidechain: false,
    input: input + count(t2, "tool", "tokens"),
    cacheRead,
    output: count(t2, "output", "tokens") + reasoning,
    reasoning
  };
}
var GeminiParser = class {
  constructor(ctx, state) {
    this.ctx = ctx;
    this.s = state ? JSON.parse(state) : { session: null };
  }
  ctx;
  s;
  state() {
    return JSON.stringify(this.s);
  }
  line(text, emit) {
    let o;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return jsonError(e);
    }
    if (!isObject2(o)) return "line is not a JSON object";
    if ("$rewindTo" in o) return void 0;
    if (isObject2(o.$set)) {
      this.s.session = str2(o.$set.sessionId) ?? this.s.session;
      return void 0;
    }
    if (o.type === void 0 && str2(o.sessionId)) {
      this.s.session = str2(o.sessionId);
      return void 0;
    }
    try {
      const ev = messageEvent(o, this.s.session ?? this.ctx.sessionFallback, this.ctx);
      if (typeof ev === "string") return ev;
      if (ev) emit(ev);
      return void 0;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }
  /** A legacy ConversationRecord: `{sessionId, messages: [...]}`. */
  whole(text, emit) {
    let o;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return jsonError(e);
    }
    if (!isObject2(o) || !Array.isArray(o.messages)) return "not a Gemini CLI conversation record (no messages list)";
    const session = str2(o.sessionId) ?? this.ctx.sessionFallback;
    const problems = [];
    for (const m of o.messages) {
      if (!isObject2(m)) continue;
      try {
        const ev = messageEvent(m, session, this.ctx);
        if (typeof ev === "string") problems.push(ev);
        else if (ev) emit(ev);
      } catch (e) {
        if (e instanceof FormatError) problems.push(e.message);
        else throw e;
      }
    }
    return problems.length ? `${problems.length} message(s) skipped: ${problems[0]}` : void 0;
  }
};
var geminiFormat = {
  markers: [Buffer.from('"tokens"'), Buffer.from('"sessionId"')],
  wholeFile: false,
  parser: (ctx, state) => new GeminiParser(ctx, state)
};
var geminiJsonFormat = { ...geminiFormat, wholeFile: true };

// src/sources/gemini/source.ts
var geminiSource = {
  tool: "gemini",
  name: "Gemini CLI",
  agent: "gemini",
  where: "`~/.gemini/tmp/<project>/chats/session-*.jsonl`, subagents' `chats/<parentSessionId>/*.jsonl`, legacy `session-*.json` (read whole when they change)",
  yields: "per message: input (cached split out), output, thoughts as reasoning, model, session, project",
  env: ["GEMINI_DIR", "GEMINI_DATA_DIR"],
  serviceNames: ["gemini-cli"],
  roots: geminiTmpDirs,
  watch: (env) => geminiTmpDirs(env).map((t2) => [t2]),
  discover: (env) => discoverGeminiFiles(env),
  // gemini-json: the legacy one-document chats, rewritten whole.
  formats: { gemini: geminiFormat, "gemini-json": geminiJsonFormat }
};

// src/sources/opencode/source.ts
import { dirname as dirname4 } from "node:path";

// src/sources/opencode/database.ts
var BATCH = 2e3;
var REREAD = 32;
function partEvent(row, tool, ctx) {
  let part;
  let message = null;
  try {
    part = JSON.parse(row.data);
    if (row.message) message = JSON.parse(row.message);
  } catch {
    return `part ${row.id}: malformed JSON`;
  }
  if (!isObject2(part) || part.type !== "step-finish") return null;
  if (!isObject2(part.tokens)) return `part ${row.id}: step-finish without tokens`;
  const t2 = part.tokens;
  const cache = isObject2(t2.cache) ? t2.cache : {};
  const m = isObject2(message) ? message : {};
  try {
    const at = `part ${row.id} tokens`;
    const reasoning = count(t2, "reasoning", at);
    const counts = {
      input: count(t2, "input", at),
      output: count(t2, "output", at) + reasoning,
      reasoning,
      cacheRead: count(cache, "read", `${at}.cache`),
      cacheWrite5m: count(cache, "write", `${at}.cache`)
    };
    if (counts.input + counts.output + counts.cacheRead + counts.cacheWrite5m === 0) return null;
    return {
      ...emptyCounts(),
      ...counts,
      ts: row.created,
      tool,
      source: "transcript",
      host: ctx.host,
      sessionId: row.session,
      project: (isObject2(m.path) ? nonEmpty(m.path.cwd) : null) ?? ctx.projectFallback,
      model: nonEmpty(m.modelID) ?? "unknown",
      speed: "standard",
      reportedCost: recordedCost(part.cost),
      dedupKey: `${tool}:${row.id}`,
      requestId: null,
      isSidechain: false
    };
  } catch (e) {
    if (e instanceof FormatError) return e.message;
    throw e;
  }
}
function openCodeDatabase(tool) {
  return {
    database: true,
    read(path, state, ctx, emit, problem) {
      const { db, close } = openLive(path);
      try {
        const columns = new Set(db.prepare("PRAGMA table_info(part)").all().map((c) => c.name));
        const missing = ["id", "message_id", "session_id", "time_created", "data"].filter((c) => !columns.has(c));
        if (missing.length) {
          if (columns.size > 0) problem(path, `table part has no column ${missing.join(", ")}: a schema this version of tokenmeter does not know`);
          return state;
        }
        return db.transaction(() => readParts(db, state, tool, path, ctx, emit, problem))();
      } finally {
        close();
      }
    }
  };
}
function readParts(db, state, tool, path, ctx, emit, problem) {
  let cursor = state ? JSON.parse(state) : { rowid: 0, upTo: 0 };
  const upTo = (rowid) => db.prepare("SELECT count(*) AS n FROM part WHERE rowid <= ?").get(rowid).n;
  if (cursor.rowid > 0 && upTo(cursor.rowid) !== cursor.upTo) cursor = { rowid: 0, upTo: 0 };
  const select = db.prepare(`SELECT p.rowid AS rowid, p.id AS id, p.session_id AS session, p.time_created AS created, p.data AS data, m.data AS message
    FROM part p LEFT JOIN message m ON m.id = p.message_id
    WHERE p.rowid > ? AND p.data LIKE '%step-finish%' ORDER BY p.rowid LIMIT ${BATCH}`);
  const last = db.prepare("SELECT max(rowid) AS r FROM part").get().r ?? 0;
  let from = Math.max(cursor.rowid - REREAD, 0);
  for (; ; ) {
    const rows = select.all(from);
    for (const row of rows) {
      const e = partEvent(row, tool, ctx);
      if (typeof e === "string") problem(path, e);
      else if (e) emit(e);
    }
    if (rows.length < BATCH) break;
    from = rows[rows.length - 1].rowid;
  }
  return JSON.stringify({ rowid: last, upTo: upTo(last) });
}

// src/sources/opencode/discover.ts
import { readdirSync as readdirSync4 } from "node:fs";
import { dirname as dirname3, isAbsolute as isAbsolute2, join as join14 } from "node:path";
function dataDir(app, env) {
  return join14(env.XDG_DATA_HOME || join14(homeOf(env), ".local", "share"), app);
}
function databasePaths(app, env) {
  const dir = dataDir(app, env);
  const paths = [];
  try {
    for (const name of readdirSync4(dir)) if (name.startsWith(app) && name.endsWith(".db")) paths.push(join14(dir, name));
  } catch {
  }
  const named = env[`${app.toUpperCase()}_DB`];
  if (named) {
    const p = isAbsolute2(named) ? named : join14(dir, named);
    if (!paths.includes(p)) paths.push(p);
  }
  return paths;
}
function discoverOpenCodeLike(a, env) {
  const out = emptyDiscovery();
  const dir = dataDir(a.app, env);
  for (const path of databasePaths(a.app, env)) {
    const f = discoveredDatabase(path, a.databaseFormat, out.problems);
    if (f) {
      out.files.push(f);
      out.folders.push(dirname3(path));
    }
  }
  if (out.files.length === 0) {
    walk(
      join14(dir, "storage", "message"),
      (name, rel) => rel.length === 1 && name.endsWith(".json") ? a.messageFormat : null,
      out,
      /* @__PURE__ */ new Set(),
      (_path, rel) => ({ session: rel[0] ?? "", project: "" })
    );
  }
  return out;
}

// src/sources/opencode/legacy.ts
function openCodeMessageFile(tool) {
  return jsonDocumentFormat((m, ctx, emit) => {
    if (!isObject2(m) || m.role !== "assistant") return void 0;
    const time = isObject2(m.time) ? m.time : {};
    if (typeof time.completed !== "number" || !isObject2(m.tokens)) return void 0;
    const t2 = m.tokens;
    const cache = isObject2(t2.cache) ? t2.cache : {};
    try {
      const reasoning = count(t2, "reasoning", "tokens");
      const id = nonEmpty(m.id) ?? ctx.fileKey;
      emit({
        ...emptyCounts(),
        input: count(t2, "input", "tokens"),
        output: count(t2, "output", "tokens") + reasoning,
        reasoning,
        cacheRead: count(cache, "read", "tokens.cache"),
        cacheWrite5m: count(cache, "write", "tokens.cache"),
        ts: typeof time.created === "number" ? time.created : time.completed,
        tool,
        source: "transcript",
        host: ctx.host,
        sessionId: nonEmpty(m.sessionID) ?? ctx.sessionFallback,
        project: (isObject2(m.path) ? nonEmpty(m.path.cwd) : null) ?? ctx.projectFallback,
        model: nonEmpty(m.modelID) ?? "unknown",
        speed: "standard",
        reportedCost: recordedCost(m.cost),
        dedupKey: `${tool}:${id}`,
        requestId: null,
        isSidechain: false
      });
      return void 0;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  });
}

// src/sources/opencode/source.ts
function openCodeLikeSource(app, described) {
  const a = { app, databaseFormat: `${app}-db`, messageFormat: `${app}-message` };
  return {
    tool: app,
    agent: app,
    ...described,
    roots: (env) => [dataDir(app, env)],
    watch: (env) => [[dataDir(app, env), dirname4(dataDir(app, env))]],
    discover: (env) => discoverOpenCodeLike(a, env),
    formats: { [a.databaseFormat]: openCodeDatabase(app), [a.messageFormat]: openCodeMessageFile(app) }
  };
}
var openCodeSource = openCodeLikeSource("opencode", {
  name: "OpenCode",
  where: "`~/.local/share/opencode/opencode*.db` (its live SQLite database, read-only), or before it `storage/message/*/*.json`",
  yields: "per call (each step-finish): input, output, reasoning, cache read, cache write, model, session, cwd; its own cost where it priced the model",
  env: ["XDG_DATA_HOME", "OPENCODE_DB"],
  serviceNames: ["opencode"]
});

// src/sources/kilo/source.ts
var kiloSource = openCodeLikeSource("kilo", {
  name: "Kilo CLI",
  where: "`~/.local/share/kilo/kilo*.db` (its live SQLite database, read-only)",
  yields: "as OpenCode; its cost is the provider-reported one where there is one",
  env: ["XDG_DATA_HOME", "KILO_DB"],
  serviceNames: ["kilo", "kilocode"]
});

// src/sources/pi/discover.ts
import { readFileSync as readFileSync5 } from "node:fs";
import { basename as basename6, join as join15 } from "node:path";
var expand = (p, env) => p === "~" || p.startsWith("~/") ? homeOf(env) + p.slice(1) : p;
function piAgentDir(env) {
  return env.PI_CODING_AGENT_DIR ? expand(env.PI_CODING_AGENT_DIR, env) : join15(homeOf(env), ".pi", "agent");
}
function piSessionDirs(env) {
  const agent = piAgentDir(env);
  const dirs = [join15(agent, "sessions")];
  let configured = env.PI_CODING_AGENT_SESSION_DIR;
  if (!configured) {
    try {
      const s = JSON.parse(readFileSync5(join15(agent, "settings.json"), "utf8"));
      if (typeof s.sessionDir === "string" && s.sessionDir) configured = s.sessionDir;
    } catch {
    }
  }
  if (configured && !dirs.includes(expand(configured, env))) dirs.push(expand(configured, env));
  return dirs;
}
function cwdOfFolder(name) {
  return name && name.startsWith("--") && name.endsWith("--") ? `/${name.slice(2, -2).replaceAll("-", "/")}` : "";
}
function discoverPiFiles(env) {
  const out = emptyDiscovery();
  const seen = /* @__PURE__ */ new Set();
  for (const dir of piSessionDirs(env)) {
    walk(dir, (name) => name.endsWith(".jsonl") ? "pi" : null, out, seen, (path, rel) => ({
      // <time>_<uuid>.jsonl: the session id follows the last underscore.
      session: basename6(path, ".jsonl").split("_").at(-1),
      project: cwdOfFolder(rel[0])
    }));
  }
  return out;
}

// src/sources/pi/parse.ts
var PiParser = class {
  constructor(ctx, state) {
    this.ctx = ctx;
    this.s = state ? JSON.parse(state) : { session: null, cwd: null };
  }
  ctx;
  s;
  state() {
    return JSON.stringify(this.s);
  }
  line(text, emit) {
    const o = jsonObjectLine(text);
    if (typeof o === "string") return o;
    if (o.type === "session") {
      this.s.session = nonEmpty(o.id) ?? this.s.session;
      this.s.cwd = nonEmpty(o.cwd) ?? this.s.cwd;
      return void 0;
    }
    const m = o.message;
    if (o.type !== "message" || !isObject2(m) || m.role !== "assistant") return void 0;
    if (!isObject2(m.usage)) return "assistant message without usage";
    try {
      const u = m.usage;
      const ts = timeOf(m.timestamp ?? o.timestamp);
      if (!Number.isFinite(ts)) return `message.timestamp is ${quoteValue(m.timestamp ?? o.timestamp)}, expected a time`;
      const counts = {
        input: count(u, "input", "message.usage"),
        output: count(u, "output", "message.usage"),
        cacheRead: count(u, "cacheRead", "message.usage"),
        cacheWrite5m: count(u, "cacheWrite", "message.usage")
      };
      if (counts.input + counts.output + counts.cacheRead + counts.cacheWrite5m === 0) return void 0;
      const responseId = nonEmpty(m.responseId);
      const dedupKey = responseId ?? `pi:${nonEmpty(o.id) ?? this.ctx.fileKey}:${ts}`;
      emit({
        ...emptyCounts(),
        ...counts,
        ts,
        tool: "pi",
        source: "transcript",
        host: this.ctx.host,
        sessionId: this.s.session ?? this.ctx.sessionFallback,
        project: this.s.cwd ?? this.ctx.projectFallback,
        model: nonEmpty(m.model) ?? "unknown",
        speed: "standard",
        reportedCost: isObject2(u.cost) ? recordedCost(u.cost.total) : null,
        dedupKey,
        requestId: null,
        isSidechain: false
      });
      return void 0;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }
};
var piFormat = {
  markers: [Buffer.from('"usage"'), Buffer.from('"session"')],
  wholeFile: false,
  parser: (ctx, state) => new PiParser(ctx, state)
};

// src/sources/pi/source.ts
var piSource = {
  tool: "pi",
  name: "pi",
  agent: "pi",
  where: "`~/.pi/agent/sessions/--<cwd>--/*.jsonl`, and the `sessionDir` of its settings",
  yields: "per call: input, output (reasoning inside, not apart), cache read, cache write, model, session, cwd, response id; its own cost where it priced the model",
  env: ["PI_CODING_AGENT_DIR", "PI_CODING_AGENT_SESSION_DIR"],
  roots: (env) => [piAgentDir(env), ...piSessionDirs(env).slice(1)],
  watch: (env) => piSessionDirs(env).map((d, i) => i === 0 ? [d, piAgentDir(env)] : [d]),
  discover: discoverPiFiles,
  formats: { pi: piFormat }
};

// src/sources/qwen/source.ts
import { join as join17 } from "node:path";

// src/sources/qwen/discover.ts
import { readFileSync as readFileSync6 } from "node:fs";
import { basename as basename7, join as join16 } from "node:path";
function qwenRuntimeDir(env) {
  if (env.QWEN_RUNTIME_DIR) return env.QWEN_RUNTIME_DIR;
  const config = env.QWEN_HOME || join16(homeOf(env), ".qwen");
  try {
    const s = JSON.parse(readFileSync6(join16(config, "settings.json"), "utf8"));
    const dir = s.advanced?.runtimeOutputDir;
    if (typeof dir === "string" && dir) return dir.startsWith("~/") ? join16(homeOf(env), dir.slice(2)) : dir;
  } catch {
  }
  return config;
}
function discoverQwenFiles(env) {
  const out = emptyDiscovery();
  const seen = /* @__PURE__ */ new Set();
  const root2 = qwenRuntimeDir(env);
  walk(
    join16(root2, "usage"),
    (name, rel) => rel.length === 0 && name.startsWith("token-usage-") && name.endsWith(".jsonl") ? "qwen-usage" : null,
    out,
    seen,
    () => ({ session: "", project: "" })
  );
  walk(
    join16(root2, "projects"),
    (name, rel) => rel.length === 2 && rel[1] === "chats" && name.endsWith(".jsonl") ? "qwen-chat" : null,
    out,
    seen,
    (path) => ({ session: basename7(path, ".jsonl"), project: "" })
  );
  return out;
}

// src/sources/qwen/parse.ts
function callEvent(c, host) {
  const { input, cacheRead } = splitCachedInput(c.prompt, c.cached);
  const output = c.total > 0 && c.total === c.prompt + c.output + c.thoughts && c.thoughts > 0 ? c.output + c.thoughts : c.output;
  return {
    ...emptyCounts(),
    ts: c.ts,
    tool: "qwen",
    source: "transcript",
    host,
    sessionId: c.session,
    project: c.project,
    model: c.model,
    speed: "standard",
    reportedCost: null,
    dedupKey: `qwen:${c.session}:${c.model}:${c.durationMs}:${c.prompt}:${c.cached}:${c.output}`,
    requestId: null,
    isSidechain: false,
    input,
    cacheRead,
    output,
    reasoning: Math.min(c.thoughts, output)
  };
}
function readLine(text, ctx, pick, emit) {
  const o = jsonObjectLine(text);
  if (typeof o === "string") return o;
  try {
    const call = pick(o);
    if (typeof call === "string") return call;
    if (call && call.prompt + call.output + call.thoughts > 0) emit(callEvent(call, ctx.host));
    return void 0;
  } catch (e) {
    if (e instanceof FormatError) return e.message;
    throw e;
  }
}
var stateless = (line) => ({ line, state: () => null });
var qwenUsageFormat = {
  markers: [Buffer.from('"inputTokens"')],
  wholeFile: false,
  parser: (ctx) => stateless((text, emit) => readLine(text, ctx, (o) => {
    const ts = timeOf(o.timestamp);
    if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(o.timestamp)}, expected an ISO-8601 time`;
    return {
      ts,
      session: nonEmpty(o.sessionId) ?? ctx.sessionFallback,
      project: "",
      model: nonEmpty(o.model) ?? "unknown",
      prompt: count(o, "inputTokens", ""),
      cached: count(o, "cachedTokens", ""),
      output: count(o, "outputTokens", ""),
      thoughts: count(o, "thoughtsTokens", ""),
      total: count(o, "totalTokens", ""),
      durationMs: count(o, "apiDurationMs", "")
    };
  }, emit))
};
var qwenChatFormat = {
  markers: [Buffer.from("qwen-code.api_response")],
  wholeFile: false,
  parser: (ctx) => stateless((text, emit) => readLine(text, ctx, (o) => {
    const ev = isObject2(o.systemPayload) ? o.systemPayload.uiEvent : void 0;
    if (o.subtype !== "ui_telemetry" || !isObject2(ev) || ev["event.name"] !== "qwen-code.api_response") return null;
    const ts = timeOf(ev["event.timestamp"] ?? o.timestamp);
    if (!Number.isFinite(ts)) return `systemPayload.uiEvent.event.timestamp is ${quoteValue(ev["event.timestamp"])}, expected an ISO-8601 time`;
    const at = "systemPayload.uiEvent";
    return {
      ts,
      session: nonEmpty(o.sessionId) ?? ctx.sessionFallback,
      project: nonEmpty(o.cwd) ?? ctx.projectFallback,
      model: nonEmpty(ev.model) ?? nonEmpty(o.model) ?? "unknown",
      prompt: count(ev, "input_token_count", at),
      cached: count(ev, "cached_content_token_count", at),
      output: count(ev, "output_token_count", at),
      thoughts: count(ev, "thoughts_token_count", at),
      total: count(ev, "total_token_count", at),
      durationMs: count(ev, "duration_ms", at)
    };
  }, emit))
};

// src/sources/qwen/source.ts
var qwenSource = {
  tool: "qwen",
  name: "Qwen Code",
  agent: "qwen",
  where: "`~/.qwen/usage/token-usage-*.jsonl` and the `ui_telemetry` lines of `~/.qwen/projects/*/chats/*.jsonl` (the same calls: counted once)",
  yields: "per call, side calls (memory extraction) included: input (cache reads split out; Anthropic cache writes stay input), output, reasoning, model, session, cwd",
  env: ["QWEN_RUNTIME_DIR", "QWEN_HOME"],
  serviceNames: ["qwen-code"],
  roots: (env) => [qwenRuntimeDir(env)],
  watch: (env) => ["usage", "projects"].map((d) => [join17(qwenRuntimeDir(env), d), qwenRuntimeDir(env)]),
  discover: discoverQwenFiles,
  formats: { "qwen-usage": qwenUsageFormat, "qwen-chat": qwenChatFormat }
};

// src/sources/registry.ts
var AGENTS = [
  claudeCodeSource,
  codexSource,
  geminiSource,
  piSource,
  qwenSource,
  copilotSource,
  openCodeSource,
  kiloSource,
  clineSource,
  droidSource,
  auggieSource,
  ampSource,
  crushSource
];
var TOOLS = [...AGENTS.map((a) => a.tool), "api"];
var byFormat = new Map(
  AGENTS.flatMap((agent) => Object.entries(agent.formats).map(([name, format]) => [name, { agent, format }]))
);
function formatNamed(name) {
  const f = byFormat.get(name);
  if (!f) throw new Error(`no source reads files of format "${name}"`);
  return f.format;
}
var byService = new Map(AGENTS.flatMap((a) => (a.serviceNames ?? []).map((n2) => [n2, a.tool])));

// src/ingest/fingerprint.ts
import { createHash as createHash2 } from "node:crypto";

// src/ingest/open-file.ts
import { closeSync as closeSync2, constants, fstatSync, openSync as openSync2, readFileSync as readFileSync7 } from "node:fs";
var NotAFileError = class extends Error {
  code = "ENOTREG";
};
function openRegularFile(path) {
  const fd = openSync2(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotAFileError(`${path} is not a regular file`);
    return fd;
  } catch (e) {
    closeSync2(fd);
    throw e;
  }
}
function readRegularFile(path) {
  const fd = openRegularFile(path);
  try {
    return readFileSync7(fd);
  } finally {
    closeSync2(fd);
  }
}

// src/ingest/fingerprint.ts
var FINGERPRINT_BYTES = 1024;
function fingerprint(bytes2) {
  return `${bytes2.length}:${createHash2("sha1").update(bytes2).digest("hex")}`;
}

// src/ingest/line-scanner.ts
import { closeSync as closeSync3, fstatSync as fstatSync2, readSync as readSync2 } from "node:fs";
var CandidateLine = class {
  constructor(buf2, start, end, hit, lineNo, offset, unterminated, latin1) {
    this.buf = buf2;
    this.start = start;
    this.end = end;
    this.hit = hit;
    this.lineNo = lineNo;
    this.offset = offset;
    this.unterminated = unterminated;
    this.latin1 = latin1;
  }
  buf;
  start;
  end;
  hit;
  lineNo;
  offset;
  unterminated;
  latin1;
  /** The whole line, decoded (see ScanOptions.latin1). */
  get text() {
    return this.buf.toString(this.latin1 ? "latin1" : "utf8", this.start, this.end);
  }
};
var NEWLINE = 10;
var DEFAULT_CHUNK = 1 << 20;
var DEFAULT_MAX_LINE = 64 << 20;
var spare = null;
function chunkBuffer(size) {
  if (size !== DEFAULT_CHUNK) return Buffer.allocUnsafe(size);
  return spare ??= Buffer.allocUnsafe(DEFAULT_CHUNK);
}
function scanLines(path, fromOffset, fromLine, opts, onLine) {
  const markers = Array.isArray(opts.marker) ? opts.marker : [opts.marker];
  const nextOf = new Array(markers.length).fill(-1);
  const findHits = (b, from, limit) => {
    for (let k = 0; k < markers.length; k++) {
      const i = b.indexOf(markers[k], from);
      nextOf[k] = i >= 0 && i < limit ? i : -1;
    }
  };
  const nextHit = (b, from, limit) => {
    let best = -1;
    for (let k = 0; k < markers.length; k++) {
      let i = nextOf[k];
      if (i >= 0 && i < from) {
        i = b.indexOf(markers[k], from);
        nextOf[k] = i = i >= 0 && i < limit ? i : -1;
      }
      if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
  };
  const latin1 = opts.latin1 ?? false;
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  let buf2 = chunkBuffer(opts.chunkBytes ?? DEFAULT_CHUNK);
  const fd = openRegularFile(path);
  const oversizedLines = [];
  let lines2 = fromLine;
  let committed = fromOffset;
  let filled = 0;
  let filePos = fromOffset;
  let skipping = false;
  let bytesRead = 0;
  const tail = Buffer.allocUnsafe(FINGERPRINT_BYTES);
  let tailLen = 0;
  const keepTail = (from, start, stop) => {
    const n2 = stop - start;
    if (n2 >= FINGERPRINT_BYTES) {
      from.copy(tail, 0, stop - FINGERPRINT_BYTES, stop);
      tailLen = FINGERPRINT_BYTES;
      return;
    }
    const keep = Math.min(tailLen, FINGERPRINT_BYTES - n2);
    tail.copy(tail, 0, tailLen - keep, tailLen);
    from.copy(tail, keep, start, stop);
    tailLen = keep + n2;
  };
  try {
    if (fromOffset > 0) {
      const before = Buffer.alloc(Math.min(fromOffset, FINGERPRINT_BYTES));
      const got = readSync2(fd, before, 0, before.length, fromOffset - before.length);
      if (opts.expectTail && fingerprint(before.subarray(0, got)) !== opts.expectTail) {
        return { offset: fromOffset, lines: fromLine, bytesRead: 0, oversizedLines, tailHash: opts.expectTail, rewritten: true };
      }
      keepTail(before, 0, got);
    }
    const end = fstatSync2(fd).size;
    while (filePos < end) {
      if (filled === buf2.length) {
        if (buf2.length * 2 <= maxLine) {
          const bigger = Buffer.allocUnsafe(buf2.length * 2);
          buf2.copy(bigger, 0, 0, filled);
          buf2 = bigger;
        } else {
          oversizedLines.push(lines2 + 1);
          skipping = true;
          keepTail(buf2, 0, filled);
          committed += filled;
          filled = 0;
        }
      }
      const n2 = readSync2(fd, buf2, filled, Math.min(buf2.length - filled, end - filePos), filePos);
      if (n2 <= 0) break;
      filePos += n2;
      bytesRead += n2;
      filled += n2;
      let pos = 0;
      if (skipping) {
        const nl = buf2.indexOf(NEWLINE, 0);
        if (nl < 0 || nl >= filled) {
          keepTail(buf2, 0, filled);
          committed += filled;
          filled = 0;
          continue;
        }
        skipping = false;
        lines2++;
        pos = nl + 1;
      }
      findHits(buf2, pos, filled);
      let hit = nextHit(buf2, pos, filled);
      for (; ; ) {
        const nl = buf2.indexOf(NEWLINE, pos);
        if (nl < 0 || nl >= filled) break;
        lines2++;
        if (hit >= 0 && hit < nl) {
          onLine(new CandidateLine(buf2, pos, nl, hit, lines2, committed + pos, false, latin1));
          hit = nextHit(buf2, nl + 1, filled);
        }
        pos = nl + 1;
      }
      if (pos > 0) {
        keepTail(buf2, 0, pos);
        buf2.copy(buf2, 0, pos, filled);
        committed += pos;
        filled -= pos;
      }
    }
    if (filled > 0 && !skipping) {
      findHits(buf2, 0, filled);
      const hit = nextHit(buf2, 0, filled);
      if (hit >= 0) onLine(new CandidateLine(buf2, 0, filled, hit, lines2 + 1, committed, true, latin1));
    }
  } finally {
    closeSync3(fd);
  }
  return { offset: committed, lines: lines2, bytesRead, oversizedLines, tailHash: fingerprint(tail.subarray(0, tailLen)) };
}

// src/ingest/read-file.ts
var MAX_PROBLEMS_KEPT = 100;
function readLogFile(req) {
  const r = readOnce(req);
  if (!r.rewritten) return r;
  const again = readOnce({ ...req, fromOffset: 0, fromLine: 0, state: null, expectTail: void 0 });
  again.rewritten = true;
  return again;
}
function readOnce(req) {
  const format = formatNamed(req.source);
  if (format === CLAUDE_TRANSCRIPT) return readClaudeFile(req);
  return isDatabaseFormat(format) ? readDatabase(req, format) : readFormatFile(req, format);
}
function failureOf(e) {
  return e instanceof NotAFileError ? "not a regular file" : e.code ?? e.message;
}
function finishRead(result, best, problemCount) {
  result.problemCount = problemCount;
  result.events = [...best.values()];
  result.eventCount = result.events.length;
  return result;
}
function keepBest(best, e) {
  const prev = best.get(e.dedupKey);
  if (!prev || shouldReplace(prev, e)) best.set(e.dedupKey, e);
}
function readFormatFile(req, format) {
  const best = /* @__PURE__ */ new Map();
  const problems = [];
  const readings = [];
  const result = {
    path: req.path,
    events: [],
    eventCount: 0,
    offset: req.fromOffset,
    lines: req.fromLine,
    bytesRead: 0,
    problems,
    problemCount: 0,
    skipped: { synthetic: 0, progress: 0 },
    state: req.state,
    readings,
    tailHash: ""
  };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path, mtimeMs: req.stat.mtimeMs, models: req.models };
  let problemCount = 0;
  const problem = (line, message) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line, message });
  };
  try {
    const parser = format.parser(ctx, format.wholeFile ? null : req.state);
    let at = { lineNo: 1, unterminated: false };
    const emit = (e) => {
      const why = implausibility(e, req.now);
      if (!why) keepBest(best, e);
      else if (!at.unterminated) problem(at.lineNo, why);
    };
    if (format.wholeFile) {
      const buf2 = readRegularFile(req.path);
      const why = parser.whole(buf2.toString("utf8"), emit, (message) => problem(1, message));
      if (why) {
        result.failure = why;
        return finishRead(result, /* @__PURE__ */ new Map(), problemCount);
      }
      result.offset = buf2.length;
      result.lines = 1;
      result.bytesRead = buf2.length;
      result.tailHash = fingerprint(buf2.subarray(Math.max(buf2.length - FINGERPRINT_BYTES, 0)));
    } else {
      const scan = scanLines(req.path, req.fromOffset, req.fromLine, { marker: format.markers, expectTail: req.expectTail }, (line) => {
        at = line;
        const why = parser.line(line.text, emit, (r) => readings.push(r));
        if (why && !line.unterminated) problem(line.lineNo, why);
      });
      for (const line of scan.oversizedLines) problem(line, "line too long, skipped");
      result.offset = scan.offset;
      result.lines = scan.lines;
      result.bytesRead = scan.bytesRead;
      result.tailHash = scan.tailHash;
      result.rewritten = scan.rewritten;
    }
    result.state = parser.state();
  } catch (e) {
    result.failure = failureOf(e);
  }
  return finishRead(result, best, problemCount);
}
function readDatabase(req, format) {
  const best = /* @__PURE__ */ new Map();
  const problems = [];
  const result = {
    path: req.path,
    events: [],
    eventCount: 0,
    offset: req.stat.size,
    lines: 0,
    bytesRead: 0,
    problems,
    problemCount: 0,
    skipped: { synthetic: 0, progress: 0 },
    state: req.state,
    readings: [],
    tailHash: ""
  };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path };
  let problemCount = 0;
  const problem = (message) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line: 0, message });
  };
  try {
    result.state = format.read(req.path, req.state, ctx, (e) => {
      const why = implausibility(e, req.now);
      if (!why) keepBest(best, e);
      else problem(`${e.dedupKey}: ${why}`);
    }, (where, message) => problem(`${where}: ${message}`));
    result.bytesRead = req.stat.size;
  } catch (e) {
    result.failure = e.code ? `${e.code}: ${e.message}` : e.message;
    result.state = req.state;
  }
  return finishRead(result, best, problemCount);
}
function readClaudeFile(req) {
  const best = /* @__PURE__ */ new Map();
  const problems = [];
  const skipped = { synthetic: 0, progress: 0 };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path };
  const result = {
    path: req.path,
    events: [],
    eventCount: 0,
    offset: req.fromOffset,
    lines: req.fromLine,
    bytesRead: 0,
    problems,
    problemCount: 0,
    skipped,
    state: null,
    readings: [],
    tailHash: ""
  };
  let problemCount = 0;
  const problem = (line, message) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line, message });
  };
  try {
    const repeats = new RepeatDetector();
    const scan = scanLines(req.path, req.fromOffset, req.fromLine, { marker: USAGE_MARKER, latin1: true, expectTail: req.expectTail }, (line) => {
      if (repeats.isRepeat(line.buf, line.start, line.end)) return;
      const out = parseTranscriptBytes(line.buf, line.start, line.end, line.hit, ctx, line.offset);
      if (out.kind === "skip") {
        if (out.reason === "synthetic") skipped.synthetic++;
        else if (out.reason === "progress") skipped.progress++;
        return;
      }
      const why = out.kind === "error" ? out.message : implausibility(out.event, req.now);
      if (!why) keepBest(best, out.event);
      else if (!line.unterminated) problem(line.lineNo, why);
    });
    for (const line of scan.oversizedLines) problem(line, "line too long, skipped");
    result.offset = scan.offset;
    result.lines = scan.lines;
    result.bytesRead = scan.bytesRead;
    result.tailHash = scan.tailHash;
    result.rewritten = scan.rewritten;
  } catch (e) {
    result.failure = failureOf(e);
  }
  return finishRead(result, best, problemCount);
}

// ../../tmp/prof/harness.ts
var root = process.argv[2];
var mode = process.argv[3] ?? "full";
var files = [];
var walk2 = (d) => {
  for (const e of readdirSync5(d, { withFileTypes: true })) {
    const p = join18(d, e.name);
    if (e.isDirectory()) walk2(p);
    else if (p.endsWith(".jsonl")) files.push(p);
  }
};
walk2(root);
var t = performance.now();
var n = 0;
var bytes = 0;
var lines = 0;
var buf = Buffer.allocUnsafe(1 << 20);
for (const p of files) {
  const st = statSync5(p);
  bytes += st.size;
  if (mode === "read") {
    const fd = openSync3(p, "r");
    let pos = 0;
    for (; ; ) {
      const k = readSync3(fd, buf, 0, buf.length, pos);
      if (k <= 0) break;
      pos += k;
    }
    closeSync4(fd);
    continue;
  }
  if (mode === "nl") {
    const fd = openSync3(p, "r");
    let pos = 0;
    for (; ; ) {
      const k = readSync3(fd, buf, 0, buf.length, pos);
      if (k <= 0) break;
      pos += k;
      let i = 0;
      while ((i = buf.indexOf(10, i)) >= 0 && i < k) {
        lines++;
        i++;
      }
    }
    closeSync4(fd);
    continue;
  }
  if (mode === "mark") {
    const m = Buffer.from(process.argv[4] ?? '"usage"');
    const fd = openSync3(p, "r");
    let pos = 0;
    for (; ; ) {
      const k = readSync3(fd, buf, 0, buf.length, pos);
      if (k <= 0) break;
      pos += k;
      let i = 0;
      while ((i = buf.indexOf(m, i)) >= 0 && i < k) {
        lines++;
        i++;
      }
    }
    closeSync4(fd);
    continue;
  }
  if (mode === "scan") {
    scanLines(p, 0, 0, { marker: USAGE_MARKER, latin1: true }, () => {
      lines++;
    });
    continue;
  }
  const r = readLogFile({ fileId: 1, path: p, source: "claude-code", fromOffset: 0, fromLine: 0, replace: false, stat: { dev: 0, ino: 0, size: st.size, mtimeMs: 0 }, host: "h", sessionFallback: "s", projectFallback: "p", state: null, now: Date.now() });
  n += r.eventCount;
}
var ms = performance.now() - t;
console.log(`${mode}: ${files.length} files ${(bytes / 1048576).toFixed(0)} MB ${n} events ${lines} lines in ${ms.toFixed(0)} ms = ${(bytes / 1048576 / ms * 1e3).toFixed(0)} MB/s`);
