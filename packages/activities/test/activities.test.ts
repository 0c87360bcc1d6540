import type { Info } from '@temporalio/activity';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createActivities,
  IDEMPOTENCY_CONFLICT,
  PAYMENT_DECLINED,
  ServiceUnavailableError,
  SimulatedNotifications,
  SimulatedPayments,
  TEST_CARDS,
  type ChargeCustomerInput,
  type ChargeRequest,
  type LoyaltyClient,
  type OrderActivities,
  type PushNotificationRequest,
  type RefundOrderInput,
  type RefundRequest,
  type SendPushNotificationInput,
} from '../src';

const WORKFLOW_ID = 'order-abc';

/** Keeps the SDK's "Activity failed" warnings out of the test output: failures are asserted, not logged. */
const silentLogger: Logger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Runs activities with their argument and result types intact (MockActivityEnvironment.run infers `unknown`). */
interface ActivityRunner {
  run<P extends unknown[], R>(activity: (...args: P) => Promise<R>, ...args: P): Promise<R>;
}

/** An activity context as the worker would give it to an activity scheduled by workflow `order-abc`. */
function activityEnvironment(overrides: Partial<Info> = {}): ActivityRunner {
  const env = new MockActivityEnvironment(
    { workflowExecution: { workflowId: WORKFLOW_ID, runId: 'r1' }, attempt: 1, ...overrides },
    { logger: silentLogger },
  );
  return {
    run: <P extends unknown[], R>(activity: (...args: P) => Promise<R>, ...args: P) =>
      env.run<P, R, typeof activity>(activity, ...args),
  };
}

const attempt = (n: number): ActivityRunner => activityEnvironment({ attempt: n });

/** The real simulators behind typed jest.fn clients, so a test can read the exact requests the activities sent. */
function recordingDependencies() {
  const payments = new SimulatedPayments();
  const delivered: PushNotificationRequest[] = [];
  const notifications = new SimulatedNotifications({ onDeliver: (notification) => delivered.push(notification) });
  const charge = jest.fn((request: ChargeRequest) => payments.charge(request));
  const refund = jest.fn((request: RefundRequest) => payments.refund(request));
  const send = jest.fn((request: PushNotificationRequest) => notifications.send(request));
  // The customer's loyalty and pass workflows, as the worker reaches them: here, what a test tells them to answer.
  const loyalty = {
    earn: jest.fn<ReturnType<LoyaltyClient['earn']>, Parameters<LoyaltyClient['earn']>>(async (request) => ({
      pointsEarned: Math.floor(request.amountCents / 100),
      points: 100,
      level: 'bronze',
      duplicate: false,
    })),
    redeem: jest.fn<ReturnType<LoyaltyClient['redeem']>, Parameters<LoyaltyClient['redeem']>>(async (request) => ({
      rewardId: request.rewardId,
      level: 'bronze',
      discountCents: 300,
    })),
    giveBack: jest.fn<ReturnType<LoyaltyClient['giveBack']>, Parameters<LoyaltyClient['giveBack']>>(async () => ({
      returned: true,
    })),
  };
  const passes = { freeDelivery: jest.fn(async (_customerId: string) => false) };
  const activities = createActivities({ payments: { charge, refund }, notifications: { send }, loyalty, passes });
  return { activities, payments, notifications, delivered, charge, refund, send, loyalty, passes };
}

function chargeInput(overrides: Partial<ChargeCustomerInput> = {}): ChargeCustomerInput {
  return {
    orderId: 'abc',
    customerId: 'cust-1',
    amountCents: 2_450,
    paymentMethod: TEST_CARDS.visa,
    description: 'Order abc',
    ...overrides,
  };
}

const refundInput: RefundOrderInput = { orderId: 'abc', amountCents: 2_450, reason: 'restaurant rejected the order' };

const notificationInput: SendPushNotificationInput = {
  customerId: 'cust-1',
  orderId: 'abc',
  kind: 'order-confirmed',
  message: 'Your order is confirmed.',
};

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the activity to fail, but it completed');
}

