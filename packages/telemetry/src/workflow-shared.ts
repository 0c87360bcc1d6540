/**
 * Preloaded into the worker's reusable V8 context (`preloadModules` of the workflow bundle, see workflow-bundle.ts):
 * the OpenTelemetry libraries the tracing interceptors use, evaluated once per worker and shared by every workflow.
 *
 * Why: the SDK evaluates each module that workflow code imports once per workflow, so each cached workflow held its
 * own copy of @opentelemetry/api, core, sdk-trace-base, resources and semantic-conventions (~150 modules of
 * closures, export getters and constant tables). Shared, a cached workflow costs about what it costs without
 * tracing. What each workflow keeps of its own is still its own: its tracer provider, spans and context are made by
 * the interceptors inside the workflow, and the API's registry of globals lives on the workflow's `globalThis`.
 *
 * Sharing is safe only for modules that keep no per-workflow state at module level (the SDK freezes what they
 * export). These libraries keep none, except for two places this module deals with:
 * - `performance`: the libraries' browser build (what the bundle uses) reads it once, when @opentelemetry/core
 *   loads. Here that is before any workflow exists, so it is given a clock that reads the workflow's own clock when
 *   called (`Date.now()` in workflow code is the workflow task's time): span times as the interceptors' own
 *   per-workflow `performance` gives them.
 * - the API's fallback tracer provider (`trace._proxyTracerProvider`), made once with the API and given a delegate
 *   when a provider registers: each workflow registers its own, so it is kept per workflow, on its `globalThis`.
 */
import './workflow-performance';
import * as api from '@opentelemetry/api';
import * as resources from '@opentelemetry/resources';
import * as sdkTraceBase from '@opentelemetry/sdk-trace-base';
import { ContextManager } from './workflow-context-manager';

const PROXY_TRACER_PROVIDER = Symbol.for('durable-delivery.opentelemetry.workflow-proxy-tracer-provider');
const holder = globalThis as { [PROXY_TRACER_PROVIDER]?: api.ProxyTracerProvider };

if (!Object.prototype.hasOwnProperty.call(api.trace, '_proxyTracerProvider')) {
  // A newer @opentelemetry/api keeps it elsewhere: refuse to start rather than share one provider between workflows.
  throw new Error(
    'workflow-shared: @opentelemetry/api has no trace._proxyTracerProvider; check this module against the new version',
  );
}
Object.defineProperty(api.trace, '_proxyTracerProvider', {
  get: () => (holder[PROXY_TRACER_PROVIDER] ??= new api.ProxyTracerProvider()),
  set: (provider: api.ProxyTracerProvider) => {
    holder[PROXY_TRACER_PROVIDER] = provider;
  },
});

/**
 * Used, so that webpack keeps each import: the libraries are marked side-effect free, and an import whose value is
 * unused would be dropped from the bundle, and with it the preloading.
 */
export const sharedWorkflowModules = { api, resources, sdkTraceBase, ContextManager };
