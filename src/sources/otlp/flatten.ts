// Flattens an OTLP export request (in its JSON form, which protobuf requests are decoded into) into data points and
// log records with plain attribute maps. Field names are accepted in lowerCamelCase (the OTLP/JSON spelling) and
// in snake_case (what some hand-written senders use).

export type AttrValue = string | number | boolean;

/**
 * A record's attributes over its resource's: lookups see both (the record's winning), `keys` only the record's, and
 * nothing is copied per record. A Map, because attribute names (`session.id`) make plain objects slow dictionaries.
 */
export class Attributes {
  readonly own = new Map<string, AttrValue>();

  constructor(readonly parent?: Attributes) {}

  get(key: string): AttrValue | undefined {
    const v = this.own.get(key);
    return v !== undefined ? v : this.parent?.get(key);
  }

  /** The record's own attribute names. */
  keys(): string[] {
    return [...this.own.keys()];
  }
}

/** Longer attribute values are cut: we keep ids and names, never content, and a sender may send anything. */
export const MAX_ATTRIBUTE_CHARS = 256;

export type Temporality = 'delta' | 'cumulative' | 'unspecified';

export interface MetricPoint {
  name: string;
  unit: string;
  kind: 'sum' | 'gauge';
  temporality: Temporality;
  /** The point's attributes over its resource's. */
  attrs: Attributes;
  startNano: string;
  timeNano: string;
  value: number;
}

export interface LogEvent {
  /** The event's full name, e.g. `claude_code.api_request`. */
  name: string;
  timeNano: string;
  attrs: Attributes;
}

export interface SpanRecord {
  name: string;
  /** Hex (OTLP/JSON) or base64 (decoded protobuf) ids, compared only with each other within one export. */
  traceId: string;
  spanId: string;
  parentSpanId: string;
  endNano: string;
  /** The span's attributes over its resource's (service.name, host.name). */
  attrs: Attributes;
}

export interface Flattened<T> {
  items: T[];
  /** Points or records that could not be understood (no value, no time): reported back as rejected. */
  rejected: number;
  problems: string[];
}

type Json = Record<string, unknown>;

const field = (o: Json, camel: string, snake: string): unknown => (o[camel] !== undefined ? o[camel] : o[snake]);
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as Json[]) : []);
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

function anyValue(v: unknown): AttrValue | undefined {
  const o = obj(v);
  if (!o) return undefined;
  // camelCase first, without a second lookup: this runs for every attribute of every record.
  let x = o.stringValue;
  if (typeof x === 'string') return x.length > MAX_ATTRIBUTE_CHARS ? x.slice(0, MAX_ATTRIBUTE_CHARS) : x;
  x = o.intValue;
  if (x === undefined) x = o.doubleValue;
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined;
  if (typeof x === 'string') {
    const n = Number(x); // int64 as a string, or "NaN"/"Infinity" spellings of a double
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof o.boolValue === 'boolean') return o.boolValue;
  if ('string_value' in o || 'int_value' in o || 'double_value' in o || 'bool_value' in o) {
    return anyValue({ stringValue: o.string_value, intValue: o.int_value, doubleValue: o.double_value, boolValue: o.bool_value });
  }
  return undefined; // arrays, maps and bytes carry nothing we read
}

export function attributes(v: unknown, parent?: Attributes): Attributes {
  const into = new Attributes(parent);
  if (!Array.isArray(v)) return into;
  for (const kv of v as Json[]) {
    const key = kv?.key;
    if (typeof key !== 'string') continue;
    const value = anyValue(kv.value);
    if (value !== undefined) into.own.set(key, value);
  }
  return into;
}

/** A nanosecond timestamp as a decimal string ('' when absent or malformed). */
function nanos(v: unknown): string {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v.replace(/^0+(?=\d)/, '');
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v)).toString();
  return '';
}

export function nanosToMs(n: string): number {
  return n.length > 6 ? Number(n.slice(0, -6)) : 0;
}

const TEMPORALITY: Record<string, Temporality> = {
  '1': 'delta', '2': 'cumulative', AGGREGATION_TEMPORALITY_DELTA: 'delta', AGGREGATION_TEMPORALITY_CUMULATIVE: 'cumulative',
};

function pointValue(p: Json): number | undefined {
  const d = field(p, 'asDouble', 'as_double');
  if (typeof d === 'number') return d;
  const i = field(p, 'asInt', 'as_int');
  if (typeof i === 'string' || typeof i === 'number') return Number(i);
  return undefined;
}

