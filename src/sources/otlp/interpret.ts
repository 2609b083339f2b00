// What tokenmeter reads from the telemetry of Claude Code, Gemini CLI and Codex: per-request usage events from their
// log events, token and cost metrics (a fallback for sessions no per-request source covers), and plain counters.
// Only counts, ids, model names and times are taken; prompts, tool content and anything else a sender adds are not.
import { emptyCounts, implausibility, MAX_REQUEST_TOKENS, splitCachedInput, type Tool, type UsageEvent } from '../../core/event.js';
import { nanosToMs, type Attributes, type LogEvent, type MetricPoint, type Temporality } from './flatten.js';

/** One token or cost metric data point, by the kind of count it is. */
export type UsageKind = 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'reasoning' | 'cost' | 'inputWithCache' | 'tool';

export interface MetricUsagePoint {
  tool: Tool;
  /** Identifies the series across exports, for cumulative temporality. */
  seriesKey: string;
  sessionId: string;
  model: string;
  /** The other attributes that split series (query_source, speed, …), so that two series are never merged. */
  variant: string;
  kind: UsageKind;
  temporality: Temporality;
  startNano: string;
  timeNano: string;
  value: number;
}

/** A counter exposed on /metrics, under the name an OTel Collector's Prometheus exporter would give it. */
export interface CounterPoint {
  name: string;
  labels: Record<string, string>;
  seriesKey: string;
  temporality: Temporality;
  startNano: string;
  value: number;
}

export interface Interpretation {
  events: UsageEvent[];
  usage: MetricUsagePoint[];
  counters: CounterPoint[];
  /** Records whose required fields were missing or malformed, with what and where. */
  rejected: number;
  problems: string[];
}

const str = (a: Attributes, k: string): string => {
  const v = a.get(k);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
};
const num = (a: Attributes, k: string): number | undefined => {
  const v = a.get(k);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
const count = (a: Attributes, k: string): number => Math.max(Math.round(num(a, k) ?? 0), 0);

/** Claude Code may suffix the model with its context size (`claude-opus-4-8[1m]`); prices know the bare name. */
export function normalizeModel(model: string): string {
  return model.replace(/\[[^\]]*\]$/, '').trim() || 'unknown';
}

function eventTime(e: LogEvent): number {
  const iso = str(e.attrs, 'event.timestamp');
  const parsed = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(parsed) ? parsed : nanosToMs(e.timeNano);
}

function baseEvent(tool: Tool, e: LogEvent, host: string, sessionId: string, dedupKey: string): UsageEvent {
  return {
    ...emptyCounts(), ts: eventTime(e), tool, source: 'otlp', host: str(e.attrs, 'host.name') || host, sessionId,
    project: '', model: normalizeModel(str(e.attrs, 'model')), speed: 'standard', reportedCost: null, dedupKey,
    requestId: null, isSidechain: false,
  };
}

function claudeRequest(e: LogEvent, host: string): UsageEvent {
  const a = e.attrs;
  const requestId = str(a, 'request_id');
  const session = str(a, 'session.id');
  const key = requestId ? `otlp:${requestId}` : `otlp:claude-code:${session}:${str(a, 'event.sequence') || e.timeNano}`;
  const ev = baseEvent('claude-code', e, host, session, key);
  ev.requestId = requestId || null;
  ev.input = count(a, 'input_tokens');
  ev.output = count(a, 'output_tokens');
  ev.cacheRead = count(a, 'cache_read_tokens');
  // The event does not split cache writes by lifetime; the 5-minute one is Claude Code's default.
  ev.cacheWrite5m = count(a, 'cache_creation_tokens');
  ev.speed = str(a, 'speed') === 'fast' ? 'fast' : 'standard';
  const micros = num(a, 'cost_usd_micros');
  const cost = micros !== undefined ? micros / 1e6 : num(a, 'cost_usd');
  ev.reportedCost = cost ?? null;
  ev.isSidechain = str(a, 'query_source') === 'subagent';
  return ev;
}

