import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { SpanKind, trace } from '@opentelemetry/api';
import { inMemorySpans, metricValue, startTracing, type Tracing } from '@durable-delivery/telemetry';
import type { FastifyInstance } from 'fastify';
import { Ledger, TEST_CARDS, buildPaymentService } from '../src';

// The service as it runs: listening on loopback, called over real HTTP with the instrumented fetch the worker uses.
const spans = inMemorySpans();
let tracing: Tracing;
let ledger: Ledger;
let app: FastifyInstance;
let url: string;
const logs: Record<string, unknown>[] = [];
const API_KEY = 'payments-test-key-0123456789';
const METRICS_TOKEN = 'payments-test-metrics-token';

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'payments-test', spanProcessors: [spans.processor] });
  ledger = new Ledger(join(tempDir('payments-observability-'), 'ledger.sqlite'));
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  app = buildPaymentService({ ledger, logger: stream, apiKey: API_KEY, metricsToken: METRICS_TOKEN });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  ledger.close();
  await tracing.shutdown();
});

let nextOrder = 0;
/** One charge request; the same key and order again is a retry (answered from the store). */
function charge(key: string, paymentMethod: string = TEST_CARDS.visa, orderId = `obs-${++nextOrder}`) {
  return fetch(`${url}/v1/charges`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': key,
      authorization: `Bearer ${API_KEY}`,
    },
    body: JSON.stringify({ orderId, customerId: 'c-1', amountCents: 1250, currency: 'USD', paymentMethod }),
  }).then((response) => ({ orderId, status: response.status }));
}

const scrape = async () =>
  (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();

describe('the payment service’s operations endpoints', () => {
  it('answers liveness always, and readiness while its ledger answers', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // A second service over a ledger that is then closed: alive, not ready.
    const closing = new Ledger(join(tempDir('payments-closed-'), 'ledger.sqlite'));
    const other = buildPaymentService({ ledger: closing, apiKey: API_KEY });
    closing.close();
    expect((await other.inject({ url: '/healthz' })).statusCode).toBe(200);
    const notReady = await other.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ ready: false });
    await other.close();
  });

  it('counts first answers by outcome, idempotent replays apart, and every request by route and status', async () => {
    const before = await scrape();
    const first = await charge('metrics-charge-1');
    await charge('metrics-charge-1', TEST_CARDS.visa, first.orderId);
    await charge('metrics-charge-2', TEST_CARDS.insufficientFunds);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('payments_answers_total', { operation: 'charge', outcome: 'succeeded' })).toBe(1);
    expect(delta('payments_answers_total', { operation: 'charge', outcome: 'declined' })).toBe(1);
    expect(delta('payments_idempotent_replays_total', { operation: 'charge' })).toBe(1);
    expect(delta('http_server_requests_total', { route: '/v1/charges', status_code: '201' })).toBe(2);
    expect(delta('http_server_requests_total', { route: '/v1/charges', status_code: '402' })).toBe(1);
    expect(delta('http_server_request_duration_seconds_count', { route: '/v1/charges' })).toBe(3);
    // Scrapes and probes are not requests of the API.
    expect(metricValue(after, 'http_server_requests_total', { route: '/metrics' })).toBe(0);
    expect(metricValue(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('continues the caller’s trace: its server span is the child of the fetch span, and its log lines carry the trace and order ids', async () => {
    spans.exporter.reset();
    const caller = trace.getTracer('test');
    const { orderId, traceId } = await caller.startActiveSpan('caller', async (span) => {
      const answered = await charge('traced-charge');
      span.end();
      return { ...answered, traceId: span.spanContext().traceId };
    });

    const finished = spans.exporter.getFinishedSpans();
    const server = finished.find((span) => span.name === 'POST /v1/charges');
    const client = finished.find((span) => span.kind === SpanKind.CLIENT);
    expect(server).toBeDefined();
    expect(client).toBeDefined();
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.spanContext().traceId).toBe(traceId);
    expect(server!.parentSpanId).toBe(client!.spanContext().spanId);
    expect(client!.parentSpanId).toBe(finished.find((span) => span.name === 'caller')!.spanContext().spanId);
    expect(server!.attributes).toMatchObject({ 'http.response.status_code': 201, 'order.id': orderId });

    const completed = logs.find((line) => line.message === 'request completed' && line.orderId === orderId);
    expect(completed).toMatchObject({ level: 'INFO', traceId, orderId });
    expect(typeof completed!.time).toBe('string');
  });
});
