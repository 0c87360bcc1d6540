import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  CHECKOUT_FAILURES,
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

export interface CheckoutOptions {
  /** How long to wait for the charge before answering "charging"; default DEFAULT_CHECKOUT_WAIT_MS. */
  readonly waitUpTo?: number;
  readonly taskQueue?: string;
  /**
   * 'attach' (default): an order with this id already exists, so this is a retry: answer with that order.
   * 'fail': throw WorkflowExecutionAlreadyStartedError without touching it, for callers that must check who owns
   * the id first (the API does, so a guessed id never reaches someone else's order).
   */
  readonly ifExists?: 'attach' | 'fail';
}

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
  options: CheckoutOptions = {},
): Promise<CheckoutResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
    ...orderStartOptions(input),
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
    ...(options.ifExists === 'fail' ? { workflowIdConflictPolicy: 'FAIL' as const } : {}),
  });
  const handle = () => client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
  // One request that returns when the charge settles: the server holds it until the update completes. The wait is
  // bounded by aborting the call (the order carries on regardless), not by a timer in the workflow.
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), options.waitUpTo ?? DEFAULT_CHECKOUT_WAIT_MS);
  try {
    return await client.withAbortSignal(giveUp.signal, () =>
      client.workflow.executeUpdateWithStart(waitForPaymentUpdate, { startWorkflowOperation }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      if (options.ifExists === 'fail') throw error;
      // A retry that arrives after the order closed (a declined card closes it at once): an order id is never
      // started twice, so answer from the order itself.
      return settlementOf(await handle().query(getStatusQuery));
    }
    // Still charging (the provider is being retried): answer with the order as it stands. If the start itself had
    // not reached the server yet, the query finds no order and the error tells the caller to retry (same id: safe).
    if (giveUp.signal.aborted) return settlementOf(await handle().query(getStatusQuery));
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** How a charge settled, read from an order's status. */
export function settlementOf(status: OrderStatus): CheckoutResult {
  if (status.chargeId !== undefined) return { outcome: 'paid', status };
  if (status.failure && CHECKOUT_FAILURES.has(status.failure.code)) {
    return { outcome: 'declined', reason: status.failure.message, status };
  }
  return { outcome: 'charging', status };
}