function geminiResponse(e: LogEvent, host: string): UsageEvent {
  const a = e.attrs;
  const session = str(a, 'session.id');
  const ev = baseEvent('gemini', e, host, session, `otlp:gemini:${session}:${str(a, 'prompt_id')}:${e.timeNano}`);
  // Gemini's prompt count includes cached tokens; thoughts are billed as output but reported apart from it.
  const { input, cacheRead } = splitCachedInput(count(a, 'input_token_count'), count(a, 'cached_content_token_count'));
  ev.input = input + count(a, 'tool_token_count');
  ev.cacheRead = cacheRead;
  ev.reasoning = count(a, 'thoughts_token_count');
  ev.output = count(a, 'output_token_count') + ev.reasoning;
  return ev;
}

function codexCompleted(e: LogEvent, host: string): UsageEvent {
  const a = e.attrs;
  const session = str(a, 'conversation.id');
  const ev = baseEvent('codex', e, host, session, `otlp:codex:${session}:${e.timeNano}`);
  // OpenAI's input includes cached tokens and its output includes reasoning.
  const { input, cacheRead } = splitCachedInput(count(a, 'input_token_count'), count(a, 'cached_token_count'));
  ev.input = input + count(a, 'tool_token_count');
  ev.cacheRead = cacheRead;
  ev.output = count(a, 'output_token_count');
  ev.reasoning = Math.min(count(a, 'reasoning_token_count'), ev.output);
  return ev;
}

const CLAUDE_TOKEN_TYPES: Record<string, UsageKind> = { input: 'input', output: 'output', cacheRead: 'cacheRead', cacheCreation: 'cacheWrite' };
const GEMINI_TOKEN_TYPES: Record<string, UsageKind> = { input: 'inputWithCache', output: 'output', cache: 'cacheRead', thought: 'reasoning', tool: 'tool' };

/** Metrics that are plain counters, and the Prometheus names a Collector would give them. */
const COUNTERS: Record<string, { name: string; labels: string[] }> = {
  'claude_code.session.count': { name: 'claude_code_session_count_total', labels: [] },
  'claude_code.lines_of_code.count': { name: 'claude_code_lines_of_code_count_total', labels: ['type'] },
  'claude_code.commit.count': { name: 'claude_code_commit_count_total', labels: [] },
  'claude_code.pull_request.count': { name: 'claude_code_pull_request_count_total', labels: [] },
  'claude_code.active_time.total': { name: 'claude_code_active_time_seconds_total', labels: ['type'] },
  'claude_code.code_edit_tool.decision': { name: 'claude_code_code_edit_tool_decision_total', labels: ['tool_name', 'decision'] },
  'gemini_cli.session.count': { name: 'gemini_cli_session_count_total', labels: [] },
  'gemini_cli.api.request.count': { name: 'gemini_cli_api_request_count_total', labels: ['model', 'status_code'] },
  'gemini_cli.tool.call.count': { name: 'gemini_cli_tool_call_count_total', labels: ['function_name', 'success'] },
};

/** Attributes that identify who and where, not what: they split series but are not labels we expose. */
const IDENTITY = new Set(['session.id', 'model', 'type', 'user.account_uuid', 'user.account_id', 'user.id', 'user.email',
  'organization.id', 'terminal.type', 'app.version', 'service.name', 'service.version', 'os.type', 'os.version',
  'host.arch', 'installation.id', 'app.entrypoint']);

function seriesKey(name: string, a: Attributes): string {
  return `${name}\u0000${a.keys().sort().map((k) => `${k}=${a.own.get(k)}`).join('\u0000')}`;
}

function variantOf(a: Attributes): string {
  return a.keys().filter((k) => !IDENTITY.has(k)).sort().map((k) => `${k}=${a.own.get(k)}`).join(',');
}

function label(v: string): string {
  return v.length > 64 ? v.slice(0, 64) : v;
}

