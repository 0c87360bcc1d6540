import type { OrderInput, OrderState } from '@durable-delivery/workflows';

/** What happens to one order in the chaos run, and the final state that proves it happened. */
export type Fate = 'delivered' | 'declined' | 'cancelled' | 'notPickedUp';

export const EXPECTED_STATE: Record<Fate, OrderState> = {
  delivered: 'delivered',
  declined: 'paymentFailed',
  cancelled: 'cancelled',
  notPickedUp: 'refunded',
};

export interface PlannedOrder {
  readonly fate: Fate;
  readonly input: OrderInput;
}

/** A fixed mix, so every run covers every path: one in ten declined, cancelled, and never picked up; one in five flaky. */
export function planOrders(count: number, runId: string): PlannedOrder[] {
  return Array.from({ length: count }, (_, index) => {
    const fate: Fate =
      index % 10 === 0 ? 'declined' : index % 10 === 1 ? 'cancelled' : index % 10 === 2 ? 'notPickedUp' : 'delivered';
    const paymentMethod =
      fate === 'declined' ? 'tok_chargeDeclinedInsufficientFunds' : index % 5 === 3 ? 'tok_flaky' : 'tok_visa';
    return {
      fate,
      input: {
        orderId: `chaos-${runId}-${index}`,
        customerId: `chaos-customer-${runId}-${index}`,
        items: [{ productId: index % 2 === 0 ? 'poke' : 'ramen', quantity: 1 + (index % 3) }],
        deliveryAddress: { street: `${index} Chaos Lane`, city: 'Springfield', postalCode: '12345' },
        paymentMethod,
        // Room for drivers and customers to act through a restart (the PostgreSQL-backed server takes seconds to come
        // back on a busy machine) or a slow, loaded machine; a short window only for the orders nobody picks up.
        // Every delivered order is rated, which ends it, so a long rating window costs nothing; a short one made the
        // run depend on how fast the machine got there.
        windows: {
          pickup: fate === 'notPickedUp' ? '8 seconds' : '3 minutes',
          delivery: '3 minutes',
          ratePrompt: '1 second',
          rating: '3 minutes',
        },
      },
    };
  });
}
