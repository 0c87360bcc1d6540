/**
 * The ports the activities talk through. The payment and notification services implement the first two over HTTP
 * (and in-process simulators for tests and demos); the loyalty and pass ports are the customer's own long-running
 * workflows, reached through a Temporal client (see @durable-delivery/workflows' client helpers). Every call carries
 * an idempotency key: a retried or replayed call must never charge, refund, notify or count twice.
 */

export interface ChargeRequest {
  readonly idempotencyKey: string;
  /** What the charge is for: an order id, or a delivery pass period (`pass-<subscription>-<period>`). */
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly currency: 'USD';
  /** A tokenised card, as a payment provider hands it to the browser (see TEST_CARDS). */
  readonly paymentMethod: string;
  readonly description: string;
}

export interface Charge {
  readonly chargeId: string;
  readonly amountCents: number;
}

export interface RefundRequest {
  readonly idempotencyKey: string;
  /** The idempotency key of the charge to refund: known to the workflow even when the charge's reply was lost. */
  readonly chargeIdempotencyKey: string;
  readonly amountCents: number;
  readonly reason: string;
}

export interface Refund {
  /** Absent when there was nothing to refund (the charge never went through). */
  readonly refundId?: string;
  readonly refundedCents: number;
}

export interface PaymentsClient {
  charge(request: ChargeRequest): Promise<Charge>;
  refund(request: RefundRequest): Promise<Refund>;
}

export interface PushNotificationRequest {
  readonly idempotencyKey: string;
  readonly customerId: string;
  /** The order it is about; absent for a notification about the customer's pass. */
  readonly orderId?: string;
  readonly kind: string;
  readonly message: string;
}

export interface NotificationsClient {
  send(notification: PushNotificationRequest): Promise<{ readonly notificationId: string }>;
}

/**
 * The customer's loyalty workflow. The order id is the key of every call: counting, redeeming and giving back are
 * each answered the same way however often they are retried. A refusal (a reward already used, an order too old to
 * count) is a non-retryable ApplicationFailure with a message for a person.
 */
export interface LoyaltyClient {
  earn(request: {
    readonly customerId: string;
    readonly orderId: string;
    readonly amountCents: number;
    readonly deliveredAt: string;
  }): Promise<{
    readonly pointsEarned: number;
    readonly points: number;
    readonly level: string;
    readonly duplicate: boolean;
  }>;
  redeem(request: {
    readonly customerId: string;
    readonly orderId: string;
    readonly rewardId: string;
    readonly subtotalCents: number;
  }): Promise<{ readonly rewardId: string; readonly level: string; readonly discountCents: number }>;
  giveBack(request: {
    readonly customerId: string;
    readonly orderId: string;
    readonly rewardId: string;
  }): Promise<{ readonly returned: boolean }>;
}

/** The customer's delivery pass workflow: whether it makes delivery free right now. No pass answers false. */
export interface PassClient {
  freeDelivery(customerId: string): Promise<boolean>;
}

/** The card was refused for a reason retrying cannot fix (insufficient funds, expired card, …). */
export class PaymentDeclinedError extends Error {
  override readonly name = 'PaymentDeclinedError';
  constructor(
    readonly declineCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** The same idempotency key was sent with different parameters: a bug in the caller, never retried. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
}

/** The service refused the request itself as malformed: a bug in the caller, which retrying cannot fix. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

/** The downstream service is down or timed out: retrying later is the right move. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}
