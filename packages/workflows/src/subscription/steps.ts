/**
 * The pass's steps that call the outside world: a charge, the refund of a charge whose outcome is unknown, and a
 * notification. The story in ./workflow.ts calls them; each records its outcome on the pass.
 */
import type { OrderActivities } from '@durable-delivery/activities';
import { ActivityFailure, ApplicationFailure, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import { givesUpAfter, iso, retriedForAnHour, retriedUntilDone, settled, track } from '../shared/helpers';
import { PASS_PRICE_CENTS } from './definitions';
import { passMessage } from './messages';
import type { Pass } from './state';

export type ChargeOutcome = { paid: true } | { paid: false; declined: boolean; reason: string };

export type PassSteps = ReturnType<typeof passSteps>;

export function passSteps(pass: Pass) {
  const { customerId, subscriptionId } = pass;
  // The first charge answers a person waiting at the Subscribe button: it gives up like an order's charge does.
  const firstCharge = proxyActivities<OrderActivities>(givesUpAfter('5 minutes'));
  // A renewal has all day: transient failures are retried for up to an hour before the try counts as failed.
  const renewals = proxyActivities<OrderActivities>(retriedForAnHour);
  const refunds = proxyActivities<OrderActivities>(retriedUntilDone);
  const push = proxyActivities<OrderActivities>(retriedForAnHour);
  // Notifications in flight, settled before the pass ends or hands over.
  const pending = new Set<Promise<unknown>>();

  /** One try at charging a period; a decline or an outage is an answer, recorded on the pass, not a failure. */
  async function charge(period: number, attempt: number, which: 'first' | 'renewal'): Promise<ChargeOutcome> {
    const via = which === 'first' ? firstCharge : renewals;
    const base = { period, attempt, amountCents: PASS_PRICE_CENTS };
    try {
      const result = await via.chargeSubscription({
        customerId,
        subscriptionId,
        period,
        attempt,
        amountCents: PASS_PRICE_CENTS,
        paymentMethod: pass.paymentMethod,
      });
      pass.chargePaid({ ...base, outcome: 'paid', chargeId: result.chargeId, at: iso(Date.now()) }, result.amountCents);
      return { paid: true };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      const declined = cause instanceof ApplicationFailure && cause.nonRetryable === true;
      const reason = declined ? cause.message : 'the payment service could not be reached';
      pass.chargeFailed(
        { ...base, outcome: declined ? 'declined' : 'unavailable', reason, at: iso(Date.now()) },
        declined,
      );
      return { paid: false, declined, reason };
    }
  }

  /** Compensation: a charge whose outcome is unknown is refunded by its key when the pass ends on it. */
  async function refundUnsettled(): Promise<void> {
    if (!pass.unsettled) return;
    await refunds.refundSubscriptionCharge({
      subscriptionId,
      period: pass.unsettled.period,
      attempt: pass.unsettled.attempt,
      amountCents: PASS_PRICE_CENTS,
      reason: 'pass charge outcome unknown',
    });
    pass.unsettledRefunded();
  }

  /** Tells the customer, in the background; the key makes a retried or replayed message show once. */
  function notify(kind: 'passRenewalFailed' | 'passRenewed' | 'passEnded', key: string): void {
    const message = passMessage(kind, {
      priceCents: PASS_PRICE_CENTS,
      reason: pass.failure,
      endReason: pass.endReason,
    });
    track(
      pending,
      push
        .sendPushNotification({ customerId, kind, key: `pass:${subscriptionId}:${key}`, message })
        .catch((error: unknown) =>
          log.warn('pass notification was not delivered', { customerId, kind, error: String(error) }),
        ),
    );
  }

  /** Every update answered and every notification settled. */
  const settle = () => settled(pending);

  return { charge, refundUnsettled, notify, settle };
}
