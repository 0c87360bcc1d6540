/**
 * The order's steps that call the outside world, each one activity: the story in ./workflow.ts calls them in order.
 * Each records its outcome on the order and in its metrics.
 */
import type { OrderActivities } from '@durable-delivery/activities';
import { formatCents } from '@durable-delivery/catalog';
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import {
  givesUpAfter,
  iso,
  retriedForADay,
  retriedForAnHour,
  retriedUntilDone,
  settled,
  track,
  workSettled,
} from '../shared/helpers';
import type { NotificationKind } from './definitions';
import { notificationMessage } from './messages';
import { orderMetrics, type RefundReason } from './metrics';
import type { Order, OrderFailure } from './state';

/** Why a checkout cannot go on; `chargeUnknown` when a charge may have gone through with its reply lost. */
export interface CheckoutRefusal {
  readonly failure: OrderFailure;
  readonly chargeUnknown: boolean;
}

export type OrderSteps = ReturnType<typeof orderSteps>;

/**
 * Quick calls run first as local activities: inside the workflow task that asks for them, with no activity task for
 * the server to dispatch and no workflow task of their own to take the result (one marker in the history instead of
 * six events). Those are the checkout perks (so the customer waits for one activity round trip before "paid", the
 * charge) and the push notifications. Seconds, not minutes: a local activity holds its workflow task, and so the
 * answer to an update in it, until it finishes. The perks wait on another workflow only for a customer with a running
 * pass or a chosen reward (a query, an update, whose tasks share this worker's slots): on a saturated worker that
 * wait can use up the five seconds, and the checkout goes on through the regular activity.
 */
const inline = proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '2 seconds',
  scheduleToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

