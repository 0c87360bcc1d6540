export { customerAppRouter, driverAppRouter, type CustomerAppRouter, type DriverAppRouter } from './root';
export { createContext, createCallerFactory, type ApiLog, type Context, type Customer, type Driver } from './trpc';
export { toTRPCError } from './errors';
export { apiMetrics, type ApiMetrics } from './metrics';
export { type CreateOrderResult } from './router/customer-orders';
export { type PassView, type PassOffer } from './router/pass';
export * from './schemas';
export type { DeliveryArea, OrderListView, OrderPage, OrderSummary } from './order-list';
export type { DriverAction, EndedOrder, EndedRefusal, OrderEnding } from './order-ending';
