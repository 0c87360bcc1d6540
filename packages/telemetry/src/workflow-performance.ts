/**
 * The `performance` global that OpenTelemetry's browser build reads when @opentelemetry/core loads (see
 * workflow-shared.ts, which imports this first). The sandbox has none before a workflow runs. Reading the clock only
 * when called keeps span times on each workflow's own clock: `Date.now()` in workflow code is the time of the
 * workflow task being run. Writable, so the interceptors can still set their own per workflow. Only where there is
 * none: outside the sandbox this module changes nothing.
 */
if (typeof (globalThis as { performance?: unknown }).performance === 'undefined') {
  Object.defineProperty(globalThis, 'performance', {
    value: { timeOrigin: 0, now: () => Date.now() },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

export {};