export function orderSteps(order: Order) {
  const { orderId, customerId } = order.input;
  // The order's business metrics: emitted from workflow code, so a replay never counts twice (see ./metrics.ts).
  const metrics = orderMetrics();
  const secondsSinceStart = () => (Date.now() - workflowInfo().runStartTime.getTime()) / 1000;

  // Charges give up after the payment window; refunds (and given-back rewards) must happen, so they retry until
  // they succeed.
  const payments = proxyActivities<OrderActivities>(givesUpAfter(order.windows.payment));
  const refunds = proxyActivities<OrderActivities>(retriedUntilDone);
  // A notification that cannot be delivered within an hour is stale; the order goes on without it.
  const pushEventually = proxyActivities<OrderActivities>(retriedForAnHour);
  const loyaltyCredit = proxyActivities<OrderActivities>(retriedForADay);
  // Background work settled before the order ends: notifications, and the loyalty credit after delivery.
  const pending = new Set<Promise<unknown>>();

  /** A business refusal from an activity (a declined card, a reward taken), as opposed to an outage. */
  const refusalOf = (error: unknown) =>
    error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable
      ? error.cause
      : undefined;

  /**
   * A quick call, inline first (see `inline`); if that fails for any reason but a refusal (the service was slow,
   * down, or the worker's local slots were busy), the same call as a regular activity that keeps retrying under
   * `durably`'s options, visible in the Temporal UI. Both carry the same idempotency key, so a call that went through
   * with its answer lost is never done twice.
   */
  type Activities = ActivityInterfaceFor<OrderActivities>;
  async function inlineFirst<T>(call: (activities: Activities) => Promise<T>, durably: Activities): Promise<T> {
    try {
      return await call(inline);
    } catch (error) {
      if (isCancellation(error) || refusalOf(error)) throw error;
      log.info('a quick call did not answer in time; retrying it as an activity', { orderId });
      return call(durably);
    }
  }

  /**
   * Checkout perks, decided by the server before the charge: free delivery if the customer's pass is paid up, and
   * the chosen reward redeemed for this order. Answers why checkout cannot go on, or undefined when it can.
   */
  async function applyPerks(): Promise<CheckoutRefusal | undefined> {
    const { rewardId } = order.input;
    order.redeeming(rewardId);
    try {
      const applied = await inlineFirst(
        (activities) =>
          activities.applyCheckoutPerks({
            orderId,
            customerId,
            subtotalCents: order.priced.subtotalCents,
            deliveryFeeCents: order.priced.deliveryFeeCents,
            ...(rewardId ? { rewardId } : {}),
          }),
        payments,
      );
      order.applyPerks({
        deliveryFeeWaivedCents: applied.deliveryFeeWaivedCents,
        discountCents: applied.discountCents,
        ...(applied.reward ? { reward: { rewardId: applied.reward.rewardId, level: applied.reward.level } } : {}),
      });
      return undefined;
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The loyalty workflow refused the reward (used by another order, below its minimum): a reason for a person.
      const refusal = refusalOf(error);
      if (refusal) return { failure: { code: 'rewardUnavailable', message: refusal.message }, chargeUnknown: false };
      const message =
        'your rewards and delivery pass could not be checked; nothing was charged. Please try again later';
      return { failure: { code: 'paymentUnavailable', message }, chargeUnknown: false };
    }
  }

  /** Charges the order's total. Answers why checkout cannot go on, or undefined once paid. */
  async function chargeCustomer(): Promise<CheckoutRefusal | undefined> {
    try {
      const charge = await payments.chargeCustomer.executeWithOptions(
        { summary: `Charge ${formatCents(order.chargedCents)}` },
        [
          {
            orderId,
            customerId,
            amountCents: order.chargedCents,
            paymentMethod: order.input.paymentMethod,
            description: `Durable Delivery order ${orderId}`,
          },
        ],
      );
      order.charged(charge.chargeId);
      metrics.paid();
      metrics.paymentSettled('paid', secondsSinceStart());
    } catch (error) {
      if (isCancellation(error)) throw error;
      const declined = refusalOf(error);
      metrics.paymentFailed(declined ? 'declined' : 'unavailable');
      metrics.paymentSettled(declined ? 'declined' : 'unavailable', secondsSinceStart());
      if (declined) return { failure: { code: 'cardDeclined', message: declined.message }, chargeUnknown: false };
      // The charge may have gone through with its reply lost: the ending refunds it by the charge's key.
      const message = 'the payment service could not be reached; please try again later';
      return { failure: { code: 'paymentUnavailable', message }, chargeUnknown: true };
    }
    log.info('order paid', { orderId, chargeId: order.chargeId });
    return undefined;
  }

  /** Compensation: the money back, retried until the payment service takes it. */
  async function refund(reason: string, why: RefundReason): Promise<void> {
    const result = await refunds.refundOrder.executeWithOptions(
      { summary: `Refund ${formatCents(order.chargedCents)}: ${reason}` },
      [{ orderId, amountCents: order.chargedCents, reason }],
    );
    order.refunded(result.refundedCents);
    if (result.refundedCents > 0) metrics.refunded(why);
  }

  /** Compensation: an order that will not be delivered gives its reward back; retried until loyalty answers. */
  async function returnReward(): Promise<void> {
    const rewardId = order.takeRewardToReturn();
    if (rewardId === undefined) return;
    const result = await refunds.returnReward({ orderId, customerId, rewardId });
    order.rewardReturned(result.returned);
  }

  /** Tells the customer, in the background so a slow push service never delays the order's timers. */
  function notify(kind: NotificationKind, reason?: string): void {
    const entry = order.notified(kind, notificationMessage(kind, { priced: order.priced, reason }));
    const push = { customerId, orderId, kind, message: entry.message };
    const summary = { summary: `Notify the customer: ${kind}` };
    track(
      pending,
      inlineFirst(
        (activities) => activities.sendPushNotification.executeWithOptions(summary, [push]),
        pushEventually,
      ).then(
        () => {
          entry.sentAt = iso(Date.now());
        },
        (error: unknown) => {
          entry.failed = true;
          log.warn('notification was not delivered', { orderId, kind, error: String(error) });
        },
      ),
    );
  }

  /** After delivery: the points, in the background (the rating prompt's timer is not held up). */
  function earnPoints(deliveredAt: string): void {
    track(
      pending,
      // A regular activity, not inline: the credit is an update of the customer's loyalty workflow, whose task runs
      // on this worker, and a local activity would hold the order's workflow task (and its slot) while waiting for
      // it. Under load that starved the loyalty workflows of task slots (bench at concurrency 50: deliver tasks over
      // 5 seconds, local activities timing out, 0.62 of the ceiling instead of 0.74 at 20).
      loyaltyCredit.earnPoints({ orderId, customerId, amountCents: order.chargedCents, deliveredAt }).then(
        (credit) => {
          order.earned({ pointsEarned: credit.pointsEarned, points: credit.points, level: credit.level });
        },
        (error: unknown) => {
          log.warn('loyalty points were not credited', { orderId, error: String(error) });
        },
      ),
    );
  }

  /** Before the order ends: every notification and credit settled, and every update handler has answered. */
  const settle = () => settled(pending);
  /** The same without waiting for update handlers, for an ending no handler may hold up (see endOrder()). */
  const settleWork = () => workSettled(pending);

  return { metrics, applyPerks, chargeCustomer, refund, returnReward, notify, earnPoints, settle, settleWork };
}
