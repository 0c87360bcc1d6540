import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Activity options the workflows that run forever share. Ten seconds an attempt, backing off to a minute between
 * attempts: for a push notification (stale after an hour), or a pass renewal (an hour of outage is one failed try).
 */
export const retriedForAnHour: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** For what must happen in the end, like a refund: retried until it succeeds. */
export const retriedUntilDone: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
