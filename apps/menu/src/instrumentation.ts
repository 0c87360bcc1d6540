// Next.js calls register() once per server process, before the first request: the tracer provider goes in here,
// so Next's own request spans, the tRPC call spans and the Temporal client's spans form one trace.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startTracing } = await import('@durable-delivery/telemetry');
  startTracing({ serviceName: 'menu' });
}
