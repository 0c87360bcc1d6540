/**
 * What one simulated customer and driver do, for the full order and for the ceiling. Both make the same three
 * requests: checkout (update-with-start, answered once the charge settles), pickUp, deliver. Every update answers
 * when the workflow has acted on it, so nobody polls for status. The order's checkout is the app's own (checkout()
 * of @durable-delivery/workflows, which the API's createOrder calls), and its driver actions the same updates the
 * driver app sends.
 */
import { performance } from 'node:perf_hooks';
import {
  ORDER_TASK_QUEUE,
  checkout,
  deliverUpdate,
  orderWorkflowId,
  pickUpUpdate,
  type OrderInput,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import {
  NOOP_TASK_QUEUE,
  NOOP_WORKFLOW_TYPE,
  noopCheckoutUpdate,
  noopDeliverUpdate,
  noopPickUpUpdate,
  type noopOrder,
} from './noop-workflow';

export type ScenarioName = 'ceiling' | 'order';

/** How long each request of one order took to answer, in ms: what the customer and the driver each waited for. */
export interface StepTimes {
  readonly checkout: number;
  readonly pickUp: number;
  readonly deliver: number;
}

export const STEPS = ['checkout', 'pickUp', 'deliver'] as const;

/** Runs the three requests in turn, timing each. */
async function timedSteps(steps: Record<keyof StepTimes, () => Promise<void>>): Promise<StepTimes> {
  const times: Partial<Record<keyof StepTimes, number>> = {};
  for (const step of STEPS) {
    const sent = performance.now();
    await steps[step]();
    times[step] = performance.now() - sent;
  }
  return times as StepTimes;
}

export interface Scenario {
  readonly name: ScenarioName;
  readonly taskQueue: string;
  workflowId(orderId: string): string;
  /**
   * Checkout, pickUp, deliver, as `customerId`; resolves with each step's time once deliver has answered, throws if
   * any step answers unexpectedly.
   */
  run(client: Client, orderId: string, customerId: string): Promise<StepTimes>;
}

/**
 * Windows for a bench order. Drivers act at once, so pickup and delivery only need to be generous enough never to
 * expire under load. After delivery an order still has its rating tail (wait, "rate your meal" notification, rating
 * window, completion). By default the prompt comes after the seed's one minute, so the tail runs after the measured
 * checkout → deliver run and is drained before the next run starts; `--rate-prompt 200ms` pulls it inside the run
 * instead, to measure what the tail costs.
 */
export function benchWindows(ratePrompt: string) {
  return { pickup: '1 minute', delivery: '1 minute', ratePrompt, rating: '1 second', payment: '1 minute' } as const;
}

export const DEFAULT_RATE_PROMPT = '1 minute';

/**
 * One simulated customer per lane of the closed loop: each places an order, sees it delivered, then places the next,
 * as a person does. (One customer for every order would send every order's loyalty points to the same loyalty
 * workflow, one update after another: a queue no real customer makes.)
 */
export const benchCustomerId = (lane: number) => `bench-customer-${lane}`;

export function benchOrderInput(
  orderId: string,
  customerId: string,
  windows = benchWindows(DEFAULT_RATE_PROMPT),
): OrderInput {
  return {
    orderId,
    customerId,
    customerName: 'Bench Customer',
    items: [
      { productId: 'margherita', quantity: 1 },
      { productId: 'poke', quantity: 2 },
    ],
    deliveryAddress: { street: '1 Bench Street', city: 'Springfield', postalCode: '12345' },
    // The payment simulator's always-succeeds test card; the worker runs with payment faults off.
    paymentMethod: 'tok_visa',
    windows,
  };
}

const driverOf = (orderId: string) => ({ driverId: `driver-${orderId}` });

/**
 * How long the bench's checkout waits for the charge before the app would answer "still charging": the payment
 * window, so a slow charge under load is measured, not cut short (the API waits 10 s, then answers with the status).
 */
const CHECKOUT_WAIT_MS = 60_000;

export const fullOrder = (windows: ReturnType<typeof benchWindows>): Scenario => ({
  name: 'order',
  taskQueue: ORDER_TASK_QUEUE,
  workflowId: orderWorkflowId,
  run(client, orderId, customerId) {
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
    return timedSteps({
      // Sent without a reward or pass option: whatever checkout takes, the bench uses the app's defaults.
      checkout: async () => {
        const payment = await checkout(client, benchOrderInput(orderId, customerId, windows), {
          waitUpTo: CHECKOUT_WAIT_MS,
        });
        if (payment.outcome !== 'paid') throw new Error(`checkout answered ${payment.outcome}, not paid`);
      },
      pickUp: async () => {
        const pickedUp = await handle.executeUpdate(pickUpUpdate, { args: [driverOf(orderId)] });
        if (pickedUp.state !== 'pickedUp') throw new Error(`pickUp left the order ${pickedUp.state}`);
      },
      deliver: async () => {
        const delivered = await handle.executeUpdate(deliverUpdate, { args: [driverOf(orderId)] });
        if (delivered.state !== 'delivered') throw new Error(`deliver left the order ${delivered.state}`);
      },
    });
  },
});

export const ceiling: Scenario = {
  name: 'ceiling',
  taskQueue: NOOP_TASK_QUEUE,
  workflowId: (orderId) => `noop-${orderId}`,
  async run(client, orderId, customerId) {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof noopOrder>(NOOP_WORKFLOW_TYPE, {
      workflowId: this.workflowId(orderId),
      taskQueue: NOOP_TASK_QUEUE,
      args: [benchOrderInput(orderId, customerId)],
      // The same policies as checkout() starts an order with: only a new id starts.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    const handle = client.workflow.getHandle<typeof noopOrder>(this.workflowId(orderId));
    return timedSteps({
      checkout: async () => {
        const answer = await client.workflow.executeUpdateWithStart(noopCheckoutUpdate, { startWorkflowOperation });
        if (answer !== 'paid') throw new Error(`checkout answered ${String(answer)}, not paid`);
      },
      pickUp: async () => void (await handle.executeUpdate(noopPickUpUpdate, { args: [driverOf(orderId)] })),
      deliver: async () => void (await handle.executeUpdate(noopDeliverUpdate, { args: [driverOf(orderId)] })),
    });
  },
};
