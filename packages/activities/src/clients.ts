/**
 * The ports the activities talk through. Today they are served by in-process simulators (./simulators); the
 * payment and notification services implement the same interfaces over HTTP. Every call carries the caller's
 * idempotency key: a retried or replayed call must never charge, refund or notify twice.
 */

export interface ChargeRequest {
  readonly idempotencyKey: string;
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
  readonly orderId: string;
  readonly kind: string;
  readonly message: string;
}

export interface NotificationsClient {
  send(notification: PushNotificationRequest): Promise<{ readonly notificationId: string }>;
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
