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
