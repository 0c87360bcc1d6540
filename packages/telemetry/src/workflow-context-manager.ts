/**
 * The OpenTelemetry context manager of workflow code: the same contract as the one in
 * `@temporalio/interceptors-opentelemetry/lib/workflow/context-manager`, which the workflow bundle replaces with this
 * module (see workflow-bundle.ts), on one AsyncLocalStorage for every workflow of a worker instead of one each.
 *
 * Why: Node 20's AsyncLocalStorage copies every enabled storage's slot onto every promise created anywhere in the
 * thread. The interceptors' context manager makes one storage per workflow, enabled until the workflow leaves the
 * cache, so each of N cached workflows' pending promises carried N slots: memory grew with the square of the cache
 * (0.7 MiB per workflow at 300 cached, most of it those slots). One storage is what the SDK itself does for its
 * cancellation scopes, and it isolates workflows the same way: a workflow sets a context only inside its own `with`
 * calls, and its promises settle within its own activation.
 *
 * This module is preloaded (shared by every workflow of the worker; the SDK freezes its exports), so the storage is
 * made once, outside any workflow, and the SDK disables it only when the worker drops the whole bundle.
 */
import { ROOT_CONTEXT, type Context, type ContextManager as OtelContextManager } from '@opentelemetry/api';
import type { AsyncLocalStorage as NodeAsyncLocalStorage } from 'node:async_hooks';

// Module-scoped, not exported: the SDK deep-freezes a preloaded module's exports, and a frozen storage could not
// switch itself on at its first `run`.
const storage: NodeAsyncLocalStorage<Context> = new (
  globalThis as unknown as { AsyncLocalStorage: new (name: string) => NodeAsyncLocalStorage<Context> }
).AsyncLocalStorage('opentelemetry-context');

export class ContextManager implements OtelContextManager {
  active(): Context {
    return storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const callback = thisArg === undefined || thisArg === null ? fn : (fn.bind(thisArg) as F);
    return storage.run(context, callback, ...args);
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') {
      throw new TypeError(`Only function binding is supported, got ${typeof target}`);
    }
    const fn = target as (...args: unknown[]) => unknown;
    const run = <R>(callback: () => R) => this.with(context, callback);
    const bound = function (this: unknown, ...args: unknown[]) {
      return run(() => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', {
      enumerable: false,
      configurable: true,
      writable: false,
      value: fn.length,
    });
    return bound as T;
  }

  enable(): this {
    return this;
  }

  /** A no-op: the storage is every workflow's, and a tracer provider shutting down in one must not end it for all. */
  disable(): this {
    return this;
  }
}
