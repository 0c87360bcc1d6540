/**
 * What the order, loyalty and subscription workflows share, kept in one place so that no workflow carries its own
 * copy: activity options, background work and how to wait for it, when to continue as new, refusals and times.
 * Workflow code only.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration, UpdateDefinition, VersioningBehavior, WorkflowDefinitionOptions } from '@temporalio/common';

/**
 * How a workflow moves between worker builds (Worker Deployment Versions, docs/versioning.md), for
 * `setWorkflowOptions`. Declared only on a versioned worker: a server refuses a behavior from an unversioned one
 * (`npm run dev`, the tests), and this bundle runs on both. A run whose first task ran on an unversioned worker, from
 * before versioning was turned on, takes the versioned worker's default (AUTO_UPGRADE): it moves to the first
 * versioned build, which must therefore replay it.
 */
export function onVersionedWorkers(versioningBehavior: VersioningBehavior): () => WorkflowDefinitionOptions {
  // An unversioned worker reports a version too (the SDK's build id), but with no deployment name.
  return () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior } : {});
}

// Activity options. Ten seconds an attempt, backing off from a second; named by how long a call may keep trying.

/**
 * For a charge a person is waiting on (an order's checkout, a pass's first charge): it gives up after `window`, so
 * the person gets an answer, backing off to at most 30 seconds between attempts.
 */
export function givesUpAfter(window: Duration): ActivityOptions {
  return {
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: window,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  };
}

/** For a push notification (stale after an hour), or a pass renewal (an hour of outage is one failed try). */
export const retriedForAnHour: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * For an order's loyalty points: the loyalty program remembers orders for seven days, so a day of retries is well
 * inside it, and the order stays open (it waits in `settled()`) until they land or give up.
 */
export const retriedForADay: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** For what must happen in the end, like a refund: retried until it succeeds. */
export const retriedUntilDone: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

// Background work: started without holding up the workflow's timers, settled before the workflow ends or hands over.

/**
 * Runs `task` in the background, tracked in `pending` until it settles. The task handles (and logs) its own
 * failure: an unhandled rejection would fail the workflow task.
 */
export function track(pending: Set<Promise<unknown>>, task: Promise<unknown>): void {
  const tracked: Promise<unknown> = task.then(
    () => pending.delete(tracked),
    () => pending.delete(tracked),
  );
  pending.add(tracked);
}

/**
 * Resolves once no update handler is running and every background task in `pending` has settled, including
 * tasks started while it waited (an update that arrived meanwhile may have queued a notification).
 */
export async function settled(pending: ReadonlySet<Promise<unknown>>): Promise<void> {
  for (;;) {
    await condition(allHandlersFinished);
    if (pending.size === 0) return;
    await Promise.allSettled([...pending]);
  }
}

/** Like `settled()`, without waiting for update handlers: for an ending no running handler can wait for. */
export async function workSettled(pending: ReadonlySet<Promise<unknown>>): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}

/**
 * True when this run's history should end: the server suggests it (it counts events and bytes), or the run has
 * passed `maxEvents`. A short history keeps replays cheap when a worker rebuilds the workflow from it.
 */
export function historyIsLong(maxEvents: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= maxEvents;
}

// Refusals: business failures, never retried, worded for the person who asked.

/** Refuses an update (from a validator or handler) or fails the workflow with a reason a person can act on. */
export function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * Fails a workflow whose input was refused. Its caller sent `update` together with the start (update-with-start):
 * the update is rejected with the same reason the workflow fails with, instead of waiting for an answer forever.
 */
export function rejectStart<Ret>(update: UpdateDefinition<Ret, []>, failure: ApplicationFailure): never {
  setHandler(update, (): Promise<never> => Promise.reject(failure), {
    validator: (): void => {
      throw failure;
    },
  });
  throw failure;
}

// Times, as the workflows' answers show them.

export function iso(millis: number): string {
  return new Date(millis).toISOString();
}

export function isoOrUndefined(millis: number | undefined): string | undefined {
  return millis === undefined ? undefined : iso(millis);
}
