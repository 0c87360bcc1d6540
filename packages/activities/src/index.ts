export {
  createActivities,
  chargeKeyFor,
  passChargeKeyFor,
  PAYMENT_DECLINED,
  IDEMPOTENCY_CONFLICT,
  INVALID_REQUEST,
  type OrderActivities,
  type ActivityDependencies,
  type ChargeCustomerInput,
  type RefundOrderInput,
  type SendPushNotificationInput,
  type CheckoutPerksInput,
  type CheckoutPerks,
  type ReturnRewardInput,
  type EarnPointsInput,
  type PassChargeInput,
  type PassRefundInput,
} from './activities';
export {
  PaymentDeclinedError,
  IdempotencyConflictError,
  ServiceUnavailableError,
  InvalidRequestError,
  type PaymentsClient,
  type NotificationsClient,
  type LoyaltyClient,
  type PassClient,
  type ChargeRequest,
  type Charge,
  type RefundRequest,
  type Refund,
  type PushNotificationRequest,
} from './clients';
export { Faults, NO_FAULTS, type FaultSettings } from '@durable-delivery/provider-rules';
export { SimulatedPayments, TEST_CARDS, type LedgerEntry } from './simulators/payments';
export { SimulatedNotifications, type DeliveredNotification } from './simulators/notifications';
export { HttpPaymentsClient, type HttpPaymentsOptions } from './http/payments';
export { HttpNotificationsClient, type HttpNotificationsOptions } from './http/notifications';