export function flattenMetrics(body: Json): Flattened<MetricPoint> {
  const out: Flattened<MetricPoint> = { items: [], rejected: 0, problems: [] };
  for (const rm of list(field(body, 'resourceMetrics', 'resource_metrics'))) {
    const resource = attributes(obj(rm.resource)?.attributes);
    for (const sm of list(field(rm, 'scopeMetrics', 'scope_metrics'))) {
      for (const m of list(sm.metrics)) {
        const name = typeof m.name === 'string' ? m.name : '';
        const unit = typeof m.unit === 'string' ? m.unit : '';
        const sum = obj(m.sum);
        const gauge = obj(m.gauge);
        const data = sum ?? gauge;
        if (!name || !data) continue; // histograms, summaries, and metrics without data: accepted, not read
        const temporality = sum ? (TEMPORALITY[String(field(sum, 'aggregationTemporality', 'aggregation_temporality'))] ?? 'unspecified') : 'unspecified';
        for (const p of list(field(data, 'dataPoints', 'data_points'))) {
          const value = pointValue(p);
          const timeNano = nanos(field(p, 'timeUnixNano', 'time_unix_nano'));
          if (value === undefined || !Number.isFinite(value) || !timeNano) {
            out.rejected++;
            if (out.problems.length < 5) out.problems.push(`metric ${name}: a data point without ${!timeNano ? 'timeUnixNano' : 'a numeric value'}`);
            continue;
          }
          out.items.push({
            name, unit, kind: sum ? 'sum' : 'gauge', temporality,
            attrs: attributes(p.attributes, resource),
            startNano: nanos(field(p, 'startTimeUnixNano', 'start_time_unix_nano')),
            timeNano, value,
          });
        }
      }
    }
  }
  return out;
}

/**
 * Claude Code names an event in the body (`claude_code.api_request`) and in `event.name` (`api_request`); newer SDKs
 * use the record's `eventName`; Gemini CLI and Codex put the full name in `event.name`.
 */
function eventName(r: Json, attrs: Attributes, serviceName: string): string {
  const body = obj(r.body);
  const bodyText = body ? anyValue(body) : undefined;
  const candidates = [field(r, 'eventName', 'event_name'), attrs.get('event.name'), bodyText];
  for (const c of candidates) if (typeof c === 'string' && c.includes('.') && !c.includes(' ')) return c;
  const short = attrs.get('event.name');
  if (typeof short === 'string' && short) return `${serviceName.replaceAll('-', '_')}.${short}`;
  return '';
}

export function flattenLogs(body: Json): Flattened<LogEvent> {
  const out: Flattened<LogEvent> = { items: [], rejected: 0, problems: [] };
  for (const rl of list(field(body, 'resourceLogs', 'resource_logs'))) {
    const resource = attributes(obj(rl.resource)?.attributes);
    const service = resource.get('service.name');
    const serviceName = typeof service === 'string' ? service : '';
    for (const sl of list(field(rl, 'scopeLogs', 'scope_logs'))) {
      for (const r of list(field(sl, 'logRecords', 'log_records'))) {
        const attrs = attributes(r.attributes, resource);
        const name = eventName(r, attrs, serviceName);
        if (!name) continue; // a plain log line: not an event we read
        const timeNano = nanos(field(r, 'timeUnixNano', 'time_unix_nano')) || nanos(field(r, 'observedTimeUnixNano', 'observed_time_unix_nano'));
        out.items.push({ name, timeNano, attrs });
      }
    }
  }
  return out;
}

const idOf = (v: unknown): string => (typeof v === 'string' ? v : '');

export function flattenSpans(body: Json): Flattened<SpanRecord> {
  const out: Flattened<SpanRecord> = { items: [], rejected: 0, problems: [] };
  for (const rs of list(field(body, 'resourceSpans', 'resource_spans'))) {
    const resource = attributes(obj(rs.resource)?.attributes);
    for (const ss of list(field(rs, 'scopeSpans', 'scope_spans'))) {
      for (const s of list(ss.spans)) {
        out.items.push({
          name: typeof s.name === 'string' ? s.name : '',
          traceId: idOf(field(s, 'traceId', 'trace_id')), spanId: idOf(field(s, 'spanId', 'span_id')),
          parentSpanId: idOf(field(s, 'parentSpanId', 'parent_span_id')),
          endNano: nanos(field(s, 'endTimeUnixNano', 'end_time_unix_nano')) || nanos(field(s, 'startTimeUnixNano', 'start_time_unix_nano')),
          attrs: attributes(s.attributes, resource),
        });
      }
    }
  }
  return out;
}
