import {
  QueryNotRegisteredError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ORDER_WORKFLOW_TYPE,
  getStatusQuery,
  orderWorkflowId,
  settlementOf,
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
}

/**
 * The order id is already another customer's order, or a workflow that is no order at all (a raw start that failed
 * its input check). Nothing was sent to it, and nothing about it is told: the caller answers as for any taken id.
 */
export class OrderIdTakenError extends Error {
  override readonly name = 'OrderIdTakenError';
  constructor(readonly orderId: string) {
    super(`Order id ${orderId} is already in use by another order`);
  }
}

/**
 * Checkout gave up waiting before the order's start was seen by the server (a slow or restarting server, a lost
 * request): there may be no order yet, or one may start a moment later. Retrying with the same order id is safe
 * either way: it starts the order or finds the one that started, and charges once.
 */
export class CheckoutUnconfirmedError extends Error {
  override readonly name = 'CheckoutUnconfirmedError';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} was not confirmed in time; retry the checkout with the same order id`);
  }
}

/**
 * Creates an order and learns how its payment went: update-with-start ("early return"). The one place that decides
 * what an existing order id means, in as few round trips as it can:
 * - a new id: the order starts and the waitForPayment update answers paid or declined as soon as the charge
 *   settles, in one request;
 * - the id exists (a retried checkout): the order's status is read first, and only the customer who placed it gets
 *   an answer, from that status when the charge has settled (two requests), else by waiting on the update (three);
 *   anyone else gets OrderIdTakenError, and nothing is sent to their order.
 * While payment is still being retried after `waitUpTo`, this answers `charging` with the current status instead
 * of hanging; the order carries on either way. Throws OrderInputError for an invalid order before anything starts,
 * and CheckoutUnconfirmedError when the wait ended before the server had the order.
 */
export async function checkout(
  client: Client,
  input: OrderInput,
  options: CheckoutOptions = {},
): Promise<CheckoutResult> {
  const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
  const waitUpTo = options.waitUpTo ?? DEFAULT_CHECKOUT_WAIT_MS;
  const startWorkflowOperation = new WithStartWorkflowOperation<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
    ...orderStartOptions(input),
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
    // Only a new id starts (with the update): an existing order is read before anything is sent to it.
    workflowIdConflictPolicy: 'FAIL' as const,
  });
  try {
    return await settling(client, handle, input, waitUpTo, () =>
      client.workflow.executeUpdateWithStart(waitForPaymentUpdate, { startWorkflowOperation }),
    );
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }

  // The id exists, running or closed (an order id is never started twice): read it before sending it anything.
  return settling(client, handle, input, waitUpTo, async () => {
    const now = settlementOf(await ownStatus(handle, input));
    if (now.outcome !== 'charging') return now;
    try {
      return await handle.executeUpdate(waitForPaymentUpdate);
    } catch (error) {
      // It closed while still charging (terminated, say): no update reaches it, and its status is the answer.
      if (error instanceof WorkflowNotFoundError) return now;
      throw error;
    }
  });
}

/**
 * The waitForPayment answer, waited for up to `waitUpTo`: the server holds the request until the charge settles,
 * bounded by aborting the calls (the order carries on regardless), not by a timer in the workflow. Still charging
 * then (the provider is being retried): the order as it stands. If the start itself had not reached the server
 * yet, the read finds no order: CheckoutUnconfirmedError, retry with the same id.
 */
async function settling(
  client: Client,
  handle: WorkflowHandle<OrderWorkflow>,
  input: OrderInput,
  waitUpTo: number,
  wait: () => Promise<CheckoutResult>,
): Promise<CheckoutResult> {
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), waitUpTo);
  try {
    return await client.withAbortSignal(giveUp.signal, wait);
  } catch (error) {
    if (!giveUp.signal.aborted) throw error;
    try {
      return settlementOf(await ownStatus(handle, input));
    } catch (readError) {
      throw readError instanceof WorkflowNotFoundError ? new CheckoutUnconfirmedError(input.orderId) : readError;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The order's status, when it is this customer's; OrderIdTakenError otherwise. */
async function ownStatus(handle: WorkflowHandle<OrderWorkflow>, input: OrderInput): Promise<OrderStatus> {
  let status: OrderStatus;
  try {
    status = await handle.query(getStatusQuery);
  } catch (error) {
    // A workflow that failed its input check registers no query: it is no order to attach to.
    throw error instanceof QueryNotRegisteredError ? new OrderIdTakenError(input.orderId) : error;
  }
  if (status.customerId !== input.customerId) throw new OrderIdTakenError(input.orderId);
  return status;
}
