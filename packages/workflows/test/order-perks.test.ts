/**
 * The order with its real activities, reaching the customer's real loyalty and pass workflows through the Temporal
 * ports the worker wires (only the payment and push services are in-process simulators): the server decides the
 * perks at checkout, and the order charges what they leave.
 *
 * These tests let the clock run instead of skipping it (windows of a second or two): with a workflow that never ends
 * on the server, skipped time can run on to the next timer the server knows, the test server's own ten-year run
 * timeout of the loyalty workflow, and an order's window can then pass before the test's next step.
 */
import {
  SimulatedNotifications,
  SimulatedPayments,
  TEST_CARDS,
  createActivities,
  type PassClient,
} from '@durable-delivery/activities';
import {
  OrderTotalCentsAttribute,
  cancelUpdate,
  checkout,
  deliverUpdate,
  earnPoints,
  getStatusQuery,
  loyaltySummary,
  loyaltyWorkflowId,
  orderWorkflowId,
  pickUpUpdate,
  subscribe,
  subscriptionWorkflowId,
  temporalLoyalty,
  temporalPasses,
  type OrderInput,
  type OrderWorkflow,
} from '../src';
import { eventually } from '@durable-delivery/temporal-server';
import { ORDER_TOTAL_CENTS, OrderTestHarness, anOrder, type WorkerContext } from './harness';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

const SUBTOTAL_CENTS = ORDER_TOTAL_CENTS - 299;

interface Stack {
  readonly payments: SimulatedPayments;
  readonly ctx: WorkerContext;
  readonly customerId: string;
  /** An order of this test's customer. */
  order(overrides?: Partial<OrderInput>): OrderInput;
  /** Checkout as the API does it, on this test's task queue. */
  checkout(input: OrderInput): ReturnType<typeof checkout>;
  charged(orderId: string): number[];
}

let nextCustomer = 0;

/** A worker with the real activities: the payment and push simulators, and Temporal ports onto the test server. */
function withStack<T>(
  body: (stack: Stack) => Promise<T>,
  passes: (client: typeof harness.client) => PassClient = temporalPasses,
): Promise<T> {
  const payments = new SimulatedPayments();
  const customerId = `perks-${process.pid}-${Date.now()}-${++nextCustomer}`;
  return harness.withWorker(
    (taskQueue) =>
      createActivities({
        payments,
        notifications: new SimulatedNotifications(),
        loyalty: temporalLoyalty(harness.client, { taskQueue }),
        passes: passes(harness.client),
      }),
    (ctx) => {
      ctx.track(loyaltyWorkflowId(customerId));
      ctx.track(subscriptionWorkflowId(customerId));
      return body({
        payments,
        ctx,
        customerId,
        order: (overrides = {}) => anOrder({ customerId, ...overrides }),
        checkout: (input) => {
          ctx.track(orderWorkflowId(input.orderId));
          return checkout(harness.client, input, { taskQueue: ctx.taskQueue });
        },
        charged: (orderId) =>
          payments
            .ledger()
            .filter((entry) => entry.type === 'charge' && entry.orderId === orderId)
            .map((entry) => entry.amountCents),
      });
    },
  );
}

function orderHandle(orderId: string) {
  return harness.client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
}

async function deliver(orderId: string) {
  const handle = orderHandle(orderId);
  await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
  return handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
}

/** Gives the customer a Bronze reward (`bronze-1`): 60 points from an earlier order. */
async function withBronzeReward(stack: Stack): Promise<void> {
  await earnPoints(
    harness.client,
    stack.customerId,
    {
      orderId: `earlier-${stack.customerId}`,
      amountCents: 6_000,
      deliveredAt: new Date(await harness.env.currentTimeMs()).toISOString(),
    },
    { taskQueue: stack.ctx.taskQueue },
  );
}

