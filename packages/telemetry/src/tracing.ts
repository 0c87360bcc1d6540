import { trace } from '@opentelemetry/api';
import type { OTLPTraceExporter as OTLPTraceExporterType } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** The service name spans carry unless OTEL_SERVICE_NAME says otherwise: `worker`, `payments`, `menu`, … */
  readonly serviceName: string;
  readonly env?: NodeJS.ProcessEnv;
  /** More processors, e.g. an in-memory exporter in tests. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface Tracing {
  readonly provider: NodeTracerProvider;
  readonly resource: Resource;
  /** Every configured processor behind one: the worker hands it the spans the workflow sandbox sends out. */
  readonly spanProcessor: SpanProcessor;
  /** Whether spans leave the process (OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  readonly exporting: boolean;
  /** Flushes and stops: call before the process exits, so the last spans are not lost. */
  shutdown(): Promise<void>;
}

/**
 * Registers this process's OpenTelemetry tracer provider: W3C trace context (and baggage) for propagation, an
 * AsyncLocalStorage context manager, `fetch` instrumented (outgoing calls get a client span and a `traceparent`
 * header) and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, an OTLP/HTTP-protobuf exporter (which reads the rest of the
 * standard OTEL_EXPORTER_OTLP_* variables itself). Without an endpoint spans are still made — trace ids reach logs
 * and the services downstream — but none is exported. Call once, before the first request.
 */
export function startTracing(options: TracingOptions): Tracing {
  const env = options.env ?? process.env;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || options.serviceName });
  const exporting = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [...(exporting ? [new BatchSpanProcessor(otlpExporter())] : []), ...(options.spanProcessors ?? [])],
  });
  provider.register();
  const instrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new UndiciInstrumentation()],
  });
  return {
    provider,
    resource,
    spanProcessor: provider.getActiveSpanProcessor(),
    exporting,
    async shutdown() {
      instrumentations();
      await provider.shutdown();
      trace.disable();
    },
  };
}

/**
 * The OTLP exporter, loaded only when spans are exported: with its protobuf encoder it is a good part of what a
 * process loads at start (the worker's cold start counts it), and most processes here never export. `require`, not
 * `import()`: startTracing is synchronous, as a tracer provider must be registered before the first request.
 */
function otlpExporter(): OTLPTraceExporterType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as {
    OTLPTraceExporter: typeof OTLPTraceExporterType;
  };
  return new OTLPTraceExporter();
}

/** For tests: finished spans kept in memory. Pass `processor` to startTracing, read `exporter.getFinishedSpans()`. */
export function inMemorySpans(): { exporter: InMemorySpanExporter; processor: SpanProcessor } {
  const exporter = new InMemorySpanExporter();
  return { exporter, processor: new SimpleSpanProcessor(exporter) };
}
