import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  LOYALTY_MAX_HISTORY_EVENTS,
  LOYALTY_PROGRAM,
  LoyaltyLevelAttribute,
  LoyaltyPointsAttribute,
  ORDER_MEMORY_MS,
  continueAsNewUpdate,
  earnPoints,
  getLoyaltyQuery,
  loyaltySummary,
  loyaltyWorkflowId,
  redeemReward,
  returnReward,
  type EarnPointsResult,
  type LoyaltyWorkflow,
} from '../src';
import { eventually } from '@durable-delivery/temporal-server';
import { OrderTestHarness, fakeActivities } from './harness';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

let nextCustomer = 0;
function aCustomer(): string {
  return `customer-${process.pid}-${Date.now()}-${++nextCustomer}`;
}

/** The test server's clock (ahead of the wall clock once a test has skipped time). */
let serverNow = Date.now();

/** An order delivered now, in the test server's time, for `amountCents`. */
function delivered(orderId: string, amountCents: number) {
  return { orderId, amountCents, deliveredAt: new Date(serverNow).toISOString() };
}

async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return { type: error.type ?? undefined, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/** Runs `body` with a worker on a fresh task queue; the customer's loyalty workflow is terminated afterwards. */
function withLoyalty<T>(
  body: (ctx: {
    client: Client;
    customerId: string;
    taskQueue: string;
    push: ReturnType<typeof fakeActivities>['sendPushNotification'];
  }) => Promise<T>,
): Promise<T> {
  const { sendPushNotification } = fakeActivities();
  return harness.withWorker({ sendPushNotification }, async ({ taskQueue, track }) => {
    serverNow = await harness.env.currentTimeMs();
    const customerId = aCustomer();
    track(loyaltyWorkflowId(customerId));
    return body({ client: harness.client, customerId, taskQueue, push: sendPushNotification });
  });
}

describe('the loyalty program', () => {
  it('starts on the first delivered order, counts its points, and answers a repeat of it without counting twice', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      const first = await earnPoints(client, customerId, delivered('o-1', 2_450), { taskQueue });
      expect(first).toMatchObject({ pointsEarned: 24, points: 24, level: 'member', duplicate: false });

      const again = await earnPoints(client, customerId, delivered('o-1', 2_450), { taskQueue });
      expect(again).toMatchObject({ pointsEarned: 24, points: 24, duplicate: true, rewardsGranted: [] });

      const summary = await loyaltySummary(client, customerId);
      expect(summary).toMatchObject({ member: true, points: 24, ordersCounted: 1, level: 'member', runs: 1 });
      expect(summary.nextLevel).toEqual({ level: 'bronze', points: 50, pointsToGo: 26 });
      expect(summary.history).toEqual([expect.objectContaining({ orderId: 'o-1', points: 24, balance: 24 })]);
    });
  });

  it('starts exactly one workflow when orders are delivered at once, and counts every one of them', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          earnPoints(client, customerId, delivered(`together-${index}`, 1_000), { taskQueue }),
        ),
      );
      expect(results.every((result) => !result.duplicate)).toBe(true);
      const summary = await loyaltySummary(client, customerId);
      expect(summary).toMatchObject({ points: 120, ordersCounted: 12, runs: 1 });
      const history = await client.workflow.getHandle(loyaltyWorkflowId(customerId)).fetchHistory();
      const starts = history.events?.filter((event) => event.workflowExecutionStartedEventAttributes) ?? [];
      expect(starts).toHaveLength(1);
    });
  });

  it('reaches a level, notifies the customer once and grants a reward the next checkout can redeem exactly once', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue, push }) => {
      await earnPoints(client, customerId, delivered('o-1', 3_000), { taskQueue });
      const reached = await earnPoints(client, customerId, delivered('o-2', 2_500), { taskQueue });
      expect(reached).toMatchObject({ points: 55, level: 'bronze' });
      expect(reached.rewardsGranted).toEqual([
        expect.objectContaining({ rewardId: 'bronze-1', amountCents: 300, state: 'available', grantedFor: 'o-2' }),
      ]);

      const handle = client.workflow.getHandle<LoyaltyWorkflow>(loyaltyWorkflowId(customerId));
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(LoyaltyLevelAttribute)).toBe('bronze');
      expect(attributes.get(LoyaltyPointsAttribute)).toBe(55);

      const redemption = await redeemReward(client, customerId, {
        orderId: 'o-3',
        rewardId: 'bronze-1',
        subtotalCents: 2_000,
      });
      expect(redemption).toEqual({ orderId: 'o-3', rewardId: 'bronze-1', level: 'bronze', discountCents: 300 });
      // A retried redeem of the same order gets the same answer; another order is told why not.
      expect(
        await redeemReward(client, customerId, { orderId: 'o-3', rewardId: 'bronze-1', subtotalCents: 2_000 }),
      ).toEqual(redemption);
      expect(
        await refusal(redeemReward(client, customerId, { orderId: 'o-4', rewardId: 'bronze-1', subtotalCents: 2_000 })),
      ).toEqual({ type: 'RewardUnavailable', message: 'Your Bronze reward was already used on order o-3.' });

      await eventuallyCalled(push, 1);
      expect(push.mock.calls.map(([notification]) => notification)).toEqual([
        expect.objectContaining({ customerId, orderId: 'o-2', kind: 'levelReached', key: 'reward:bronze-1' }),
      ]);
      expect(push.mock.calls[0]![0].message).toContain('You reached Bronze with 55 points');
    });
  });

  it('lets exactly one of two checkouts racing for one reward have it, and tells the other why', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      await earnPoints(client, customerId, delivered('o-1', 6_000), { taskQueue });
      const race = await Promise.allSettled(
        ['a', 'b'].map((order) =>
          redeemReward(client, customerId, { orderId: `race-${order}`, rewardId: 'bronze-1', subtotalCents: 2_500 }),
        ),
      );
      const won = race.filter((result) => result.status === 'fulfilled');
      const lost = race.filter((result) => result.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toMatchObject({
        type: 'RewardUnavailable',
        message: expect.stringMatching(/^Your Bronze reward was already used on order race-[ab]\.$/),
      });
      const summary = await loyaltySummary(client, customerId);
      expect(summary.rewards).toEqual([expect.objectContaining({ rewardId: 'bronze-1', state: 'redeemed' })]);
    });
  });

  it('gives a reward back when its order fails, once, and never lets that order take it again', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      await earnPoints(client, customerId, delivered('o-1', 6_000), { taskQueue });
      await redeemReward(client, customerId, { orderId: 'declined', rewardId: 'bronze-1', subtotalCents: 2_500 });

      expect(await returnReward(client, customerId, { orderId: 'declined', rewardId: 'bronze-1' })).toEqual({
        rewardId: 'bronze-1',
        returned: true,
      });
      expect(await returnReward(client, customerId, { orderId: 'declined', rewardId: 'bronze-1' })).toEqual({
        rewardId: 'bronze-1',
        returned: false,
      });
      // A redeem from the failed order arriving late (a timed-out attempt still in flight) cannot take it again.
      expect(
        await refusal(
          redeemReward(client, customerId, { orderId: 'declined', rewardId: 'bronze-1', subtotalCents: 2_500 }),
        ),
      ).toMatchObject({ type: 'RewardUnavailable', message: expect.stringContaining('already ended') });

      const next = await redeemReward(client, customerId, {
        orderId: 'next',
        rewardId: 'bronze-1',
        subtotalCents: 2_500,
      });
      expect(next.discountCents).toBe(300);
      // Giving back for an order that does not hold the reward changes nothing.
      expect(await returnReward(client, customerId, { orderId: 'declined', rewardId: 'bronze-1' })).toMatchObject({
        returned: false,
      });
      expect((await loyaltySummary(client, customerId)).rewards[0]).toMatchObject({
        state: 'redeemed',
        redeemedBy: 'next',
      });
    });
  });

  it('refuses a reward below its minimum subtotal, an unknown reward and bad arguments, with reasons', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      await earnPoints(client, customerId, delivered('o-1', 6_000), { taskQueue });
      expect(
        await refusal(redeemReward(client, customerId, { orderId: 'small', rewardId: 'bronze-1', subtotalCents: 700 })),
      ).toEqual({
        type: 'RewardUnavailable',
        message: "Your Bronze reward needs a subtotal of at least $15.00; this order's is $7.00.",
      });
      expect(
        await refusal(redeemReward(client, customerId, { orderId: 'o-2', rewardId: 'gold-1', subtotalCents: 5_000 })),
      ).toEqual({ type: 'RewardUnavailable', message: 'You have no reward "gold-1".' });
      const bad = (args: { orderId: string; amountCents: number; deliveredAt: string }) =>
        refusal(earnPoints(client, customerId, args, { taskQueue }));
      expect(await bad({ ...delivered('o 3', 100), deliveredAt: 'soon' })).toEqual({
        type: 'InvalidArgument',
        message: 'Invalid argument: deliveredAt must be an ISO-8601 time',
      });
      expect(await bad(delivered('o 3', 100))).toMatchObject({ message: expect.stringContaining('orderId must be') });
      expect(await bad(delivered('o-3', -1))).toMatchObject({
        message: expect.stringContaining('amountCents must be'),
      });
    });
  });

  it('refuses a reward to a customer who has never had an order delivered', async () => {
    const { client } = harness;
    expect(
      await refusal(redeemReward(client, aCustomer(), { orderId: 'o-1', rewardId: 'bronze-1', subtotalCents: 2_000 })),
    ).toMatchObject({ type: 'RewardUnavailable', message: expect.stringContaining('no rewards yet') });
    expect(await loyaltySummary(client, aCustomer())).toMatchObject({ member: false, points: 0, level: 'member' });
  });

  it('refuses points for an order delivered before its memory of orders, so a very late retry never counts twice', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      await earnPoints(client, customerId, delivered('o-1', 1_000), { taskQueue });
      const deliveredAt = new Date(serverNow - ORDER_MEMORY_MS - 60_000).toISOString();
      expect(
        await refusal(
          earnPoints(client, customerId, { orderId: 'stale', amountCents: 1_000, deliveredAt }, { taskQueue }),
        ),
      ).toMatchObject({ type: 'OrderTooOldForPoints', message: expect.stringContaining('within 7 days of delivery') });
      expect((await loyaltySummary(client, customerId)).points).toBe(10);
    });
  });

  it('continues as new when an operator asks, carrying every point, reward and counted order', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      await earnPoints(client, customerId, delivered('o-1', 6_000), { taskQueue });
      await redeemReward(client, customerId, { orderId: 'o-2', rewardId: 'bronze-1', subtotalCents: 2_000 });
      const handle = client.workflow.getHandle<LoyaltyWorkflow>(loyaltyWorkflowId(customerId));
      const before = await handle.query(getLoyaltyQuery);
      expect(await handle.executeUpdate(continueAsNewUpdate)).toBe(2);

      const after = await eventually(async () => {
        const summary = await handle.query(getLoyaltyQuery);
        return summary.runs === 2 ? summary : undefined;
      });
      expect({ ...after, runs: 1 }).toEqual(before);
      // The first run's id is remembered by the second: a retried order is still a repeat.
      expect(await earnPoints(client, customerId, delivered('o-1', 6_000), { taskQueue })).toMatchObject({
        duplicate: true,
        points: 60,
      });
      expect((await handle.describe()).typedSearchAttributes.get(LoyaltyLevelAttribute)).toBe('bronze');
    });
  });

  it('never gives out a reward id twice, even after old redeemed rewards are dropped from its state', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      // 7,000 points: Bronze, Silver, Gold, and 26 more Gold rewards (one per 250 points past 400).
      const big = await earnPoints(client, customerId, delivered('o-1', 700_000), { taskQueue });
      expect(big.rewardsGranted.map((reward) => reward.rewardId)).toEqual([
        'bronze-1',
        'silver-1',
        ...Array.from({ length: 27 }, (_, index) => `gold-${index + 1}`),
      ]);
      for (let index = 1; index <= 25; index++) {
        await redeemReward(client, customerId, {
          orderId: `r-${index}`,
          rewardId: `gold-${index}`,
          subtotalCents: 5_000,
        });
      }
      const handle = client.workflow.getHandle<LoyaltyWorkflow>(loyaltyWorkflowId(customerId));
      await handle.executeUpdate(continueAsNewUpdate);
      await eventually(async () => ((await handle.query(getLoyaltyQuery)).runs === 2 ? true : undefined));

      const next = await earnPoints(client, customerId, delivered('o-2', 25_000), { taskQueue });
      expect(next.rewardsGranted.map((reward) => reward.rewardId)).toEqual(['gold-28']);
      const summary = await loyaltySummary(client, customerId);
      expect(summary.rewards.filter((reward) => reward.state === 'redeemed')).toHaveLength(20);
      expect(new Set(summary.rewards.map((reward) => reward.rewardId)).size).toBe(summary.rewards.length);
    });
  });

  it('refuses to start again from zero a loyalty workflow an operator terminated', async () => {
    await withLoyalty(async ({ client, customerId, taskQueue }) => {
      await earnPoints(client, customerId, delivered('o-1', 1_000), { taskQueue });
      await client.workflow.getHandle(loyaltyWorkflowId(customerId)).terminate('operator test');
      await expect(earnPoints(client, customerId, delivered('o-2', 1_000), { taskQueue })).rejects.toBeInstanceOf(
        WorkflowExecutionAlreadyStartedError,
      );
    });
  });
});

