import { startTracing, type SpanProcessor, type Tracing } from '@durable-delivery/telemetry/tracing';
import { temporalWorkerTelemetry, type WorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { ORDER_METRICS } from '@durable-delivery/workflows';
import type { TelemetryOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config';

/**
 * Everything the worker does for observability, in one place. Metrics: the SDK's Rust core serves Prometheus at
 * WORKER_METRICS_ADDRESS — its own runtime metrics (task latencies, slots, pollers, failures; `temporal_` names)
 * and the order counters that workflow code emits through the workflow metric meter. Traces: this process's tracer
 * provider (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set), the activity interceptors and the sink for the spans the
 * workflow bundle's interceptors make.
 */
export interface WorkerObservability {
  readonly tracing: Tracing;
  /** Spread into Worker.create (interceptors and sinks). */
  readonly workerOptions: WorkerTelemetry;
}

export function startWorkerObservability(
  options: { spanProcessors?: readonly SpanProcessor[] } = {},
): WorkerObservability {
  const tracing = startTracing({ serviceName: 'worker', ...options });
  return { tracing, workerOptions: temporalWorkerTelemetry(tracing) };
}

/** Runtime.install's telemetryOptions: the Prometheus endpoint. */
export function runtimeTelemetry(config: Pick<WorkerConfig, 'metricsAddress'>): TelemetryOptions {
  return {
    metrics: {
      prometheus: {
        bindAddress: config.metricsAddress,
        // From a card that answers at once to one retried for minutes within the payment window.
        histogramBucketOverrides: { [ORDER_METRICS.paymentSeconds]: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] },
      },
    },
  };
}
