// --otlp-export: tokenmeter's own figures pushed to an OpenTelemetry backend (a Collector, Grafana Cloud, Datadog,
// Honeycomb…) with the OpenTelemetry SDK, on a timer. Observable instruments read the daemon's totals when the
// reader collects, so exporting costs one lookup per interval. Loaded only when asked for.
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { cacheWrite } from '../core/event.js';
import type { LiveState } from './live.js';

export type ExportProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export interface OtlpExportOptions {
  endpoint: string;
  protocol: ExportProtocol;
  temporality: 'delta' | 'cumulative';
  intervalMs: number;
  /**
   * In fleet mode the read model holds every host's figures: `host` exports this daemon's own (each daemon of a fleet
   * exporting its share, nothing twice), `pooled` every host's (from one daemon).
   */
  scope?: 'host' | 'pooled';
  host: string;
  version: string;
  live: LiveState;
}

type ExporterClass = new (config: { url: string; temporalityPreference: AggregationTemporality }) => PushMetricExporter;

/** The exporter class of a dynamically imported package: a named export, or (bundled as CommonJS) the default's. */
function exporterClass(mod: { OTLPMetricExporter?: unknown; default?: { OTLPMetricExporter?: unknown } }): ExporterClass {
  return (mod.OTLPMetricExporter ?? mod.default?.OTLPMetricExporter) as ExporterClass;
}

async function exporter(o: OtlpExportOptions): Promise<PushMetricExporter> {
  const temporalityPreference = o.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  if (o.protocol === 'grpc') {
    return new (exporterClass(await import('@opentelemetry/exporter-metrics-otlp-grpc')))({ url: o.endpoint, temporalityPreference });
  }
  // An endpoint given without a path gets the signal's path, as OTEL_EXPORTER_OTLP_ENDPOINT does.
  const url = new URL(o.endpoint).pathname.replace(/\/+$/, '') ? o.endpoint : `${o.endpoint.replace(/\/+$/, '')}/v1/metrics`;
  const mod = o.protocol === 'http/json' ? await import('@opentelemetry/exporter-metrics-otlp-http') : await import('@opentelemetry/exporter-metrics-otlp-proto');
  return new (exporterClass(mod))({ url, temporalityPreference });
}

export async function startOtlpExport(o: OtlpExportOptions): Promise<{ flush: () => Promise<void>; stop: () => Promise<void> }> {
  const reader = new PeriodicExportingMetricReader({ exporter: await exporter(o), exportIntervalMillis: o.intervalMs });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'tokenmeter', 'service.version': o.version, 'host.name': o.host }),
    readers: [reader],
  });
  const meter = provider.getMeter('tokenmeter', o.version);
  const tokens = meter.createObservableCounter('tokenmeter.tokens', { unit: '{token}', description: 'Tokens by tool, model, type and host (reasoning is a part of output)' });
  const cost = meter.createObservableCounter('tokenmeter.cost', { unit: 'USD', description: 'Cost by tool, model and host' });
  const requests = meter.createObservableCounter('tokenmeter.requests', { unit: '{request}', description: 'API requests by tool, model and host' });
  const windowTokens = meter.createObservableGauge('tokenmeter.window.tokens', { unit: '{token}', description: 'Tokens in the current 5-hour window' });
  const windowCost = meter.createObservableGauge('tokenmeter.window.cost', { unit: 'USD', description: 'Cost of the current 5-hour window' });
  meter.addBatchObservableCallback(async (result) => {
    for (const r of await o.live.totals()) {
      if (o.scope !== 'pooled' && r.host !== o.host) continue;
      const base: Attributes = { tool: r.tool, model: r.model, host: r.host };
      for (const [type, v] of [['input', r.input], ['output', r.output], ['cache_read', r.cacheRead], ['cache_write', cacheWrite(r)], ['reasoning', r.reasoning]] as const) {
        result.observe(tokens, v, { ...base, type });
      }
      result.observe(cost, r.cost, base);
      result.observe(requests, r.requests, base);
    }
    const w = await o.live.window();
    if (w?.isActive) {
      result.observe(windowTokens, w.totalTokens, { window: '5h' });
      result.observe(windowCost, w.cost, { window: '5h' });
    }
  }, [tokens, cost, requests, windowTokens, windowCost]);
  return { flush: () => reader.forceFlush(), stop: () => provider.shutdown() };
}
