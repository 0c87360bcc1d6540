// Client-safe: the workflows' contracts, input schema and callers' helpers. Workflow code is exported from ./workflows.
export * from './order/definitions';
export * from './loyalty/definitions';
export * from './subscription/definitions';
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
  rewardIdSchema,
} from './client/schema';
export { notificationMessage, describeDishes, shortOrderNumber } from './order/messages';
export { ORDER_METRICS, type RefundReason, type PaymentOutcome } from './order/metrics';
export { orderStartOptions } from './client/start';
export {
  checkout,
  CheckoutUnconfirmedError,
  OrderIdTakenError,
  DEFAULT_CHECKOUT_WAIT_MS,
  type CheckoutOptions,
} from './client/checkout';
export { loadTemporalConnection, type TemporalConnection } from './client/connection';
export {
  earnPoints,
  redeemReward,
  returnReward,
  loyaltySummary,
  loyaltyStartOptions,
  temporalLoyalty,
  refusalsAsFailures,
  type LoyaltyCallOptions,
} from './client/loyalty';
export { subscribe, passOf, passStartOptions, temporalPasses, DEFAULT_SUBSCRIBE_WAIT_MS } from './client/subscription';
export { allSearchAttributes } from './search-attributes';