export function interpretMetrics(points: MetricPoint[], now = Date.now()): Interpretation {
  const out: Interpretation = { events: [], usage: [], counters: [], rejected: 0, problems: [] };
  for (const p of points) {
    if (p.kind !== 'sum') continue; // gauges carry no counts we add up
    const a = p.attrs;
    let tool: Tool | undefined;
    let kind: UsageKind | undefined;
    if (p.name === 'claude_code.token.usage') {
      tool = 'claude-code';
      kind = CLAUDE_TOKEN_TYPES[str(a, 'type')];
    } else if (p.name === 'claude_code.cost.usage') {
      tool = 'claude-code';
      kind = 'cost';
    } else if (p.name === 'gemini_cli.token.usage') {
      tool = 'gemini';
      kind = GEMINI_TOKEN_TYPES[str(a, 'type')];
    }
    if (tool) {
      if (!kind) continue; // a token type we do not know: not an error for the sender
      // A cumulative series may sum a whole session, but no session reaches 10^10 tokens (or USD).
      const why = p.value < 0 ? `negative value ${p.value}` : p.value > MAX_REQUEST_TOKENS ? `value ${p.value} is more than any session can have (10^10)`
        : implausibility({ ...emptyCounts(), ts: nanosToMs(p.timeNano) }, now);
      if (why) {
        out.rejected++;
        out.problems.push(`metric ${p.name}: ${why}`);
        continue;
      }
      out.usage.push({
        tool, seriesKey: seriesKey(p.name, a), sessionId: str(a, 'session.id'), model: normalizeModel(str(a, 'model')),
        variant: variantOf(a), kind, temporality: p.temporality, startNano: p.startNano, timeNano: p.timeNano, value: p.value,
      });
      continue;
    }
    const counter = COUNTERS[p.name];
    if (!counter) continue;
    const labels: Record<string, string> = {};
    for (const l of counter.labels) labels[l] = label(str(a, l));
    out.counters.push({ name: counter.name, labels, seriesKey: seriesKey(p.name, a), temporality: p.temporality, startNano: p.startNano, value: p.value });
  }
  return out;
}

export function interpretLogs(records: LogEvent[], host: string, now = Date.now()): Interpretation {
  const out: Interpretation = { events: [], usage: [], counters: [], rejected: 0, problems: [] };
  const counter = (name: string, labels: Record<string, string>) =>
    out.counters.push({ name, labels, seriesKey: '', temporality: 'delta', startNano: '', value: 1 });
  for (const r of records) {
    let ev: UsageEvent | undefined;
    switch (r.name) {
      case 'claude_code.api_request':
        ev = claudeRequest(r, host);
        break;
      case 'gemini_cli.api_response':
        ev = geminiResponse(r, host);
        break;
      case 'codex.sse_event':
        if (str(r.attrs, 'event.kind') === 'response.completed') ev = codexCompleted(r, host);
        break;
      case 'claude_code.api_error':
        counter('tokenmeter_api_errors_total', { tool: 'claude-code', model: label(normalizeModel(str(r.attrs, 'model'))), status_code: label(str(r.attrs, 'status_code')) });
        break;
      case 'claude_code.tool_result':
        counter('tokenmeter_tool_results_total', { tool: 'claude-code', tool_name: label(str(r.attrs, 'tool_name')), success: label(str(r.attrs, 'success')) });
        break;
    }
    if (!ev) continue;
    if (!Number.isFinite(ev.ts) || ev.ts <= 0) {
      out.rejected++;
      out.problems.push(`log event ${r.name}: no usable timestamp`);
      continue;
    }
    const why = implausibility(ev, now);
    if (why) {
      out.rejected++;
      out.problems.push(`log event ${r.name}${ev.requestId ? ` (request ${ev.requestId})` : ''}: ${why}`);
      continue;
    }
    if (!ev.sessionId) ev.sessionId = 'unknown';
    out.events.push(ev);
  }
  return out;
}