/** Lets pending callbacks run until `ready` holds (a bounded number of turns of the event loop). */
async function waitFor(ready: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !ready(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(ready()).toBe(true);
}

function asApplicationFailure(error: unknown): ApplicationFailure {
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('chargeCustomer', () => {
  it('charges with a key derived from the workflow id, the same on every attempt', async () => {
    const { activities, charge } = recordingDependencies();

    await attempt(1).run(activities.chargeCustomer, chargeInput());
    await attempt(3).run(activities.chargeCustomer, chargeInput());

    expect(charge).toHaveBeenCalledTimes(2);
    expect(charge.mock.calls.map(([request]) => request.idempotencyKey)).toEqual([
      `${WORKFLOW_ID}:charge`,
      `${WORKFLOW_ID}:charge`,
    ]);
    expect(charge).toHaveBeenNthCalledWith(1, {
      idempotencyKey: 'order-abc:charge',
      orderId: 'abc',
      customerId: 'cust-1',
      amountCents: 2_450,
      currency: 'USD',
      paymentMethod: TEST_CARDS.visa,
      description: 'Order abc',
    });
  });

  it('returns the first charge on a retry instead of charging the card twice', async () => {
    const { activities, payments } = recordingDependencies();

    const first = await attempt(1).run(activities.chargeCustomer, chargeInput());
    const retried = await attempt(2).run(activities.chargeCustomer, chargeInput());

    expect(retried).toEqual(first);
    expect(payments.ledger()).toEqual([
      { type: 'charge', idempotencyKey: 'order-abc:charge', orderId: 'abc', amountCents: 2_450 },
    ]);
  });

  it('charges each workflow under its own key', async () => {
    const { activities, payments } = recordingDependencies();

    const ours = await attempt(1).run(activities.chargeCustomer, chargeInput());
    const theirs = await activityEnvironment({ workflowExecution: { workflowId: 'order-xyz', runId: 'r9' } }).run(
      activities.chargeCustomer,
      chargeInput({ orderId: 'xyz' }),
    );

    expect(theirs.chargeId).not.toBe(ours.chargeId);
    expect(payments.ledger().map((entry) => entry.idempotencyKey)).toEqual(['order-abc:charge', 'order-xyz:charge']);
  });

  it('lets a flaky card fail retryably until it goes through, then has charged it once', async () => {
    const { activities, payments } = recordingDependencies();
    const input = chargeInput({ paymentMethod: TEST_CARDS.flaky });

    const firstFailure = await rejectionOf(attempt(1).run(activities.chargeCustomer, input));
    const secondFailure = await rejectionOf(attempt(2).run(activities.chargeCustomer, input));
    const charge = await attempt(3).run(activities.chargeCustomer, input);

    expect(firstFailure).toBeInstanceOf(ServiceUnavailableError);
    expect(secondFailure).toBeInstanceOf(ServiceUnavailableError);
    expect(charge.amountCents).toBe(2_450);
    expect(payments.ledger().filter((entry) => entry.type === 'charge')).toHaveLength(1);
  });

  it('turns a declined card into a non-retryable PaymentDeclined failure carrying the decline code', async () => {
    const { activities } = recordingDependencies();

    const failure = asApplicationFailure(
      await rejectionOf(
        attempt(1).run(activities.chargeCustomer, chargeInput({ paymentMethod: TEST_CARDS.insufficientFunds })),
      ),
    );

    expect(failure.type).toBe(PAYMENT_DECLINED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('Your card has insufficient funds.');
    expect(failure.details).toEqual([{ declineCode: 'insufficient_funds' }]);
  });

  it('answers a retried declined charge with the same non-retryable decline', async () => {
    const { activities, payments } = recordingDependencies();
    const input = chargeInput({ paymentMethod: TEST_CARDS.expiredCard });

    const first = asApplicationFailure(await rejectionOf(attempt(1).run(activities.chargeCustomer, input)));
    const retried = asApplicationFailure(await rejectionOf(attempt(2).run(activities.chargeCustomer, input)));

    for (const failure of [first, retried]) {
      expect(failure.type).toBe(PAYMENT_DECLINED);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.details).toEqual([{ declineCode: 'expired_card' }]);
    }
    expect(payments.ledger()).toEqual([
      { type: 'decline', idempotencyKey: 'order-abc:charge', orderId: 'abc', amountCents: 2_450 },
    ]);
  });

  it('turns an invalid amount into a non-retryable PaymentDeclined failure', async () => {
    const { activities } = recordingDependencies();

    const failure = asApplicationFailure(
      await rejectionOf(attempt(1).run(activities.chargeCustomer, chargeInput({ amountCents: 0 }))),
    );

    expect(failure.type).toBe(PAYMENT_DECLINED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ declineCode: 'invalid_amount' }]);
  });

  it('lets an outage surface as a retryable error, and charges once the service is back', async () => {
    const { activities, payments } = recordingDependencies();
    payments.faults.update({ outage: true });

    const failure = await rejectionOf(attempt(1).run(activities.chargeCustomer, chargeInput()));

    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect((failure as Error).message).toBe('payments is unavailable (simulated outage)');
    expect(payments.ledger()).toEqual([]);

    payments.faults.update({ outage: false });
    const charge = await attempt(2).run(activities.chargeCustomer, chargeInput());

    expect(charge.amountCents).toBe(2_450);
    expect(payments.ledger()).toHaveLength(1);
  });

  it('turns an idempotency conflict into a non-retryable IdempotencyConflict failure', async () => {
    const { activities, payments } = recordingDependencies();
    await attempt(1).run(activities.chargeCustomer, chargeInput({ amountCents: 1_000 }));

    const failure = asApplicationFailure(
      await rejectionOf(attempt(2).run(activities.chargeCustomer, chargeInput({ amountCents: 2_000 }))),
    );

    expect(failure.type).toBe(IDEMPOTENCY_CONFLICT);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'Idempotency key "order-abc:charge" was already used for a different charge request; use a new key for a new request.',
    );
    expect(payments.ledger()).toEqual([
      { type: 'charge', idempotencyKey: 'order-abc:charge', orderId: 'abc', amountCents: 1_000 },
    ]);
  });
});

