import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from '@durable-delivery/temporal-server';
import {
  PASS_PRICE_CENTS,
  PassStatusAttribute,
  cancelPassUpdate,
  continueAsNewUpdate,
  getPassQuery,
  passOf,
  passStartOptions,
  resumePassUpdate,
  subscribe,
  subscriptionWorkflowId,
  temporalPasses,
  type DeliveryPass,
  type SubscriptionInput,
  type SubscriptionWorkflow,
} from '../src';
import { OrderTestHarness, declined, failureOf, fakeActivities, type FakeActivities } from './harness';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

let next = 0;
const DAY = 24 * 60 * 60 * 1000;

function aPass(overrides: Partial<SubscriptionInput> = {}): SubscriptionInput {
  next += 1;
  return {
    customerId: `customer-${process.pid}-${Date.now()}-${next}`,
    subscriptionId: `sub-${next}`,
    paymentMethod: 'tok_visa',
    settings: { billingPeriod: '30 days', renewalRetryDelay: '1 day', renewalAttempts: 3 },
    ...overrides,
  };
}

/** Subscribes on this test's task queue and returns the answer with a handle to the pass. */
async function subscribed(
  input: SubscriptionInput,
  ctx: { taskQueue: string; track: (id: string) => void },
): Promise<{ answer: DeliveryPass; handle: WorkflowHandle<SubscriptionWorkflow> }> {
  ctx.track(subscriptionWorkflowId(input.customerId));
  const answer = await subscribe(harness.client, input, { taskQueue: ctx.taskQueue });
  return { answer, handle: harness.client.workflow.getHandle(subscriptionWorkflowId(input.customerId)) };
}

/** The periods and attempts charged, in order, from the fake's calls. */
function chargesOf(activities: FakeActivities): string[] {
  return activities.chargeSubscription.mock.calls.map(([charge]) => `${charge.period}.${charge.attempt}`);
}

/**
 * The pass's answer once `ready` holds. After `env.sleep` the server's clock has moved, but the worker may not have
 * run the workflow task that follows yet, and a query answers from the state the worker has: wait for it, bounded.
 */
function settled(
  handle: WorkflowHandle<SubscriptionWorkflow>,
  ready: (answer: DeliveryPass) => boolean,
): Promise<DeliveryPass> {
  return eventually(async () => {
    const answer = await handle.query(getPassQuery);
    return ready(answer) ? answer : undefined;
  });
}