describe('the loyalty program over thousands of orders', () => {
  it(
    'counts every order exactly once across several continue-as-new runs, retries included',
    async () => {
      await withLoyalty(async ({ client, customerId, taskQueue, push }) => {
        const ORDERS = 2_000;
        const amountOf = (index: number) => 1_000 + (index % 7) * 150;
        const orderId = (index: number) => `bulk-${index}`;
        const first = new Map<string, EarnPointsResult>();
        let duplicates = 0;
        // Five at a time, as deliveries arrive (a server takes at most ten in-flight updates per workflow); every
        // tenth order is sent twice, as a retried activity would.
        let next = 0;
        await Promise.all(
          Array.from({ length: 5 }, async () => {
            while (next < ORDERS) {
              const index = next++;
              const result = await earnPoints(client, customerId, delivered(orderId(index), amountOf(index)), {
                taskQueue,
              });
              expect(result.duplicate).toBe(false);
              first.set(orderId(index), result);
              if (index % 10 === 0) {
                const repeat = await earnPoints(client, customerId, delivered(orderId(index), amountOf(index)), {
                  taskQueue,
                });
                expect(repeat).toMatchObject({ duplicate: true, pointsEarned: result.pointsEarned });
                duplicates += 1;
              }
            }
          }),
        );
        // After several runs, the first orders are still known.
        for (const index of [0, 1, 2, 3]) {
          expect(
            await earnPoints(client, customerId, delivered(orderId(index), amountOf(index)), { taskQueue }),
          ).toMatchObject({ duplicate: true });
        }

        const expectedPoints = Array.from({ length: ORDERS }, (_, index) => Math.floor(amountOf(index) / 100)).reduce(
          (sum, points) => sum + points,
          0,
        );
        const top = LOYALTY_PROGRAM.levels[LOYALTY_PROGRAM.levels.length - 1]!;
        const expectedRewards =
          LOYALTY_PROGRAM.levels.length + Math.floor((expectedPoints - top.points) / LOYALTY_PROGRAM.topRewardEvery);

        const summary = await loyaltySummary(client, customerId);
        expect(summary).toMatchObject({ points: expectedPoints, ordersCounted: ORDERS, level: 'gold' });
        expect(summary.runs).toBeGreaterThanOrEqual(5);
        expect(summary.rewards.filter((reward) => reward.state === 'available')).toHaveLength(expectedRewards);
        expect(new Set(summary.rewards.map((reward) => reward.rewardId)).size).toBe(summary.rewards.length);
        expect(duplicates).toBe(ORDERS / 10);

        // One notification per reward, never two: the keys survive continue-as-new.
        await eventuallyCalled(push, expectedRewards);
        const keys = push.mock.calls.map(([notification]) => notification.key);
        expect(new Set(keys).size).toBe(expectedRewards);

        // Each run stayed short: the longest history is about the bound, not thousands of orders long.
        const history = await client.workflow.getHandle(loyaltyWorkflowId(customerId)).fetchHistory();
        expect(history.events?.length).toBeLessThan(LOYALTY_MAX_HISTORY_EVENTS + 200);
      });
      // A bound on a hung test, not a speed check: 2,000 orders through one workflow take one to two minutes here, and
      // more when the machine is busy (the default 120 s ran out once while a benchmark shared it).
    },
    10 * 60_000,
  );
});

async function eventuallyCalled(mock: jest.Mock, times: number): Promise<void> {
  await eventually(async () => (mock.mock.calls.length >= times ? true : undefined));
  expect(mock.mock.calls).toHaveLength(times);
}
