import type { OrderState } from '@durable-delivery/workflows';

/** The workflow's machine states as people read them; both apps use these words. */
export const STATE_LABELS: Record<OrderState, string> = {
  charging: 'Charging your card',
  paid: 'Paid, waiting for a driver',
  pickedUp: 'On the way',
  delivered: 'Delivered',
  refunding: 'Refunding',
  paymentFailed: 'Payment failed',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
};

export type Tone = 'progress' | 'success' | 'problem' | 'neutral';

const TONES: Record<OrderState, Tone> = {
  charging: 'progress',
  paid: 'progress',
  pickedUp: 'progress',
  delivered: 'success',
  refunding: 'problem',
  paymentFailed: 'problem',
  refunded: 'problem',
  cancelled: 'neutral',
};

export function stateLabel(state: OrderState | undefined): string {
  return state ? STATE_LABELS[state] : 'Unknown';
}

export function stateTone(state: OrderState | undefined): Tone {
  return state ? TONES[state] : 'neutral';
}

/** No step follows these (a delivered order may still take a rating, which changes nothing else). */
export function isFinalState(state: OrderState): boolean {
  return state === 'delivered' || state === 'paymentFailed' || state === 'refunded' || state === 'cancelled';
}
