/**
 * Open orders as set-up for a measurement: paid and waiting for a driver (what the driver list shows, what a worker
 * keeps in its cache), created fast through the Temporal client and not measured themselves.
 */
import type { Client } from '@temporalio/client';
import { ORDER_WORKFLOW_TYPE, checkout, type OrderInput } from '@durable-delivery/workflows';

export const SETUP_CONCURRENCY = 50;
const SETUP_CHECKOUT_WAIT_MS = 30_000;
const VISIBILITY_TIMEOUT_MS = 120_000;
const CUSTOMERS = 5;
/** Long enough that no order of a run expires while it waits. */
export const OPEN_ORDER_WINDOWS = { pickup: '2 hours', delivery: '2 hours' } as const;
const WINDOWS = OPEN_ORDER_WINDOWS;
const PRODUCTS = ['burrata', 'poke', 'margherita', 'ramen', 'tacos', 'tiramisu'] as const;
const DELIVERY_ADDRESS = { street: '1 Main St', city: 'Springfield', postalCode: '12345' } as const;
/** Open orders: paid and waiting for a driver, what the driver list shows. */
const OPEN_ORDERS_QUERY = `WorkflowType = '${ORDER_WORKFLOW_TYPE}' AND OrderState = 'paid'`;

const sleep = (ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms));

/** Orders `from`…`to - 1`, each checked out (update-with-start, answered once paid), a bounded number at a time. */
export async function createOpenOrders(
  client: Client,
  runId: string,
  from: number,
  to: number,
  signal: AbortSignal,
  progress: (line: string) => void,
): Promise<void> {
  let next = from;
  let done = 0;
  let failure: Error | undefined;
  const lane = async (): Promise<void> => {
    while (next < to && failure === undefined && !signal.aborted) {
      const index = next++;
      const input: OrderInput = {
        orderId: `${runId}-open-${index}`,
        customerId: `bench-customer-${index % CUSTOMERS}`,
        items: [{ productId: PRODUCTS[index % PRODUCTS.length] ?? 'poke', quantity: 1 + (index % 2) }],
        deliveryAddress: DELIVERY_ADDRESS,
        paymentMethod: 'tok_visa',
        windows: WINDOWS,
      };
      try {
        const placeOrAttach = () =>
          client.withAbortSignal(signal, () => checkout(client, input, { waitUpTo: SETUP_CHECKOUT_WAIT_MS }));
        let result = await placeOrAttach();
        // Set-up is not measured: on a loaded machine a charge can outlast one wait, so wait again on the same order
        // (checkout attaches to it by id), until the bench's own timeout aborts.
        while (result.outcome === 'charging' && !signal.aborted) result = await placeOrAttach();
        if (result.outcome !== 'paid') throw new Error(`checkout answered ${result.outcome}, not paid`);
        done++;
        if (done % 1000 === 0) progress(`  ${from + done}/${to} open orders created`);
      } catch (error) {
        if (signal.aborted) return;
        failure ??= new Error(`creating open order ${input.orderId}: ${errorMessage(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, to - from) }, lane));
  if (failure) throw failure;
  if (signal.aborted) throw new Error('aborted');
}

/** Waits until visibility counts exactly `expected` open orders, so the list sees them all. */
export async function waitUntilListed(client: Client, expected: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + VISIBILITY_TIMEOUT_MS;
  for (;;) {
    const { count } = await client.withAbortSignal(signal, () => client.workflow.count(OPEN_ORDERS_QUERY));
    if (count === expected) return;
    if (count > expected) throw new Error(`visibility counts ${count} open orders, expected ${expected}`);
    if (Date.now() > deadline) {
      throw new Error(`visibility counted ${count} of ${expected} open orders after ${VISIBILITY_TIMEOUT_MS} ms`);
    }
    if (signal.aborted) throw new Error('aborted');
    await sleep(200);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
