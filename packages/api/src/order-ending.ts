import type { OrderStatus } from '@durable-delivery/workflows';

// Client-safe (types only): the driver app words its board and its refusals with these, the API its messages.

/** How an order a driver can no longer act on ended, or is ending: which, for a person. */
export type OrderEnding =
  | 'cancelled'
  | 'notPickedUpInTime'
  | 'notDeliveredInTime'
  | 'refundedByOperator'
  | 'refunded'
  | 'delivered'
  | 'paymentFailed';

/** Which ending, and when it happened (ISO-8601): the customer's cancel, the window closing, the operator's refund. */
export interface EndedOrder {
  readonly ending: OrderEnding;
  readonly at: string;
}

/** A driver's action the order refused, with how it ended: the API's error carries it as `data.ended`. */
export interface EndedRefusal extends EndedOrder {
  readonly action: DriverAction;
  readonly orderNumber: string;
}

export type DriverAction = 'pickUp' | 'deliver';

/** The card's state line and the sentence after "it …", one wording for the board and the refusals. */
export const ENDINGS: Record<OrderEnding, { readonly label: string; readonly sentence: string }> = {
  cancelled: { label: 'Cancelled — refunded', sentence: 'was cancelled by the customer' },
  notPickedUpInTime: {
    label: 'Pickup window closed — refunded',
    sentence: 'was refunded: nobody picked it up in time. The pickup window closed',
  },
  notDeliveredInTime: {
    label: 'Delivery window closed — refunded',
    sentence: 'was refunded: it was not delivered in time. The delivery window closed',
  },
  refundedByOperator: { label: 'Refunded by an operator', sentence: 'was refunded and closed by an operator' },
  refunded: { label: 'Refunded', sentence: 'was refunded' },
  delivered: { label: 'Delivered', sentence: 'was already delivered' },
  paymentFailed: { label: 'Payment failed', sentence: 'could not be paid for' },
};

const VERBS: Record<DriverAction, string> = { pickUp: 'pick up', deliver: 'deliver' };

/** "Cannot pick up order 3f2a9c1e: it was cancelled by the customer at" — the time and a full stop follow. */
export function endedRefusalLead({ action, orderNumber, ending }: Omit<EndedRefusal, 'at'>): string {
  return `Cannot ${VERBS[action]} order ${orderNumber}: it ${ENDINGS[ending].sentence} at`;
}

/**
 * Which ending an order's status shows and when it began, or undefined while the order is still open to a driver
 * (charging, paid, picked up). A refund is dated from when it started (the cancel, the window closing, the operator's
 * action), not when the payment provider confirmed it.
 */
export function orderEnding(
  status: Pick<OrderStatus, 'state' | 'failure' | 'cancellation' | 'transitions'>,
): EndedOrder | undefined {
  const since = (state: OrderStatus['state']) =>
    status.transitions.find((transition) => transition.state === state)?.at ??
    status.transitions[status.transitions.length - 1]?.at ??
    '';
  switch (status.state) {
    case 'charging':
    case 'paid':
    case 'pickedUp':
      return undefined;
    case 'delivered':
      return { ending: 'delivered', at: since('delivered') };
    case 'paymentFailed':
      return { ending: 'paymentFailed', at: since('paymentFailed') };
    case 'cancelled':
      return { ending: 'cancelled', at: status.cancellation?.requestedAt ?? since('cancelled') };
    case 'refunding':
    case 'refunded': {
      if (status.cancellation) return { ending: 'cancelled', at: status.cancellation.requestedAt };
      const code = status.failure?.code;
      const ending: OrderEnding =
        code === 'notPickedUpInTime' || code === 'notDeliveredInTime' || code === 'refundedByOperator'
          ? code
          : 'refunded';
      return { ending, at: since('refunding') };
    }
  }
}
