import { isSpanContextValid, trace } from '@opentelemetry/api';

/** The active span's ids, for log lines: `{ traceId, spanId }`, or nothing outside a span. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { traceId: context.traceId, spanId: context.spanId } : {};
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * One JSON object per line on stdout, in the shape the worker's and the services' logs have (`time`, `level`,
 * `message`, then fields), with the active span's `traceId`: `grep '"traceId":"…"'` finds one checkout in every
 * process's logs, and a trace viewer finds its spans.
 */
export function logJson(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = { time: new Date().toISOString(), level, message, ...traceFields(), ...fields };
  process.stdout.write(`${JSON.stringify(line, errorsAsText)}\n`);
}

function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
