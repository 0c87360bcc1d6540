import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/**
 * Terminates a workflow once it has no workflow task or activity in flight. The time-skipping test server counts
 * an in-flight task as a hold on its clock and does not release the hold when the workflow is terminated under it:
 * every later test in that server would then wait on the wall clock. A workflow that runs forever (and is stopped
 * by its test, not by itself) is the usual case. Bounded: after `attempts` polls it terminates anyway.
 */
export async function terminateWhenIdle(handle: WorkflowHandle, attempts = 50, intervalMs = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const description = await handle.describe().catch(() => undefined);
    if (!description || description.status.name !== 'RUNNING') return;
    const events = (await handle.fetchHistory()).events ?? [];
    const last = events[events.length - 1]?.eventType;
    const taskInFlight =
      last === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || last === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED;
    if (!taskInFlight && (description.raw.pendingActivities ?? []).length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await handle.terminate('test finished').catch(() => undefined);
}
