import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';

/**
 * The interceptors every Temporal client here gets (the apps' and the tests'): each start, update, query, signal
 * … is a span, and its context travels to the workflow in the call's headers, so the workflow's spans continue the
 * caller's trace.
 */
export function temporalClientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}
