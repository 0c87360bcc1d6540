export {
  inMemorySpans,
  startTracing,
  type ReadableSpan,
  type SpanProcessor,
  type Tracing,
  type TracingOptions,
} from './tracing';
export { logJson, traceFields, type LogLevel } from './logging';
export {
  Counter,
  Gauge,
  Histogram,
  Registry,
  PROMETHEUS_CONTENT_TYPE,
  REQUEST_SECONDS_BUCKETS,
  httpRequestMetrics,
  requestMetrics,
  processRegistry,
  type HttpRequestMetrics,
} from './metrics';
export { metricValue } from './scrape';
export {
  LOOPBACK_HOSTS,
  METRICS_TOKEN_VARIABLE,
  MISDIRECTED_BODY,
  UNAUTHORIZED_BODY,
  allowedHosts,
  bearerCheck,
  hostAllowed,
} from './access';
