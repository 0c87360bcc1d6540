import { traceFields } from '@durable-delivery/telemetry/logging';
import { orderIdOf } from '@durable-delivery/workflows';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';

/**
 * One JSON object per line, for log shippers. Workflow and activity logs carry the workflow id; for orders the
 * order id is added under its own name, so `grep '"orderId":"…"'` follows one order through every process. Lines
 * logged inside a span carry its `traceId` (and `spanId`): the tracing interceptors put the workflow's or the
 * activity's span ids into the SDK's log attributes (`trace_id`, `span_id`), and other lines take the active span's.
 */
export function jsonLogger(level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, ({ level: entryLevel, message, meta, timestampNanos }) => {
    const { trace_id, span_id, trace_flags: _flags, ...attributes }: Record<string, unknown> = meta ?? {};
    const workflowId = typeof attributes.workflowId === 'string' ? attributes.workflowId : undefined;
    const orderId = attributes.orderId ?? (workflowId === undefined ? undefined : orderIdOf(workflowId));
    const trace =
      typeof trace_id === 'string'
        ? { traceId: trace_id, ...(typeof span_id === 'string' ? { spanId: span_id } : {}) }
        : traceFields();
    const line: Record<string, unknown> = {
      time: new Date(Number(timestampNanos / 1_000_000n)).toISOString(),
      level: entryLevel,
      message,
      ...(orderId !== undefined ? { orderId } : {}),
      ...trace,
      ...attributes,
    };
    process.stdout.write(`${JSON.stringify(line, errorsAsText)}\n`);
  });
}

function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
