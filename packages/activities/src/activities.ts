import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  IdempotencyConflictError,
  InvalidRequestError,
  PaymentDeclinedError,
  type Charge,
  type NotificationsClient,
  type PaymentsClient,
  type Refund,
} from './clients';

/** ApplicationFailure types the workflow branches on. */
export const PAYMENT_DECLINED = 'PaymentDeclined';
export const IDEMPOTENCY_CONFLICT = 'IdempotencyConflict';
export const INVALID_REQUEST = 'InvalidServiceRequest';

export interface ChargeCustomerInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly paymentMethod: string;
  readonly description: string;
}

export interface RefundOrderInput {
  readonly orderId: string;
  readonly amountCents: number;
  readonly reason: string;
}

export interface SendPushNotificationInput {
  readonly customerId: string;
  readonly orderId: string;
  /** One notification of each kind per workflow: the kind is part of the idempotency key. */
  readonly kind: string;
  readonly message: string;
}

export interface ActivityDependencies {
  readonly payments: PaymentsClient;
  readonly notifications: NotificationsClient;
}

/**
 * Idempotency keys come from the workflow id (the order), never from the attempt: every retry of an activity,
 * and every replay of the workflow that scheduled it, sends the same key.
 */
function idempotencyKey(operation: string): string {
  return `${currentWorkflowId()}:${operation}`;
}

function currentWorkflowId(): string {
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  // These activities are only ever scheduled by a workflow; without one there is no stable key to use.
  if (!workflowId) throw ApplicationFailure.nonRetryable('This activity must be scheduled by a workflow');
  return workflowId;
}

export const chargeKeyFor = (workflowId: string): string => `${workflowId}:charge`;

export function createActivities({ payments, notifications }: ActivityDependencies) {
  return {
    async chargeCustomer(input: ChargeCustomerInput): Promise<Charge> {
      const { log, info } = Context.current();
      try {
        const charge = await payments.charge({
          idempotencyKey: chargeKeyFor(currentWorkflowId()),
          orderId: input.orderId,
          customerId: input.customerId,
          amountCents: input.amountCents,
          currency: 'USD',
          paymentMethod: input.paymentMethod,
          description: input.description,
        });
        log.info('charged customer', { orderId: input.orderId, chargeId: charge.chargeId, attempt: info.attempt });
        return charge;
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    async refundOrder(input: RefundOrderInput): Promise<Refund> {
      const { log } = Context.current();
      try {
        const refund = await payments.refund({
          idempotencyKey: idempotencyKey('refund'),
          chargeIdempotencyKey: chargeKeyFor(currentWorkflowId()),
          amountCents: input.amountCents,
          reason: input.reason,
        });
        log.info('refunded order', { orderId: input.orderId, refundedCents: refund.refundedCents });
        return refund;
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    async sendPushNotification(input: SendPushNotificationInput): Promise<void> {
      try {
        // Fields are picked one by one: spreading the input after the key would let a stray `idempotencyKey` in it
        // (activity input is whatever the workflow serialised) replace the key derived from the workflow id.
        await notifications.send({
          idempotencyKey: idempotencyKey(`notify:${input.kind}`),
          customerId: input.customerId,
          orderId: input.orderId,
          kind: input.kind,
          message: input.message,
        });
      } catch (error) {
        throw toActivityFailure(error);
      }
    },
  };
}

export type OrderActivities = ReturnType<typeof createActivities>;

/**
 * Business refusals become non-retryable failures with a message a person can act on. Anything else — a 5xx, a
 * timeout, a dropped connection — is rethrown as it is, so Temporal retries it with backoff.
 */
function toActivityFailure(error: unknown): unknown {
  if (error instanceof PaymentDeclinedError) {
    return ApplicationFailure.create({
      type: PAYMENT_DECLINED,
      message: error.message,
      nonRetryable: true,
      details: [{ declineCode: error.declineCode }],
    });
  }
  if (error instanceof IdempotencyConflictError) {
    return ApplicationFailure.create({ type: IDEMPOTENCY_CONFLICT, message: error.message, nonRetryable: true });
  }
  if (error instanceof InvalidRequestError) {
    return ApplicationFailure.create({ type: INVALID_REQUEST, message: error.message, nonRetryable: true });
  }
  return error;
}