describe('refundOrder', () => {
  it('refunds with a key derived from the workflow id and names the charge by its key', async () => {
    const { activities, refund } = recordingDependencies();
    await attempt(1).run(activities.chargeCustomer, chargeInput());

    await attempt(1).run(activities.refundOrder, refundInput);
    await attempt(2).run(activities.refundOrder, refundInput);

    expect(refund).toHaveBeenCalledTimes(2);
    for (const [request] of refund.mock.calls) {
      expect(request).toEqual({
        idempotencyKey: 'order-abc:refund',
        chargeIdempotencyKey: 'order-abc:charge',
        amountCents: 2_450,
        reason: 'restaurant rejected the order',
      });
    }
  });

  it('refunds the charge made by the same workflow once, however often the refund is retried', async () => {
    const { activities, payments } = recordingDependencies();
    await attempt(1).run(activities.chargeCustomer, chargeInput());

    const first = await attempt(1).run(activities.refundOrder, refundInput);
    const retried = await attempt(2).run(activities.refundOrder, refundInput);

    expect(first).toEqual({ refundId: expect.any(String), refundedCents: 2_450 });
    expect(retried).toEqual(first);
    expect(payments.ledger().filter((entry) => entry.type === 'refund')).toEqual([
      { type: 'refund', idempotencyKey: 'order-abc:refund', amountCents: 2_450 },
    ]);
  });

  it('returns refundedCents 0 when nothing was charged', async () => {
    const { activities, payments } = recordingDependencies();

    const refund = await attempt(1).run(activities.refundOrder, refundInput);

    expect(refund).toEqual({ refundedCents: 0 });
    expect(refund.refundId).toBeUndefined();
    expect(payments.ledger()).toEqual([]);
  });

  it('returns refundedCents 0 when the charge was declined', async () => {
    const { activities } = recordingDependencies();
    await rejectionOf(
      attempt(1).run(activities.chargeCustomer, chargeInput({ paymentMethod: TEST_CARDS.insufficientFunds })),
    );

    await expect(attempt(1).run(activities.refundOrder, refundInput)).resolves.toEqual({ refundedCents: 0 });
  });

  it('refuses non-retryably to refund more than was charged', async () => {
    const { activities } = recordingDependencies();
    await attempt(1).run(activities.chargeCustomer, chargeInput({ amountCents: 1_000 }));

    const failure = asApplicationFailure(
      await rejectionOf(attempt(1).run(activities.refundOrder, { ...refundInput, amountCents: 1_001 })),
    );

    expect(failure.type).toBe(PAYMENT_DECLINED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ declineCode: 'refund_exceeds_charge' }]);
  });

  it('lets a payments outage during a refund surface as a retryable error', async () => {
    const { activities, payments } = recordingDependencies();
    await attempt(1).run(activities.chargeCustomer, chargeInput());
    payments.faults.update({ outage: true });

    const failure = await rejectionOf(attempt(1).run(activities.refundOrder, refundInput));

    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    payments.faults.update({ outage: false });
    await expect(attempt(2).run(activities.refundOrder, refundInput)).resolves.toMatchObject({ refundedCents: 2_450 });
  });
});

