/**
 * How callers reach a customer's delivery pass: the API (subscribe, cancel, resume, status) and the order's
 * activities (through the PassClient port: does this customer get free delivery now?).
 */
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WithStartWorkflowOperation,
  WorkflowClient,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { CustomerIdAttribute, ORDER_TASK_QUEUE } from '../order/definitions';
import {
  PassStatusAttribute,
  SUBSCRIPTION_WORKFLOW_TYPE,
  getPassQuery,
  subscribeUpdate,
  subscriptionWorkflowId,
  type DeliveryPass,
  type SubscriptionInput,
  type SubscriptionWorkflow,
} from '../subscription/definitions';

/** How long subscribe waits for the first charge before answering with the pass as it stands (still charging). */
export const DEFAULT_SUBSCRIBE_WAIT_MS = 10_000;

/**
 * How a pass starts: USE_EXISTING, so a second Subscribe while one runs attaches to it (nothing is charged twice);
 * ALLOW_DUPLICATE, so a customer whose pass ended can subscribe again (a new subscription id, so new keys).
 */
export function passStartOptions(input: SubscriptionInput, options: { taskQueue?: string } = {}) {
  return {
    workflowId: subscriptionWorkflowId(input.customerId),
    taskQueue: options.taskQueue ?? ORDER_TASK_QUEUE,
    args: [input] as [SubscriptionInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: CustomerIdAttribute, value: input.customerId },
      { key: PassStatusAttribute, value: 'pending' },
    ],
    staticSummary: `Delivery pass of customer ${input.customerId}`,
  };
}

/** The customer's pass (the current one, or the last one if it ended), or undefined if they never had one. */
export async function passOf(client: Client, customerId: string): Promise<DeliveryPass | undefined> {
  try {
    return await client.workflow
      .getHandle<SubscriptionWorkflow>(subscriptionWorkflowId(customerId))
      .query(getPassQuery);
  } catch (error) {
    // No pass, or one started from the CLI with bad input (it failed before registering its query).
    if (error instanceof WorkflowNotFoundError || error instanceof QueryNotRegisteredError) return undefined;
    throw error;
  }
}

/**
 * Subscribes in one request (update-with-start), answering once the first charge settles: `active`, or `ended`
 * with the decline. A customer with a running pass gets that pass back, untouched. A retried request (same
 * subscription id) that arrives after its pass already ended gets that pass back too, never a second one.
 */
export async function subscribe(
  client: Client,
  input: SubscriptionInput,
  options: { taskQueue?: string; waitUpTo?: number } = {},
): Promise<DeliveryPass> {
  const current = await passOf(client, input.customerId);
  if (current?.subscriptionId === input.subscriptionId && current.state === 'ended') return current;
  const startWorkflowOperation = new WithStartWorkflowOperation<SubscriptionWorkflow>(
    SUBSCRIPTION_WORKFLOW_TYPE,
    passStartOptions(input, options),
  );
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), options.waitUpTo ?? DEFAULT_SUBSCRIBE_WAIT_MS);
  try {
    return await client.withAbortSignal(giveUp.signal, () =>
      client.workflow.executeUpdateWithStart(subscribeUpdate, { startWorkflowOperation }),
    );
  } catch (error) {
    // Still charging (the provider is being retried): answer with the pass as it stands; it carries on.
    if (giveUp.signal.aborted) {
      const pass = await passOf(client, input.customerId);
      if (pass) return pass;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The PassClient port of @durable-delivery/activities: free delivery while the customer's pass is paid up. One
 * request per checkout: the running pass is asked itself (only it knows whether the period it is in has been paid),
 * and the server turns the query away at once when the pass has ended (queryRejectCondition NOT_OPEN), so no worker
 * replays a closed pass's history for a checkout. Ended, never subscribed, or started from the CLI with bad input
 * (no query registered): no free delivery.
 */
export function temporalPasses(client: Client) {
  // The condition is a client option, not a per-call one: a workflow client of its own, on the same connection,
  // namespace, codec and interceptors as the caller's.
  const runningOnly = new WorkflowClient({
    connection: client.connection,
    namespace: client.options.namespace,
    identity: client.options.identity,
    dataConverter: client.options.loadedDataConverter,
    interceptors: client.options.interceptors.workflow ?? [],
    queryRejectCondition: 'NOT_OPEN',
  });
  return {
    async freeDelivery(customerId: string): Promise<boolean> {
      try {
        const pass = await runningOnly
          .getHandle<SubscriptionWorkflow>(subscriptionWorkflowId(customerId))
          .query(getPassQuery);
        return pass.freeDelivery;
      } catch (error) {
        if (
          error instanceof QueryRejectedError ||
          error instanceof WorkflowNotFoundError ||
          error instanceof QueryNotRegisteredError
        ) {
          return false;
        }
        throw error;
      }
    },
  };
}
