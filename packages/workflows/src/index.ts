// Client-safe: the order's contract and input schema. Workflow code itself is exported from ./workflows.
export * from './order/definitions';
export {
  validateOrder,
  parseDuration,
  OrderInputError,
  DEFAULT_WINDOWS,
  type OrderInput,
  type OrderWindows,
  type DeliveryAddress,
  type DurationInput,
  type ValidOrder,
} from './order/input';
export {
  orderInputSchema,
  orderWindowsSchema,
  orderIdSchema,
  deliveryAddressSchema,
  lineItemSchema,
  durationSchema,
} from './client/schema';
export { notificationMessage, describeDishes } from './order/messages';
export { ORDER_METRICS, type RefundReason, type PaymentOutcome } from './order/metrics';
export { orderStartOptions } from './client/start';
export { checkout, settlementOf, DEFAULT_CHECKOUT_WAIT_MS, type CheckoutOptions } from './client/checkout';
export { loadTemporalConnection, type TemporalConnection } from './client/connection';
