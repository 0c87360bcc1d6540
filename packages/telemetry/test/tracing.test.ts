import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { startTracing } from '../src';

/** A stand-in OTLP/HTTP collector on loopback: it records what reaches it. */
function collector(): Promise<{ server: Server; url: string; requests: { path?: string; type?: string }[] }> {
  const requests: { path?: string; type?: string }[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    request.resume();
    request.on('end', () => {
      requests.push({ path: request.url, type: request.headers['content-type'] });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }),
    ),
  );
}

describe('tracing', () => {
  it('exports spans over OTLP/HTTP protobuf when an endpoint is set, and flushes them at shutdown', async () => {
    const { server, url, requests } = await collector();
    // The exporter reads the standard variables itself, from the process environment.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
    try {
      const tracing = startTracing({ serviceName: 'test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: url } });
      expect(tracing.exporting).toBe(true);
      trace.getTracer('test').startSpan('one span').end();
      await tracing.shutdown();
      expect(requests).toEqual([{ path: '/v1/traces', type: 'application/x-protobuf' }]);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      server.close();
    }
  });

  it('makes spans but exports none without an endpoint', async () => {
    const tracing = startTracing({ serviceName: 'test', env: {} });
    expect(tracing.exporting).toBe(false);
    const span = trace.getTracer('test').startSpan('kept local');
    // Trace ids still exist for the logs and for the services downstream.
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    span.end();
    await tracing.shutdown();
  });
});
