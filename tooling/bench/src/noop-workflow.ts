/**
 * The ceiling: a workflow with the order's message pattern and nothing else. Checkout is an update-with-start that
 * answers once a charge activity returns; two driver updates each schedule a notification activity; it completes
 * when both notifications are done. No validation, no search attributes, no timers, no status: whatever the server
 * does for this is the least any order of this shape can cost, so full orders are measured against it.
 */
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { NoopActivities } from './noop-activities';

export const NOOP_WORKFLOW_TYPE = 'noopOrder';
export const NOOP_TASK_QUEUE = 'bench-noop';

/** The same argument shapes as the order's updates, so the payloads the server stores are alike. */
export const noopCheckoutUpdate = defineUpdate<'paid'>('checkout');
export const noopPickUpUpdate = defineUpdate<void, [{ driverId: string }]>('pickUp');
export const noopDeliverUpdate = defineUpdate<void, [{ driverId: string }]>('deliver');

/** Takes the order's input (and ignores it) so the start request carries the same payload. */
export async function noopOrder(_input: unknown): Promise<void> {
  const { charge, notify } = proxyActivities<NoopActivities>({ startToCloseTimeout: '10 seconds' });
  let paid = false;
  let delivered = false;
  const notifications: Promise<void>[] = [];

  setHandler(noopCheckoutUpdate, async () => {
    await condition(() => paid);
    return 'paid' as const;
  });
  setHandler(noopPickUpUpdate, () => {
    notifications.push(notify('pickedUp'));
  });
  setHandler(noopDeliverUpdate, () => {
    delivered = true;
    notifications.push(notify('delivered'));
  });

  await charge();
  paid = true;
  await condition(() => delivered);
  await Promise.all(notifications);
  await condition(allHandlersFinished);
}
