/**
 * One workflow's history as readable lines ("ActivityTaskScheduled chargeCustomer", "TimerStarted 60s"): the
 * events the server persisted for it, which is where an order's extra server work shows up.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export async function historyLines(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map(describeEvent);
}

function describeEvent(event: HistoryEvent): string {
  const type = eventTypeName(event.eventType);
  const detail =
    event.activityTaskScheduledEventAttributes?.activityType?.name ??
    event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
    seconds(event.timerStartedEventAttributes?.startToFireTimeout) ??
    Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).join(',');
  return detail ? `${type} ${detail}` : type;
}

/** EVENT_TYPE_WORKFLOW_TASK_SCHEDULED → WorkflowTaskScheduled */
function eventTypeName(type: temporal.api.enums.v1.EventType | null | undefined): string {
  const name = temporal.api.enums.v1.EventType[type ?? 0] ?? `EventType${type}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_match, _separator, letter: string) => letter.toUpperCase());
}

function seconds(duration: temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout']) {
  if (!duration) return undefined;
  return `${Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9}s`;
}

/** How many events of each type (detail dropped), for a side-by-side count. */
export function countByType(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const type = line.split(' ')[0] ?? line;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}
