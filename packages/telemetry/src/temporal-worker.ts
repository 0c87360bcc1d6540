import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';

const DROP_SPANS = { spanProcessor: new NoopSpanProcessor(), resource: Resource.empty() };

export interface WorkerTelemetry {
  readonly interceptors: WorkerInterceptors;
  readonly sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>;
}

/**
 * What a worker (or a replay worker) running the workflow bundle (workflow-bundle.ts) needs: the activity
 * interceptors (each attempt is a span, child of the workflow's StartActivity span; activity log lines get
 * `trace_id`) and the `exporter` sink that takes the workflow's spans to this process's span processors (the Tracing
 * of startTracing). Without one (tests that do not look at spans) the sink drops them: a bundle with the interceptors
 * needs the sink either way.
 */
export function temporalWorkerTelemetry(
  spans: { spanProcessor: SpanProcessor; resource: Resource } = DROP_SPANS,
): WorkerTelemetry {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(spans.spanProcessor, spans.resource) },
  };
}
