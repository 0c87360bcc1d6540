import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import {
  ORDER_WORKFLOW_TYPE,
  getStatusQuery,
  orderWorkflowId,
  waitForPaymentUpdate,
  type CheckoutResult,
  type OrderStatus,
  type OrderWorkflow,
} from '../order/definitions';
import type { OrderInput } from '../order/input';
import { orderStartOptions } from './start';

/** How long checkout waits for the charge before answering "still charging". */
export const DEFAULT_CHECKOUT_WAIT_MS = 5_000;

/**
 * Creates an order and learns how its payment went, in one request: update-with-start ("early return"). The
 * workflow starts (or, for a retried checkout, the existing order is found) and the waitForPayment update answers
 * paid or declined as soon as the charge settles. While payment is still being retried after `waitUpTo`, this
 * answers `charging` with the current status instead of hanging; the order carries on either way.
 * Throws OrderInputError for an invalid order before anything is started.
 */
export async function checkout(
  client: Client,
  input: OrderInput,
  options: { waitUpTo?: number; taskQueue?: string } = {},
): Promise<CheckoutResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
    ...orderStartOptions(input),
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
  });
  let update;
  try {
    update = await client.workflow.startUpdateWithStart(waitForPaymentUpdate, {
      waitForStage: WorkflowUpdateStage.ACCEPTED,
      startWorkflowOperation,
    });
  } catch (error) {
    // A retry that arrives after the order closed (a declined card closes it at once): an order id is never
    // started twice, so answer from the order itself.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    return settlementOf(await handle.query(getStatusQuery));
  }
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), options.waitUpTo ?? DEFAULT_CHECKOUT_WAIT_MS);
  });
  try {
    // If the wait runs out, the update's result poll ends by itself once the charge settles.
    const settled = await Promise.race([update.result(), gaveUp]);
    if (settled) return settled;
  } finally {
    clearTimeout(timer);
  }
  const handle = await startWorkflowOperation.workflowHandle();
  return { outcome: 'charging', status: await handle.query(getStatusQuery) };
}

/** How a charge settled, read from an order's status. */
export function settlementOf(status: OrderStatus): CheckoutResult {
  if (status.chargeId !== undefined) return { outcome: 'paid', status };
  if (status.failure?.code === 'cardDeclined' || status.failure?.code === 'paymentUnavailable') {
    return { outcome: 'declined', reason: status.failure.message, status };
  }
  return { outcome: 'charging', status };
}
