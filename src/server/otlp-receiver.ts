// The OTLP receiver shared by both transports: decoded export requests in, partial-success answers out.
import { gunzipSync, inflateSync } from 'node:zlib';
import { flattenLogs, flattenMetrics, flattenSpans } from '../sources/otlp/flatten.js';
import { interpretSpans } from '../sources/otlp/genai-spans.js';
import { interpretLogs, interpretMetrics, type Interpretation } from '../sources/otlp/interpret.js';
import { decodeExportRequest, type PartialSuccess, type Signal } from '../sources/otlp/proto.js';
import type { TelemetryIngest } from '../ingest/telemetry.js';

/** Largest export body accepted, compressed or not (the OTel Collector's default is 20 MB too). */
export const MAX_BODY_BYTES = 20 << 20;

/** A body the receiver cannot use, with the HTTP status and gRPC code it maps to. */
export class ReceiveError extends Error {
  constructor(message: string, readonly httpStatus: number, readonly grpcCode: number) {
    super(message);
  }
}

export function decompress(body: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES });
    if (enc === 'deflate') return inflateSync(body, { maxOutputLength: MAX_BODY_BYTES });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || /maxOutputLength|too large/i.test(err.message)) {
      throw new ReceiveError(`body larger than ${MAX_BODY_BYTES} bytes once decompressed`, 413, 8);
    }
    throw new ReceiveError(`body is not valid ${enc}: ${err.message}`, 400, 3);
  }
  throw new ReceiveError(`unsupported Content-Encoding "${enc}" (gzip, deflate or none)`, 415, 3);
}

export function decodeBody(signal: Signal, body: Buffer, format: 'json' | 'protobuf'): Record<string, unknown> {
  if (format === 'protobuf') {
    try {
      return decodeExportRequest(signal, body);
    } catch (e) {
      throw new ReceiveError(`body is not an OTLP ${signal} protobuf message: ${(e as Error).message}`, 400, 3);
    }
  }
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (e) {
    // V8's message quotes the body; a body may hold prompt text, which is never echoed or logged. The position is enough.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new ReceiveError(`body is not JSON${at ? ` (at byte ${at})` : ''}`, 400, 3);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ReceiveError(`body is not an OTLP ${signal} JSON object`, 400, 3);
  }
  return parsed as Record<string, unknown>;
}

export class OtlpReceiver {
  requests: Record<string, number> = {};
  rejected = 0;

  constructor(private readonly ingest: TelemetryIngest, private readonly host: string, private readonly log: (msg: string) => void) {}

  count(signal: Signal, transport: string, status: number | string): void {
    const k = `${signal} ${transport} ${status}`;
    this.requests[k] = (this.requests[k] ?? 0) + 1;
  }

  /** Reads an export request; resolves once what it carries is stored. */
  async receive(signal: Signal, body: Record<string, unknown>): Promise<PartialSuccess | null> {
    let flat: { rejected: number; problems: string[] };
    let interp: Interpretation;
    if (signal === 'metrics') {
      const f = flattenMetrics(body);
      flat = f;
      interp = interpretMetrics(f.items);
    } else if (signal === 'logs') {
      const f = flattenLogs(body);
      flat = f;
      interp = interpretLogs(f.items, this.host);
    } else {
      const f = flattenSpans(body);
      flat = f;
      interp = interpretSpans(f.items, this.host);
    }
    const rejected = flat.rejected + interp.rejected;
    this.rejected += rejected;
    const problems = [...flat.problems, ...interp.problems];
    if (problems.length) this.log(`otlp ${signal}: rejected ${rejected}: ${problems.slice(0, 3).join('; ')}`);
    await this.ingest.accept(interp);
    return rejected > 0 ? { rejected, errorMessage: problems.slice(0, 3).join('; ') } : null;
  }
}