describe('an order and its perks', () => {
  it('charges the full total without a pass or reward, and earns the points for it once delivered', async () => {
    await withStack(async (stack) => {
      const input = stack.order({ windows: { ratePrompt: '1 second', rating: '1 second' } });
      const paid = await stack.checkout(input);
      expect(paid.outcome).toBe('paid');
      expect(paid.status).toMatchObject({
        totalCents: ORDER_TOTAL_CENTS,
        deliveryFeeCents: 299,
        perks: { deliveryFeeWaivedCents: 0, discountCents: 0 },
      });
      expect(stack.charged(input.orderId)).toEqual([ORDER_TOTAL_CENTS]);

      await deliver(input.orderId);
      const final = await eventually(async () => {
        const status = await orderHandle(input.orderId).query(getStatusQuery);
        return status.loyalty ? status : undefined;
      });
      expect(final.state).toBe('delivered');
      expect(final.loyalty).toEqual({ pointsEarned: 33, points: 33, level: 'member' });
      expect(await loyaltySummary(harness.client, stack.customerId)).toMatchObject({
        member: true,
        points: 33,
        ordersCounted: 1,
        history: [expect.objectContaining({ orderId: input.orderId, points: 33 })],
      });
    });
  });

  it('waives the delivery fee for a customer whose pass is paid up, and charges only the subtotal', async () => {
    await withStack(async (stack) => {
      const pass = await subscribe(
        harness.client,
        { customerId: stack.customerId, subscriptionId: 'pass-1', paymentMethod: TEST_CARDS.visa },
        { taskQueue: stack.ctx.taskQueue },
      );
      expect(pass.state).toBe('active');
      const input = stack.order();
      const paid = await stack.checkout(input);
      expect(paid.status).toMatchObject({
        subtotalCents: SUBTOTAL_CENTS,
        deliveryFeeCents: 0,
        totalCents: SUBTOTAL_CENTS,
        perks: { deliveryFeeWaivedCents: 299, discountCents: 0 },
      });
      expect(stack.charged(input.orderId)).toEqual([SUBTOTAL_CENTS]);
      const attributes = (await orderHandle(input.orderId).describe()).typedSearchAttributes;
      expect(attributes.get(OrderTotalCentsAttribute)).toBe(SUBTOTAL_CENTS);
    });
  });

  it('applies a reward to exactly one of two checkouts racing for it; the other is declined with the reason, uncharged', async () => {
    await withStack(async (stack) => {
      await withBronzeReward(stack);
      const [first, second] = [stack.order({ rewardId: 'bronze-1' }), stack.order({ rewardId: 'bronze-1' })];
      const results = await Promise.all([stack.checkout(first), stack.checkout(second)]);
      const paid = results.filter((result) => result.outcome === 'paid');
      const refused = results.filter((result) => result.outcome === 'declined');
      expect(paid).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(paid[0]!.status).toMatchObject({
        totalCents: ORDER_TOTAL_CENTS - 300,
        perks: { discountCents: 300, reward: { rewardId: 'bronze-1', level: 'bronze' } },
      });
      const winner = paid[0]!.status.orderId;
      const loser = refused[0]!.status;
      expect(refused[0]).toMatchObject({
        reason: `Your Bronze reward was already used on order ${winner.slice(0, 8)}.`,
      });
      expect(loser).toMatchObject({ state: 'paymentFailed', failure: { code: 'rewardUnavailable' } });
      expect(stack.charged(winner)).toEqual([ORDER_TOTAL_CENTS - 300]);
      expect(stack.charged(loser.orderId)).toEqual([]);
      const summary = await loyaltySummary(harness.client, stack.customerId);
      expect(summary.rewards).toEqual([expect.objectContaining({ rewardId: 'bronze-1', redeemedBy: winner })]);
    });
  });

  it('gives the reward back when the card is declined, so the next checkout can use it', async () => {
    await withStack(async (stack) => {
      await withBronzeReward(stack);
      const input = stack.order({ rewardId: 'bronze-1', paymentMethod: TEST_CARDS.insufficientFunds });
      const result = await stack.checkout(input);
      expect(result.outcome).toBe('declined');
      const final = await eventually(async () => {
        const status = await orderHandle(input.orderId).query(getStatusQuery);
        return status.perks?.reward?.returned ? status : undefined;
      });
      expect(final.perks?.reward).toEqual({ rewardId: 'bronze-1', level: 'bronze', returned: true });
      expect((await loyaltySummary(harness.client, stack.customerId)).rewards).toEqual([
        expect.objectContaining({ rewardId: 'bronze-1', state: 'available' }),
      ]);
      const next = await stack.checkout(stack.order({ rewardId: 'bronze-1' }));
      expect(next).toMatchObject({ outcome: 'paid', status: { perks: { discountCents: 300 } } });
    });
  });

  it('gives the reward back when the pass cannot be checked, though the redeem beside it went through', async () => {
    // The pass check and the redeem run at once: here the redeem lands and the pass check fails on every attempt
    // until the payment window closes. Nothing is charged, and the redeemed reward goes back to the customer.
    const unreachable = (): PassClient => ({
      freeDelivery: async () => {
        throw new Error('the pass workflow could not be reached');
      },
    });
    await withStack(async (stack) => {
      await withBronzeReward(stack);
      const input = stack.order({ rewardId: 'bronze-1', windows: { payment: '2 seconds' } });
      const result = await stack.checkout(input);
      expect(result).toMatchObject({ outcome: 'declined', status: { failure: { code: 'paymentUnavailable' } } });
      expect(stack.charged(input.orderId)).toEqual([]);
      const summary = await eventually(async () => {
        const loyalty = await loyaltySummary(harness.client, stack.customerId);
        return loyalty.rewards[0]?.state === 'available' && loyalty.rewards[0]?.redeemedBy === undefined
          ? loyalty
          : undefined;
      });
      expect(summary.rewards).toEqual([expect.objectContaining({ rewardId: 'bronze-1', state: 'available' })]);
    }, unreachable);
  });

  it('refunds what was charged and gives the reward back when nobody picks the order up', async () => {
    await withStack(async (stack) => {
      await withBronzeReward(stack);
      const input = stack.order({ rewardId: 'bronze-1', windows: { pickup: '2 seconds' } });
      expect((await stack.checkout(input)).outcome).toBe('paid');
      const final = await eventually(async () => {
        const status = await orderHandle(input.orderId).query(getStatusQuery);
        return status.perks?.reward?.returned !== undefined ? status : undefined;
      });
      expect(final).toMatchObject({ state: 'refunded', refundedCents: ORDER_TOTAL_CENTS - 300 });
      expect(final.loyalty).toBeUndefined();
      const summary = await loyaltySummary(harness.client, stack.customerId);
      expect(summary.rewards[0]).toMatchObject({ state: 'available' });
      expect(summary.ordersCounted).toBe(1);
    });
  });

  it('earns no points for an order cancelled before pickup', async () => {
    await withStack(async (stack) => {
      const input = stack.order();
      await stack.checkout(input);
      await orderHandle(input.orderId).executeUpdate(cancelUpdate, { args: [{ reason: 'changed my mind' }] });
      const final = await eventually(async () => {
        const status = await orderHandle(input.orderId).query(getStatusQuery);
        return status.state === 'cancelled' ? status : undefined;
      });
      expect(final.loyalty).toBeUndefined();
      expect(await loyaltySummary(harness.client, stack.customerId)).toMatchObject({ member: false, points: 0 });
    });
  });
});
