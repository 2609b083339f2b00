// OTLP/gRPC (port 4317): the metrics, logs and traces Export services, for senders set to OTEL_EXPORTER_OTLP_PROTOCOL=grpc.
import * as grpc from '@grpc/grpc-js';
import { encodeExportResponse, type Signal } from '../sources/otlp/proto.js';
import type { Guard } from './guard.js';
import { decodeBody, MAX_BODY_BYTES, ReceiveError, type OtlpReceiver } from './otlp-receiver.js';

const SERVICES: Record<Signal, string> = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
};

/** Messages pass through as bytes: decoding is the receiver's, as for OTLP/HTTP. */
function definition(signal: Signal): grpc.ServiceDefinition {
  const identity = (b: Buffer) => b;
  return {
    Export: {
      path: SERVICES[signal], requestStream: false, responseStream: false,
      requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
      originalName: 'export',
    },
  };
}

/** The address part of a gRPC peer string (`ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`, `127.0.0.1:5000`). */
function peerAddress(peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '');
  if (p.startsWith('[')) return p.slice(1, p.indexOf(']'));
  return p.slice(0, p.lastIndexOf(':'));
}

export async function startGrpc(host: string, port: number, receiver: OtlpReceiver, guard: Guard): Promise<{ port: number; close: () => Promise<void> }> {
  // grpc-js writes its own lines to stderr (a port clash comes out twice, once in its words): the daemon says what
  // went wrong itself.
  grpc.setLogVerbosity(grpc.logVerbosity.NONE);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_BODY_BYTES });
  for (const signal of ['metrics', 'logs', 'traces'] as const) {
    server.addService(definition(signal), {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        // Browsers cannot speak gRPC, so there is no Host to check; the token rule is the HTTP one.
        const verdict = guard.check({
          hostHeader: undefined, remoteAddress: peerAddress(call.getPeer()), otlp: true,
          authorization: String(call.metadata.get('authorization')[0] ?? '') || undefined,
        });
        if (!verdict.ok) {
          receiver.count(signal, 'grpc', 'unauthenticated');
          callback({ code: grpc.status.UNAUTHENTICATED, details: verdict.message });
          return;
        }
        let body: Record<string, unknown>;
        try {
          body = decodeBody(signal, call.request, 'protobuf');
        } catch (e) {
          receiver.count(signal, 'grpc', 'invalid');
          callback({ code: (e as ReceiveError).grpcCode ?? grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
          return;
        }
        receiver.receive(signal, body).then(
          (partial) => {
            receiver.count(signal, 'grpc', 'ok');
            callback(null, Buffer.from(encodeExportResponse(signal, partial)));
          },
          (e: unknown) => {
            receiver.count(signal, 'grpc', 'unavailable');
            callback({ code: grpc.status.UNAVAILABLE, details: `temporarily unable to store: ${(e as Error).message}` });
          },
        );
      },
    });
  }
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.forceShutdown(), 2000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}
