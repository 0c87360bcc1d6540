import { formatCents, type PricedOrder } from '@durable-delivery/catalog';
import type { NotificationKind } from './definitions';

/** The words of each push notification. The kind is the machine value; this is what the customer reads. */
export function notificationMessage(
  kind: NotificationKind,
  order: { readonly priced: PricedOrder; readonly reason?: string },
): string {
  const dishes = describeDishes(order.priced);
  switch (kind) {
    case 'paymentFailed':
      return `We couldn't charge you for ${dishes}: ${order.reason ?? 'payment failed'}`;
    case 'pickedUp':
      return `Your ${dishes} is on its way.`;
    case 'delivered':
      return `Your ${dishes} has been delivered. Enjoy!`;
    case 'ratePrompt':
      return `How was the ${order.priced.lines[0]?.product.name.toLowerCase() ?? 'meal'}? Rate your meal.`;
    case 'notPickedUpInTime':
      return `No driver was available to pick up your order. Your payment of ${formatCents(order.priced.totalCents)} has been refunded.`;
    case 'notDeliveredInTime':
      return `Your driver was unable to deliver your order. Your payment of ${formatCents(order.priced.totalCents)} has been refunded.`;
    case 'cancelled':
      return `Your order of ${dishes} was cancelled${order.reason ? ` (${order.reason})` : ''}. Any payment has been refunded.`;
    case 'refundedByOperator':
      return `We refunded your order of ${dishes}${order.reason ? ` (${order.reason})` : ''}: ${formatCents(order.priced.totalCents)} is on its way back to you.`;
  }
}

/** The one line an operator sees for an order in the Temporal UI's list: "2× Burrata · $24.00 · Ada". */
export function orderSummary(priced: PricedOrder, customerName?: string): string {
  return [describeDishes(priced), formatCents(priced.totalCents), customerName].filter(Boolean).join(' · ');
}

/** "2× Burrata, Poke" */
export function describeDishes(priced: PricedOrder): string {
  return priced.lines
    .map((line) => (line.quantity > 1 ? `${line.quantity}× ${line.product.name}` : line.product.name))
    .join(', ');
}

/** The order number people see everywhere (pages, toasts, refusals): the id's first 8 characters, "3f2a9c1e". */
export function shortOrderNumber(orderId: string): string {
  return orderId.slice(0, 8);
}
