/**
 * The order's business metrics, emitted from workflow code through the SDK's workflow metric meter: they come out
 * of the worker's Prometheus endpoint next to the SDK's own metrics, tagged with namespace, task queue and workflow
 * type. The meter drops every emission while the workflow replays its history (a worker restart, a cache eviction,
 * a query on an evicted order), so an order is counted once however often its history is replayed. Emitting
 * records no command and no event: adding or changing a metric needs no `patched()`.
 */
import { metricMeter } from '@temporalio/workflow';

/** The metric names, as Prometheus shows them (the names are the contract of dashboards and alerts). */
export const ORDER_METRICS = {
  placed: 'orders_placed_total',
  paid: 'orders_paid_total',
  paymentFailed: 'orders_payment_failed_total',
  delivered: 'orders_delivered_total',
  refunded: 'orders_refunded_total',
  cancelled: 'orders_cancelled_total',
  paymentSeconds: 'orders_payment_duration_seconds',
} as const;

/** Why money went back: the `reason` label of orders_refunded_total. */
export type RefundReason =
  | 'notPickedUpInTime'
  | 'notDeliveredInTime'
  | 'cancelledByCustomer'
  | 'cancelledByOperator'
  | 'refundedByOperator'
  | 'paymentOutcomeUnknown';

export type PaymentOutcome = 'paid' | 'declined' | 'unavailable';

/** The recorders one order uses; made inside the workflow (the meter only works in a workflow context). */
export function orderMetrics() {
  const placed = metricMeter.createCounter(ORDER_METRICS.placed, 'orders', 'Orders that passed validation and started');
  const paid = metricMeter.createCounter(ORDER_METRICS.paid, 'orders', 'Orders charged successfully');
  const paymentFailed = metricMeter.createCounter(
    ORDER_METRICS.paymentFailed,
    'orders',
    'Orders whose charge was declined or could not be made within the payment window, by reason',
  );
  const delivered = metricMeter.createCounter(ORDER_METRICS.delivered, 'orders', 'Orders delivered in time');
  const refunded = metricMeter.createCounter(
    ORDER_METRICS.refunded,
    'orders',
    'Orders whose money went back to the customer (more than zero cents refunded), by reason',
  );
  const cancelled = metricMeter.createCounter(ORDER_METRICS.cancelled, 'orders', 'Orders cancelled, by who cancelled');
  const paymentSeconds = metricMeter.createHistogram(
    ORDER_METRICS.paymentSeconds,
    'float',
    's',
    'From the order’s start to its charge settling (retries included), by outcome',
  );
  return {
    placed: () => placed.add(1),
    paid: () => paid.add(1),
    paymentFailed: (reason: 'declined' | 'unavailable') => paymentFailed.add(1, { reason }),
    delivered: () => delivered.add(1),
    refunded: (reason: RefundReason) => refunded.add(1, { reason }),
    cancelled: (by: 'customer' | 'operator') => cancelled.add(1, { by }),
    paymentSettled: (outcome: PaymentOutcome, seconds: number) => paymentSeconds.record(seconds, { outcome }),
  };
}
