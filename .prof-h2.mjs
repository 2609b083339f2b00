// ../../tmp/prof/h2.ts
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// src/sources/latin1.ts
var HIGH = /[\x80-\xff]/;
function fromLatin1(s) {
  return HIGH.test(s) ? Buffer.from(s, "latin1").toString("utf8") : s;
}

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
function parseTranscriptLine(text, ctx2, offset, latin1 = false) {
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    const m2 = e.message;
    const at = /position (\d+)/.exec(m2)?.[1];
    return { kind: "error", message: at ? `malformed JSON at byte ${at}` : /Unexpected end/.test(m2) ? "malformed JSON (ends early)" : "malformed JSON" };
  }
  return transcriptOutcome(obj, ctx2, offset, latin1 ? () => parseTranscriptLine(fromLatin1(text), ctx2, offset, false) : null);
}
var MESSAGE_KEY = Buffer.from('"message":{');
var CONTENT_KEY = Buffer.from('"content":');
var STOP_REASON_KEY = Buffer.from(',"stop_reason":');
var STOP_REASON_REACH = 256;
function parseTranscriptBytes(buf, start, end, hit, ctx2, offset) {
  const whole = () => parseTranscriptLine(buf.toString("latin1", start, end), ctx2, offset, true);
  const head = buf.subarray(start, hit);
  const m2 = head.indexOf(MESSAGE_KEY);
  const c = m2 < 0 ? -1 : head.indexOf(CONTENT_KEY, m2 + MESSAGE_KEY.length);
  const reach = Math.min(STOP_REASON_REACH, head.length);
  const near = c < 0 ? -1 : head.subarray(head.length - reach).lastIndexOf(STOP_REASON_KEY);
  const s = near < 0 ? -1 : head.length - reach + near;
  if (s <= c) return whole();
  let obj;
  try {
    obj = JSON.parse(`${buf.toString("latin1", start, start + c + CONTENT_KEY.length)}[]${buf.toString("latin1", start + s, end)}`);
  } catch {
    return whole();
  }
  const message = isObject(obj) ? obj.message : void 0;
  if (!isObject(message) || !Array.isArray(message.content) || message.content.length !== 0 || !("stop_reason" in message)) return whole();
  return transcriptOutcome(obj, ctx2, offset, whole);
}
function transcriptOutcome(obj, ctx2, offset, utf8Again) {
  if (!isObject(obj)) return { kind: "error", message: "line is not a JSON object" };
  if (obj.type === "progress") return { kind: "skip", reason: "progress" };
  if (obj.type !== "assistant") return { kind: "skip", reason: "other-type" };
  const message = obj.message;
  if (!isObject(message)) return { kind: "error", message: "assistant line without a message object" };
  const usage = message.usage;
  if (usage === void 0 || usage === null) return { kind: "skip", reason: "other-type" };
  if (!isObject(usage)) return { kind: "error", message: `message.usage is ${quoteValue(usage)}, expected an object` };
  const str = (v) => typeof v === "string" && v ? v : null;
  const model = str(message.model) ?? "";
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
    const messageId = str(message.id);
    const dedupKey = messageId ?? `line:${ctx2.fileKey}:${offset}`;
    const cost = obj.costUSD;
    const reportedCost = typeof cost === "number" && Number.isFinite(cost) && cost >= 0 ? cost : null;
    const event = {
      ts,
      tool: "claude-code",
      source: "transcript",
      host: ctx2.host,
      sessionId: str(obj.sessionId) ?? ctx2.sessionFallback,
      project: str(obj.cwd) ?? ctx2.projectFallback,
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
      requestId: str(obj.requestId),
      isSidechain: obj.isSidechain === true
    };
    return { kind: "event", event };
  } catch (e) {
    if (e instanceof FieldError) return { kind: "error", message: e.message };
    throw e;
  }
}
var ID_KEY = Buffer.from('"id":"msg_');
var USAGE_OBJECT_KEY = Buffer.from('"usage":{');
var REQUEST_ID_KEY = Buffer.from('"requestId":"');

// ../../tmp/prof/h2.ts
var root = process.argv[2];
var files = [];
var walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith(".jsonl")) files.push(p);
  }
};
walk(root);
var ctx = { host: "h", sessionFallback: "s", projectFallback: "p", fileKey: "f" };
var m = Buffer.from('"usage"');
var slimLines = 0;
var total = 0;
var parseMs = 0;
var lens = 0;
var slimLen = 0;
var HEADKEYS = [Buffer.from('"message":{'), Buffer.from('"content":'), Buffer.from(',"stop_reason":')];
var samples = [];
for (const p of files) {
  const b = readFileSync(p);
  let pos = 0;
  while (pos < b.length) {
    let nl = b.indexOf(10, pos);
    if (nl < 0) nl = b.length;
    const hit = b.subarray(pos, nl).indexOf(m);
    if (hit >= 0) {
      total++;
      lens += nl - pos;
      const t = performance.now();
      const head = b.subarray(pos, pos + hit);
      const mi = head.indexOf(HEADKEYS[0]);
      const c = mi < 0 ? -1 : head.indexOf(HEADKEYS[1], mi);
      const s = head.lastIndexOf(HEADKEYS[2]);
      if (c >= 0 && s > c && hit - s < 256) {
        slimLines++;
        slimLen += c + (nl - pos - s);
      } else if (samples.length < 3) samples.push(b.toString("latin1", pos, Math.min(nl, pos + 300)));
      parseTranscriptBytes(b, pos, nl, pos + hit, ctx, pos);
      parseMs += performance.now() - t;
    }
    pos = nl + 1;
  }
}
console.log({ total, slimLines, avgLen: lens / total, avgSlim: slimLen / slimLines, parseMs });
console.log(samples);
