// Usage from OpenTelemetry traces that follow the GenAI semantic conventions: any app instrumented with OpenLIT,
// OpenLLMetry, the AI SDK, Pydantic AI…, and agents that export such spans (Copilot CLI). One model call is one span
// with `gen_ai.usage.*`. Spans that sum others (an agent invocation, a workflow) repeat their children's usage and
// are not counted: by their operation name, and by being the parent of another usage span of the same export.
//
// Counts follow the conventions: `input_tokens` includes cached input (reads and writes) and `output_tokens`
// includes reasoning; an instrumentation that reports input without the cache (input below the cache counts) is
// read as such. The key is `gen_ai.response.id`, the provider's id: the same call seen in an agent's log or by the
// proxy counts once.
import { emptyCounts, implausibility, type UsageEvent } from '../../core/event.js';
import { agentOfTool, toolOfService } from '../registry.js';
import { nanosToMs, type Attributes, type SpanRecord } from './flatten.js';
import type { Interpretation } from './interpret.js';

/** Operations that aggregate model calls rather than make one. */
const AGGREGATES = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow']);

const str = (a: Attributes, ...keys: string[]): string => {
  for (const k of keys) {
    const v = a.get(k);
    if (typeof v === 'string' && v) return v;
    if (typeof v === 'number') return String(v);
  }
  return '';
};

/** A count attribute: undefined when absent, NaN when present but not a count. */
function countOf(a: Attributes, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = a.get(k);
    if (v === undefined) continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) && n >= 0 ? Math.round(n) : NaN;
  }
  return undefined;
}

const INPUT = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'];
const OUTPUT = ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'];

const hasUsage = (s: SpanRecord) => countOf(s.attrs, ...INPUT) !== undefined || countOf(s.attrs, ...OUTPUT) !== undefined;

export function interpretSpans(spans: SpanRecord[], host: string, now = Date.now()): Interpretation {
  const out: Interpretation = { events: [], usage: [], counters: [], rejected: 0, problems: [] };
  const usageSpans = spans.filter(hasUsage);
  const parents = new Set(usageSpans.map((s) => `${s.traceId}/${s.parentSpanId}`));
  for (const s of usageSpans) {
    const a = s.attrs;
    const tool = toolOfService(str(a, 'service.name'));
    const agent = agentOfTool(tool);
    const operation = str(a, 'gen_ai.operation.name');
    if (AGGREGATES.has(operation) && !(operation === 'invoke_agent' && agent?.turnSpans)) continue;
    if (parents.has(`${s.traceId}/${s.spanId}`)) continue; // sums the usage spans under it
    const where = `span "${s.name}"${str(a, 'gen_ai.response.id') ? ` (response ${str(a, 'gen_ai.response.id')})` : ''}`;
    const fields = {
      input: countOf(a, ...INPUT), output: countOf(a, ...OUTPUT),
      cacheRead: countOf(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens'),
      cacheWrite: countOf(a, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_write.input_tokens', 'gen_ai.usage.cache_creation_input_tokens'),
      reasoning: countOf(a, 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens'),
    };
    const bad = Object.entries(fields).find(([, v]) => Number.isNaN(v));
    if (bad) {
      out.rejected++;
      out.problems.push(`${where}: ${bad[0]} tokens is not a non-negative number`);
      continue;
    }
    const cacheRead = fields.cacheRead ?? 0;
    const cacheWrite = fields.cacheWrite ?? 0;
    const prompt = fields.input ?? 0;
    const output = fields.output ?? 0;
    const responseId = str(a, 'gen_ai.response.id');
    const ev: UsageEvent = {
      ...emptyCounts(), ts: nanosToMs(s.endNano), tool, source: 'otlp',
      host: str(a, 'host.name') || host, sessionId: str(a, 'gen_ai.conversation.id', 'session.id') || 'unknown', project: '',
      model: str(a, 'gen_ai.response.model', 'gen_ai.request.model') || 'unknown', speed: 'standard', reportedCost: null,
      dedupKey: responseId || `otlp:span:${s.traceId}:${s.spanId}`, requestId: null, isSidechain: false,
      // The conventions put the cache inside input; an input smaller than its cache cannot include it.
      input: prompt >= cacheRead + cacheWrite && !agent?.spanInputUncached ? prompt - cacheRead - cacheWrite : prompt,
      cacheRead, cacheWrite5m: cacheWrite, output, reasoning: Math.min(fields.reasoning ?? 0, output),
    };
    if (!s.endNano) {
      out.rejected++;
      out.problems.push(`${where}: no end or start time`);
      continue;
    }
    const why = implausibility(ev, now);
    if (why) {
      out.rejected++;
      out.problems.push(`${where}: ${why}`);
      continue;
    }
    if (ev.input + ev.output + ev.cacheRead + ev.cacheWrite5m > 0) out.events.push(ev);
  }
  return out;
}
