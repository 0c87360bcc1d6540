/**
 * What the workflows that run forever (loyalty, subscription) share: when to continue as new, and how to wait for
 * in-flight work first. Workflow code only.
 */
import { allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';

/**
 * True when this run's history should end: the server suggests it (it counts events and bytes), or the run has
 * passed `maxEvents`. A short history keeps replays cheap when a worker rebuilds the workflow from it.
 */
export function historyIsLong(maxEvents: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= maxEvents;
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