describe('sendPushNotification', () => {
  it('notifies with a key made of the workflow id and the kind of notification', async () => {
    const { activities, send } = recordingDependencies();

    await attempt(1).run(activities.sendPushNotification, notificationInput);

    expect(send).toHaveBeenCalledWith({
      idempotencyKey: 'order-abc:notify:order-confirmed',
      customerId: 'cust-1',
      orderId: 'abc',
      kind: 'order-confirmed',
      message: 'Your order is confirmed.',
    });
  });

  it('delivers a notification sent twice only once', async () => {
    const { activities, notifications, delivered, send } = recordingDependencies();

    await attempt(1).run(activities.sendPushNotification, notificationInput);
    await attempt(2).run(activities.sendPushNotification, notificationInput);

    expect(send).toHaveBeenCalledTimes(2);
    expect(delivered).toHaveLength(1);
    expect(notifications.inbox('cust-1')).toEqual([
      expect.objectContaining({
        idempotencyKey: 'order-abc:notify:order-confirmed',
        message: 'Your order is confirmed.',
      }),
    ]);
  });

  it('delivers one notification of each kind', async () => {
    const { activities, notifications } = recordingDependencies();

    await attempt(1).run(activities.sendPushNotification, notificationInput);
    await attempt(1).run(activities.sendPushNotification, {
      ...notificationInput,
      kind: 'order-delivered',
      message: 'Enjoy your meal.',
    });

    expect(notifications.inbox('cust-1').map((notification) => notification.idempotencyKey)).toEqual([
      'order-abc:notify:order-confirmed',
      'order-abc:notify:order-delivered',
    ]);
  });

  it('keeps the workflow-derived key even when the input carries an idempotencyKey of its own', async () => {
    const { activities, send, delivered } = recordingDependencies();
    // Activity input is whatever the workflow serialised: extra fields survive the trip.
    const withStrayKey = { ...notificationInput, idempotencyKey: 'stray' } as SendPushNotificationInput;

    await attempt(1).run(activities.sendPushNotification, withStrayKey);
    await attempt(2).run(activities.sendPushNotification, notificationInput);

    expect(send.mock.calls.map(([request]) => request.idempotencyKey)).toEqual([
      'order-abc:notify:order-confirmed',
      'order-abc:notify:order-confirmed',
    ]);
    expect(delivered).toHaveLength(1);
  });

  it('lets a notifications outage surface as a retryable error and delivers on the retry', async () => {
    const { activities, notifications, delivered } = recordingDependencies();
    notifications.faults.update({ outage: true });

    const failure = await rejectionOf(attempt(1).run(activities.sendPushNotification, notificationInput));

    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(delivered).toHaveLength(0);
    notifications.faults.update({ outage: false });
    await attempt(2).run(activities.sendPushNotification, notificationInput);
    expect(delivered).toHaveLength(1);
  });
});

