// The part of opentelemetry-proto (v1) a receiver of metrics, logs and traces needs. Field numbers are the upstream ones;
// data we never read (histograms, summaries, exemplars) is declared empty so that the decoder skips it.
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Resource { repeated KeyValue attributes = 1; }

message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value {
    double as_double = 4;
    sfixed64 as_int = 6;
  }
  uint32 flags = 8;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1;
  int32 aggregation_temporality = 2;
  bool is_monotonic = 3;
}
message Skipped {}
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Skipped histogram = 9;
    Skipped exponential_histogram = 10;
    Skipped summary = 11;
  }
}
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }

message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }

message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Skipped status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

// google.rpc.Status, the body of an OTLP/HTTP error response.
message Status { int32 code = 1; string message = 2; }
`;

let root: protobuf.Root | undefined;
function type(name: string): protobuf.Type {
  root ??= protobuf.parse(PROTO, { keepCase: false }).root;
  return root.lookupType(`opentelemetry.proto.${name}`);
}

/** The same shape OTLP/JSON has: lowerCamelCase fields, 64-bit integers as strings, bytes as base64. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, bytes: String, defaults: false, oneofs: false };

export type Signal = 'metrics' | 'logs' | 'traces';

const REQUEST: Record<Signal, string> = { metrics: 'ExportMetricsServiceRequest', logs: 'ExportLogsServiceRequest', traces: 'ExportTraceServiceRequest' };
const RESPONSE: Record<Signal, string> = { metrics: 'ExportMetricsServiceResponse', logs: 'ExportLogsServiceResponse', traces: 'ExportTraceServiceResponse' };

/** Decodes a protobuf export request into its OTLP/JSON form; throws on bytes that are not one. */
export function decodeExportRequest(signal: Signal, bytes: Uint8Array): Record<string, unknown> {
  const t = type(REQUEST[signal]);
  return t.toObject(t.decode(bytes), TO_OBJECT) as Record<string, unknown>;
}

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** The export response, with `partial_success` only when something was rejected (as the spec asks). */
export function responseObject(signal: Signal, partial: PartialSuccess | null): Record<string, unknown> {
  if (!partial || (partial.rejected === 0 && !partial.errorMessage)) return {};
  const count = signal === 'metrics' ? 'rejectedDataPoints' : signal === 'logs' ? 'rejectedLogRecords' : 'rejectedSpans';
  return { partialSuccess: { [count]: String(partial.rejected), errorMessage: partial.errorMessage } };
}

export function encodeExportResponse(signal: Signal, partial: PartialSuccess | null): Uint8Array {
  const t = type(RESPONSE[signal]);
  return t.encode(t.fromObject(responseObject(signal, partial))).finish();
}

export function encodeExportRequest(signal: Signal, body: Record<string, unknown>): Uint8Array {
  const t = type(REQUEST[signal]);
  return t.encode(t.fromObject(body)).finish();
}

/** An OTLP/HTTP error body (google.rpc.Status) in protobuf. */
export function encodeStatus(code: number, message: string): Uint8Array {
  const t = type('Status');
  return t.encode(t.fromObject({ code, message })).finish();
}