describe('the delivery pass', () => {
  it('charges every billing period for twelve periods, on schedule, and makes delivery free while paid', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const input = aPass();
      const { answer, handle } = await subscribed(input, ctx);
      expect(answer).toMatchObject({ state: 'active', period: 1, timesCharged: 1, freeDelivery: true });
      const started = Date.parse(answer.paidThrough!) - 30 * DAY;
      expect(answer.nextChargeAt).toBe(answer.paidThrough);

      // Twelve months of durable sleeps cost the time-skipping server seconds.
      await harness.env.sleep(11 * 30 * DAY + DAY);
      const pass = await settled(handle, (answer) => answer.timesCharged === 12);
      expect(pass).toMatchObject({ state: 'active', period: 12, timesCharged: 12, freeDelivery: true });
      expect(pass.totalChargedCents).toBe(12 * PASS_PRICE_CENTS);
      expect(pass.nextChargeAt).toBe(new Date(started + 12 * 30 * DAY).toISOString());
      expect(chargesOf(activities)).toEqual(Array.from({ length: 12 }, (_, index) => `${index + 1}.1`));
      expect(pass.charges).toHaveLength(12);
      expect(await temporalPasses(harness.client).freeDelivery(input.customerId)).toBe(true);
      expect((await handle.describe()).typedSearchAttributes.get(PassStatusAttribute)).toBe('active');
    });
  });

  it('keeps delivery free until the end of the paid period after a cancel, then ends without charging again', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const input = aPass();
      const { answer, handle } = await subscribed(input, ctx);
      const cancelled = await handle.executeUpdate(cancelPassUpdate, { args: [{}] });
      expect(cancelled).toMatchObject({ state: 'cancelling', freeDelivery: true, endsAt: answer.paidThrough });
      expect(cancelled.nextChargeAt).toBeUndefined();
      expect(await failureOf(handle.executeUpdate(cancelPassUpdate, { args: [{}] }))).toEqual({
        type: 'PassStateConflict',
        message: `Your pass is already cancelled; it ends on ${answer.paidThrough}.`,
      });

      const final = await handle.result();
      expect(final).toMatchObject({ state: 'ended', endReason: 'cancelled', timesCharged: 1, freeDelivery: false });
      expect(activities.chargeSubscription).toHaveBeenCalledTimes(1);
      expect(activities.sendPushNotification.mock.calls.map(([n]) => n.kind)).toEqual(['passEnded']);
      expect(await temporalPasses(harness.client).freeDelivery(input.customerId)).toBe(false);
    });
  });

  it('resumes a cancelled pass before its period ends, and renews it as if it had never been cancelled', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const { handle } = await subscribed(aPass(), ctx);
      await handle.executeUpdate(cancelPassUpdate, { args: [{ reason: 'too expensive' }] });
      expect(await handle.executeUpdate(resumePassUpdate)).toMatchObject({ state: 'active' });
      expect(await failureOf(handle.executeUpdate(resumePassUpdate))).toEqual({
        type: 'PassStateConflict',
        message: 'Your pass is already active.',
      });
      await harness.env.sleep(30 * DAY + DAY);
      expect(await settled(handle, (answer) => answer.timesCharged === 2)).toMatchObject({
        state: 'active',
        period: 2,
        timesCharged: 2,
      });
    });
  });

  it('retries a declined renewal on a new key, and recovers when a try goes through', async () => {
    const activities = fakeActivities();
    activities.chargeSubscription.mockImplementation(async (charge) => {
      if (charge.period === 2 && charge.attempt === 1) throw declined('Your card has insufficient funds.');
      return { chargeId: `ch_${charge.period}_${charge.attempt}`, amountCents: charge.amountCents };
    });
    await harness.withWorker(activities, async (ctx) => {
      const { handle } = await subscribed(aPass(), ctx);
      await harness.env.sleep(30 * DAY + 60_000);
      const pastDue = await settled(handle, (answer) => answer.state === 'pastDue');
      expect(pastDue).toMatchObject({
        state: 'pastDue',
        freeDelivery: false,
        failure: 'Your card has insufficient funds.',
        renewal: { nextTry: 2, of: 3 },
      });
      expect(await temporalPasses(harness.client).freeDelivery(pastDue.customerId)).toBe(false);

      await harness.env.sleep(DAY);
      const recovered = await settled(handle, (answer) => answer.timesCharged === 2);
      expect(recovered).toMatchObject({ state: 'active', period: 2, timesCharged: 2, freeDelivery: true });
      expect(recovered.failure).toBeUndefined();
      // The billing date stays put: paid late, period 2 still ends 60 days after the start.
      expect(Date.parse(recovered.paidThrough!) - Date.parse(pastDue.paidThrough!)).toBe(30 * DAY);
      expect(chargesOf(activities)).toEqual(['1.1', '2.1', '2.2']);
      expect(activities.sendPushNotification.mock.calls.map(([n]) => n.kind)).toEqual([
        'passRenewalFailed',
        'passRenewed',
      ]);
    });
  });

  it('ends the pass with a notification when every renewal try is declined', async () => {
    const activities = fakeActivities();
    activities.chargeSubscription.mockImplementation(async (charge) => {
      if (charge.period >= 2) throw declined('Your card has expired.');
      return { chargeId: 'ch_1', amountCents: charge.amountCents };
    });
    await harness.withWorker(activities, async (ctx) => {
      const { handle } = await subscribed(aPass(), ctx);
      const final = await handle.result();
      expect(final).toMatchObject({
        state: 'ended',
        endReason: 'renewalFailed',
        failure: 'Your card has expired.',
        timesCharged: 1,
        freeDelivery: false,
      });
      expect(chargesOf(activities)).toEqual(['1.1', '2.1', '2.2', '2.3']);
      const sent = activities.sendPushNotification.mock.calls.map(([n]) => n);
      expect(sent.map((n) => n.kind)).toEqual(['passRenewalFailed', 'passEnded']);
      expect(sent.every((n) => n.orderId === undefined)).toBe(true);
      expect(new Set(sent.map((n) => n.key)).size).toBe(2);
      expect(sent[1]!.message).toContain('could not renew it');
    });
  });

  it('reuses the key of a renewal whose outcome is unknown, and ends at once when cancelled while past due', async () => {
    const activities = fakeActivities();
    activities.chargeSubscription.mockImplementation(async (charge) => {
      if (charge.period === 2) throw ApplicationFailure.retryable('payment service unavailable');
      return { chargeId: 'ch_1', amountCents: charge.amountCents };
    });
    await harness.withWorker(activities, async (ctx) => {
      const { handle } = await subscribed(aPass(), ctx);
      // The renewal's activity retries for its hour (skipped time), then the try counts as failed.
      await harness.env.sleep(30 * DAY + 2 * 60 * 60 * 1000);
      const pastDue = await settled(handle, (answer) => answer.state === 'pastDue');
      expect(pastDue).toMatchObject({ state: 'pastDue', renewal: { nextTry: 2 } });
      const cancelled = await handle.executeUpdate(cancelPassUpdate, { args: [{}] });
      expect(cancelled).toMatchObject({ state: 'ended', endReason: 'cancelled' });
      await handle.result();
      expect(new Set(chargesOf(activities).filter((charge) => charge.startsWith('2.')))).toEqual(new Set(['2.1']));
      // The unknown charge is refunded by its key: if it went through, the customer gets it back.
      expect(activities.refundSubscriptionCharge).toHaveBeenCalledWith(
        expect.objectContaining({ period: 2, attempt: 1 }),
      );
    });
  });

  it('answers a declined first charge with the reason, and ends without free delivery', async () => {
    const activities = fakeActivities();
    activities.chargeSubscription.mockRejectedValue(declined('Your card has insufficient funds.'));
    await harness.withWorker(activities, async (ctx) => {
      const input = aPass({ paymentMethod: 'tok_chargeDeclinedInsufficientFunds' });
      const { answer, handle } = await subscribed(input, ctx);
      expect(answer).toMatchObject({
        state: 'ended',
        endReason: 'declined',
        failure: 'Your card has insufficient funds.',
        freeDelivery: false,
        timesCharged: 0,
      });
      await handle.result();
      // A retry of the same subscribe gets the same answer; it does not start a second pass.
      expect(await subscribe(harness.client, input, { taskQueue: ctx.taskQueue })).toMatchObject({
        subscriptionId: input.subscriptionId,
        endReason: 'declined',
      });
      expect(activities.chargeSubscription).toHaveBeenCalledTimes(1);
    });
  });

  it('tells a checkout an ended pass gives no free delivery from the server alone, with no worker to replay it', async () => {
    const activities = fakeActivities();
    activities.chargeSubscription.mockRejectedValue(declined('Your card has insufficient funds.'));
    const input = aPass({ paymentMethod: 'tok_chargeDeclinedInsufficientFunds' });
    await harness.withWorker(activities, async (ctx) => {
      const { handle } = await subscribed(input, ctx);
      await handle.result();
    });
    // The pass's task queue has no worker now: a query the server handed on would wait for one. The checkout's port
    // asks only running passes (queryRejectCondition NOT_OPEN), so the server answers it at once.
    const passes = temporalPasses(harness.client);
    expect(await passes.freeDelivery(input.customerId)).toBe(false);
    expect(await passes.freeDelivery(`never-subscribed-${process.pid}-${Date.now()}`)).toBe(false);
  });

  it('gives a second subscribe the running pass instead of charging again, and lets an ended pass start anew', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const input = aPass({ settings: { billingPeriod: '1 day' } });
      const { handle } = await subscribed(input, ctx);
      const again = await subscribe(
        harness.client,
        { ...input, subscriptionId: 'another' },
        { taskQueue: ctx.taskQueue },
      );
      expect(again).toMatchObject({ subscriptionId: input.subscriptionId, timesCharged: 1 });

      await handle.executeUpdate(cancelPassUpdate, { args: [{}] });
      await handle.result();
      const renewed = await subscribe(
        harness.client,
        { ...input, subscriptionId: 'second' },
        { taskQueue: ctx.taskQueue },
      );
      expect(renewed).toMatchObject({ subscriptionId: 'second', state: 'active', timesCharged: 1 });
      expect(activities.chargeSubscription.mock.calls.map(([charge]) => charge.subscriptionId)).toEqual([
        input.subscriptionId,
        'second',
      ]);
    });
  });

  it('continues as new between charges when an operator asks, and charges the next period on time', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const { answer, handle } = await subscribed(aPass(), ctx);
      await handle.executeUpdate(cancelPassUpdate, { args: [{}] });
      await handle.executeUpdate(resumePassUpdate);
      expect(await handle.executeUpdate(continueAsNewUpdate)).toBe(2);
      const carried = await eventually(async () => {
        const pass = await handle.query(getPassQuery);
        return pass.runs === 2 ? pass : undefined;
      });
      expect({ ...carried, runs: 1 }).toEqual({ ...answer, runs: 1 });
      await harness.env.sleep(30 * DAY + DAY);
      expect(await settled(handle, (answer) => answer.timesCharged === 2)).toMatchObject({
        period: 2,
        timesCharged: 2,
        runs: 2,
      });
    });
  });

  it('fails at once, naming every problem, when started from the CLI with a bad input', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const input = aPass({ paymentMethod: ' ', settings: { billingPeriod: 'soon' } });
      ctx.track(subscriptionWorkflowId(input.customerId));
      const handle = await harness.client.workflow.start<SubscriptionWorkflow>('subscription', {
        ...passStartOptions(input, { taskQueue: ctx.taskQueue }),
      });
      expect(await failureOf(handle.result())).toEqual({
        type: 'InvalidPassInput',
        message:
          'Invalid pass input: paymentMethod: is required (a card token); settings.billingPeriod: expected a duration between 1 ms and 30 days',
      });
      expect(await passOf(harness.client, input.customerId)).toBeUndefined();
      expect(activities.chargeSubscription).not.toHaveBeenCalled();
    });
  });
});
