// Client-safe: the order's contract and input schema. Workflow code itself is exported from ./workflows.
export * from './order/definitions';
export {
  validateOrder,
  orderInputSchema,
  orderWindowsSchema,
  orderIdSchema,
  deliveryAddressSchema,
  lineItemSchema,
  durationSchema,
  OrderInputError,
  type OrderInput,
  type OrderWindows,
  type ValidOrder,
} from './order/input';
export { notificationMessage, describeDishes } from './order/messages';
export { orderStartOptions } from './client/start';
export { checkout, DEFAULT_CHECKOUT_WAIT_MS } from './client/checkout';
