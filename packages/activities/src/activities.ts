import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  IdempotencyConflictError,
  InvalidRequestError,
  PaymentDeclinedError,
  type Charge,
  type LoyaltyClient,
  type NotificationsClient,
  type PassClient,
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
  /** The order it is about; absent for a notification about the customer's pass. */
  readonly orderId?: string;
  readonly kind: string;
  /**
   * What makes it one notification within its workflow, part of the idempotency key; defaults to the kind (an
   * order sends each kind once). A workflow that runs forever sends a kind many times, each with its own key.
   */
  readonly key?: string;
  readonly message: string;
}

export interface CheckoutPerksInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly subtotalCents: number;
  readonly deliveryFeeCents: number;
  /** The reward the customer chose; redeemed for this order. */
  readonly rewardId?: string;
}

export interface CheckoutPerks {
  readonly deliveryFeeWaivedCents: number;
  readonly discountCents: number;
  readonly reward?: { readonly rewardId: string; readonly level: string };
}

export interface ReturnRewardInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly rewardId: string;
}

export interface EarnPointsInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly deliveredAt: string;
}

export interface PassChargeInput {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly period: number;
  /** Counted from 1 within the period; a new attempt (and key) only after a definite decline. */
  readonly attempt: number;
  readonly amountCents: number;
  readonly paymentMethod: string;
}

export interface PassRefundInput {
  readonly subscriptionId: string;
  readonly period: number;
  readonly attempt: number;
  readonly amountCents: number;
  readonly reason: string;
}

export interface ActivityDependencies {
  readonly payments: PaymentsClient;
  readonly notifications: NotificationsClient;
  readonly loyalty: LoyaltyClient;
  readonly passes: PassClient;
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

/** `subscription-<customer>:<subscription>:period-3:attempt-1`: one key per period and try, never reused by a new pass. */
export const passChargeKeyFor = (
  workflowId: string,
  charge: { readonly subscriptionId: string; readonly period: number; readonly attempt: number },
): string => `${workflowId}:${charge.subscriptionId}:period-${charge.period}:attempt-${charge.attempt}`;

export function createActivities({ payments, notifications, loyalty, passes }: ActivityDependencies) {
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
          idempotencyKey: idempotencyKey(`notify:${input.key ?? input.kind}`),
          customerId: input.customerId,
          ...(input.orderId !== undefined ? { orderId: input.orderId } : {}),
          kind: input.kind,
          message: input.message,
        });
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    /**
     * What the server decides at checkout, before the charge: free delivery from the customer's pass, and the chosen
     * reward redeemed for this order (keyed by the order id, so a retried attempt gets the same redemption). The two
     * are independent, so they run at once: the customer waits for the slower one, not for both in turn. The attempt
     * ends only once both have answered, so a redeem never lands after the order has given the reward back (the
     * workflow gives it back when this activity fails for good, see rewardToReturn).
     */
    async applyCheckoutPerks(input: CheckoutPerksInput): Promise<CheckoutPerks> {
      const [pass, redeemed] = await Promise.allSettled([
        passes.freeDelivery(input.customerId),
        input.rewardId
          ? loyalty.redeem({
              customerId: input.customerId,
              orderId: input.orderId,
              rewardId: input.rewardId,
              subtotalCents: input.subtotalCents,
            })
          : undefined,
      ]);
      // A pass that could not be checked fails the attempt (retried) before a refused reward does (final): as when
      // the pass was asked first.
      if (pass.status === 'rejected') throw pass.reason;
      if (redeemed.status === 'rejected') throw redeemed.reason;
      const freeDelivery = pass.value;
      const redemption = redeemed.value;
      Context.current().log.info('checkout perks', {
        orderId: input.orderId,
        freeDelivery,
        rewardId: redemption?.rewardId,
      });
      return {
        deliveryFeeWaivedCents: freeDelivery ? input.deliveryFeeCents : 0,
        discountCents: redemption?.discountCents ?? 0,
        ...(redemption ? { reward: { rewardId: redemption.rewardId, level: redemption.level } } : {}),
      };
    },

    async returnReward(input: ReturnRewardInput): Promise<{ returned: boolean }> {
      return loyalty.giveBack(input);
    },

    async earnPoints(input: EarnPointsInput): Promise<{ pointsEarned: number; points: number; level: string }> {
      const credit = await loyalty.earn(input);
      Context.current().log.info('loyalty points', { orderId: input.orderId, ...credit });
      return { pointsEarned: credit.pointsEarned, points: credit.points, level: credit.level };
    },

    async chargeSubscription(input: PassChargeInput): Promise<Charge> {
      try {
        return await payments.charge({
          idempotencyKey: passChargeKeyFor(currentWorkflowId(), input),
          orderId: `pass-${input.subscriptionId}-${input.period}`,
          customerId: input.customerId,
          amountCents: input.amountCents,
          currency: 'USD',
          paymentMethod: input.paymentMethod,
          description: `Durable Delivery pass, period ${input.period}`,
        });
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    async refundSubscriptionCharge(input: PassRefundInput): Promise<Refund> {
      const chargeKey = passChargeKeyFor(currentWorkflowId(), input);
      try {
        return await payments.refund({
          idempotencyKey: `${chargeKey}:refund`,
          chargeIdempotencyKey: chargeKey,
          amountCents: input.amountCents,
          reason: input.reason,
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