describe('outside a workflow', () => {
  const outsideWorkflow = (): ActivityRunner =>
    activityEnvironment({ workflowExecution: undefined, inWorkflow: false, activityRunId: 'standalone-1' });

  const runs: [string, (env: ActivityRunner, activities: OrderActivities) => Promise<unknown>][] = [
    ['chargeCustomer', (env, activities) => env.run(activities.chargeCustomer, chargeInput())],
    ['refundOrder', (env, activities) => env.run(activities.refundOrder, refundInput)],
    ['sendPushNotification', (env, activities) => env.run(activities.sendPushNotification, notificationInput)],
  ];

  it.each(runs)('%s fails non-retryably with a clear message and calls no service', async (_name, run) => {
    const { activities, charge, refund, send } = recordingDependencies();

    const failure = asApplicationFailure(await rejectionOf(run(outsideWorkflow(), activities)));

    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('This activity must be scheduled by a workflow');
    expect(charge).not.toHaveBeenCalled();
    expect(refund).not.toHaveBeenCalled();
    expect(send).not.toHaveBeenCalled();
  });
});

describe('applyCheckoutPerks', () => {
  const perksInput = { orderId: 'abc', customerId: 'cust-1', subtotalCents: 2_400, deliveryFeeCents: 299 };

  it('charges everything for a customer with no pass who picked no reward, and redeems nothing', async () => {
    const { activities, loyalty, passes } = recordingDependencies();
    expect(await attempt(1).run(activities.applyCheckoutPerks, perksInput)).toEqual({
      deliveryFeeWaivedCents: 0,
      discountCents: 0,
    });
    expect(passes.freeDelivery).toHaveBeenCalledWith('cust-1');
    expect(loyalty.redeem).not.toHaveBeenCalled();
  });

  it("waives the delivery fee when the customer's pass says so, and redeems the chosen reward for this order", async () => {
    const { activities, loyalty, passes } = recordingDependencies();
    passes.freeDelivery.mockResolvedValue(true);
    expect(await attempt(1).run(activities.applyCheckoutPerks, { ...perksInput, rewardId: 'bronze-1' })).toEqual({
      deliveryFeeWaivedCents: 299,
      discountCents: 300,
      reward: { rewardId: 'bronze-1', level: 'bronze' },
    });
    expect(loyalty.redeem).toHaveBeenCalledWith({
      customerId: 'cust-1',
      orderId: 'abc',
      rewardId: 'bronze-1',
      subtotalCents: 2_400,
    });
  });

  it('asks the pass and redeems the reward at once, not one after the other', async () => {
    const { activities, loyalty, passes } = recordingDependencies();
    let answerPass!: (free: boolean) => void;
    passes.freeDelivery.mockReturnValue(new Promise<boolean>((resolve) => (answerPass = resolve)));
    const applied = attempt(1).run(activities.applyCheckoutPerks, { ...perksInput, rewardId: 'bronze-1' });
    // The pass has not answered yet, and the redeem is already on its way.
    await waitFor(() => loyalty.redeem.mock.calls.length === 1);
    answerPass(true);
    expect(await applied).toMatchObject({ deliveryFeeWaivedCents: 299, discountCents: 300 });
  });

  it('fails on a pass that could not be checked only once the redeem has answered, retryably', async () => {
    // The order gives the reward back when this activity fails for good: a redeem still in flight then could land
    // after the give-back and keep the reward from the customer.
    const { activities, loyalty, passes } = recordingDependencies();
    passes.freeDelivery.mockRejectedValue(new Error('pass workflow unreachable'));
    let answerRedeem!: () => void;
    loyalty.redeem.mockReturnValue(
      new Promise(
        (resolve) => (answerRedeem = () => resolve({ rewardId: 'bronze-1', level: 'bronze', discountCents: 300 })),
      ),
    );
    let settled = false;
    const applied = attempt(1)
      .run(activities.applyCheckoutPerks, { ...perksInput, rewardId: 'bronze-1' })
      .finally(() => (settled = true));
    await waitFor(() => loyalty.redeem.mock.calls.length === 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    answerRedeem();
    const error = await rejectionOf(applied);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toBe('pass workflow unreachable');
  });

  it("passes the loyalty workflow's refusal on as it is: non-retryable, with the reason", async () => {
    const { activities, loyalty } = recordingDependencies();
    loyalty.redeem.mockRejectedValue(
      ApplicationFailure.create({ type: 'RewardUnavailable', message: 'Already used.', nonRetryable: true }),
    );
    const failure = asApplicationFailure(
      await rejectionOf(attempt(1).run(activities.applyCheckoutPerks, { ...perksInput, rewardId: 'bronze-1' })),
    );
    expect(failure).toMatchObject({ type: 'RewardUnavailable', message: 'Already used.', nonRetryable: true });
  });
});

describe('loyalty points and rewards', () => {
  it('credits what the order paid and gives a reward back, keyed by the order', async () => {
    const { activities, loyalty } = recordingDependencies();
    const earned = await attempt(1).run(activities.earnPoints, {
      orderId: 'abc',
      customerId: 'cust-1',
      amountCents: 2_450,
      deliveredAt: '2026-01-01T12:00:00.000Z',
    });
    expect(earned).toEqual({ pointsEarned: 24, points: 100, level: 'bronze' });
    expect(loyalty.earn).toHaveBeenCalledWith(expect.objectContaining({ orderId: 'abc', amountCents: 2_450 }));
    expect(
      await attempt(1).run(activities.returnReward, { orderId: 'abc', customerId: 'cust-1', rewardId: 'bronze-1' }),
    ).toEqual({ returned: true });
  });
});

describe('delivery pass charges', () => {
  const PASS_WORKFLOW = 'subscription-cust-1';
  const inPass = (n: number): ActivityRunner =>
    activityEnvironment({ workflowExecution: { workflowId: PASS_WORKFLOW, runId: 'r1' }, attempt: n });
  const passCharge = { customerId: 'cust-1', subscriptionId: 's-1', period: 3, attempt: 1, amountCents: 999 };

  it('charges each period and try under its own key, the same on every retry of the activity', async () => {
    const { activities, charge, payments } = recordingDependencies();
    await inPass(1).run(activities.chargeSubscription, { ...passCharge, paymentMethod: TEST_CARDS.visa });
    await inPass(2).run(activities.chargeSubscription, { ...passCharge, paymentMethod: TEST_CARDS.visa });
    await inPass(1).run(activities.chargeSubscription, { ...passCharge, attempt: 2, paymentMethod: TEST_CARDS.visa });
    expect(charge.mock.calls.map(([request]) => request.idempotencyKey)).toEqual([
      'subscription-cust-1:s-1:period-3:attempt-1',
      'subscription-cust-1:s-1:period-3:attempt-1',
      'subscription-cust-1:s-1:period-3:attempt-2',
    ]);
    expect(charge.mock.calls[0]![0]).toMatchObject({ orderId: 'pass-s-1-3', amountCents: 999 });
    expect(payments.ledger().filter((entry) => entry.type === 'charge')).toHaveLength(2);
  });

  it('declines non-retryably, and refunds by the key of the charge it refunds', async () => {
    const { activities, refund } = recordingDependencies();
    const failure = asApplicationFailure(
      await rejectionOf(
        inPass(1).run(activities.chargeSubscription, { ...passCharge, paymentMethod: TEST_CARDS.expiredCard }),
      ),
    );
    expect(failure).toMatchObject({ type: PAYMENT_DECLINED, nonRetryable: true });
    await inPass(1).run(activities.refundSubscriptionCharge, { ...passCharge, reason: 'outcome unknown' });
    expect(refund).toHaveBeenCalledWith(
      expect.objectContaining({
        idempotencyKey: 'subscription-cust-1:s-1:period-3:attempt-1:refund',
        chargeIdempotencyKey: 'subscription-cust-1:s-1:period-3:attempt-1',
      }),
    );
  });
});

describe('notifications without an order', () => {
  it('keys a notification by its own key when it has one, and sends no order id when there is none', async () => {
    const { activities, send } = recordingDependencies();
    await inWorkflow('subscription-cust-1').run(activities.sendPushNotification, {
      customerId: 'cust-1',
      kind: 'passEnded',
      key: 'pass:s-1:ended',
      message: 'Your delivery pass has ended.',
    });
    expect(send).toHaveBeenCalledWith({
      idempotencyKey: 'subscription-cust-1:notify:pass:s-1:ended',
      customerId: 'cust-1',
      kind: 'passEnded',
      message: 'Your delivery pass has ended.',
    });
  });
});

function inWorkflow(workflowId: string): ActivityRunner {
  return activityEnvironment({ workflowExecution: { workflowId, runId: 'r1' } });
}
