/**
 * Temporal Cloud's billable actions in one workflow history, by the rules of https://docs.temporal.io/cloud/actions:
 * what an order costs on Cloud, counted from what the server recorded. Queries and rejected updates leave no event,
 * so they are not here: callers add them (each query a UI sends is one action).
 */
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

export interface BillableActions {
  readonly total: number;
  readonly workflowStarted: number;
  /** Each attempt of each activity: the started event records the last attempt's number. */
  readonly activityAttempts: number;
  /** Markers (local activities, and `patched()`'s) count once per workflow task that recorded any, however many. */
  readonly localActivityTasks: number;
  /** Each local-activity attempt after the first, as the workflow task's metering metadata records them. */
  readonly localActivityRetries: number;
  /** Including the implicit timers of `condition(fn, timeout)`. */
  readonly timers: number;
  readonly updatesAccepted: number;
  readonly signals: number;
  /**
   * Search attributes set at start are free; each upsert command is one action, however many attributes it sets,
   * except the `TemporalChangeVersion` upsert that each `patched()` call adds (Temporal exempts it).
   */
  readonly searchAttributeUpserts: number;
}

/** Written by the SDK for `patched()`: Temporal Cloud does not bill an upsert of this attribute alone. */
const CHANGE_VERSION = 'TemporalChangeVersion';

export function billableActions(history: temporal.api.history.v1.IHistory): BillableActions {
  let workflowStarted = 0;
  let activityAttempts = 0;
  let timers = 0;
  let updatesAccepted = 0;
  let signals = 0;
  let searchAttributeUpserts = 0;
  let localActivityRetries = 0;
  const tasksWithMarkers = new Set<string>();
  for (const event of history.events ?? []) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        workflowStarted += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        activityAttempts += Math.max(1, event.activityTaskStartedEventAttributes?.attempt ?? 1);
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        tasksWithMarkers.add(String(event.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? ''));
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        timers += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        updatesAccepted += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        signals += 1;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(
          event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
        );
        if (!(fields.length === 1 && fields[0] === CHANGE_VERSION)) searchAttributeUpserts += 1;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        localActivityRetries +=
          event.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0;
        break;
      default:
        break;
    }
  }
  const localActivityTasks = tasksWithMarkers.size;
  return {
    total:
      workflowStarted +
      activityAttempts +
      localActivityTasks +
      localActivityRetries +
      timers +
      updatesAccepted +
      signals +
      searchAttributeUpserts,
    workflowStarted,
    activityAttempts,
    localActivityTasks,
    localActivityRetries,
    timers,
    updatesAccepted,
    signals,
    searchAttributeUpserts,
  };
}

/** "23 (workflow 1, activity attempts 2, …)" */
export function describeActions(actions: BillableActions): string {
  const parts = [
    `workflow ${actions.workflowStarted}`,
    `activity attempts ${actions.activityAttempts}`,
    `local-activity tasks ${actions.localActivityTasks}`,
    `local-activity retries ${actions.localActivityRetries}`,
    `timers ${actions.timers}`,
    `updates ${actions.updatesAccepted}`,
    `signals ${actions.signals}`,
    `search-attribute upserts ${actions.searchAttributeUpserts}`,
  ];
  return `${actions.total} (${parts.join(', ')})`;
}
