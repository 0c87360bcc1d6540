import {
  OrderIdTakenError,
  checkout,
  deliverUpdate,
  getStatusQuery,
  orderWorkflowId,
  pickUpUpdate,
  rateUpdate,
  waitForPaymentUpdate,
} from '../src';
import { OrderTestHarness, anOrder, declined, failureOf, fakeActivities, gate, type WorkerContext } from './harness';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

describe('driver actions', () => {
  it('refuses a pickup while the card is still being charged, with that reason', async () => {
    const activities = fakeActivities();
    const charge = gate();
    activities.chargeCustomer.mockImplementation(async (input) => {
      await charge.promise;
      return { chargeId: 'ch_1', amountCents: input.amountCents };
    });
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      const failure = await failureOf(handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] }));
      expect(failure).toEqual({
        type: 'OrderStateConflict',
        message: expect.stringMatching(/^Cannot pick up order .+: it is still being charged\.$/),
      });
      charge.open();
      expect((await handle.executeUpdate(waitForPaymentUpdate)).outcome).toBe('paid');
      expect((await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] })).state).toBe('pickedUp');
    });
  });

  it('lets exactly one of two racing drivers pick up an order', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      const results = await Promise.allSettled([
        handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-a' }] }),
        handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-b' }] }),
      ]);
      const winners = results.filter((result) => result.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const status = await handle.query(getStatusQuery);
      const loserMessage = ((losers[0] as PromiseRejectedResult).reason as { cause: Error }).cause.message;
      expect(loserMessage).toContain(`it was already picked up by driver ${status.driverId}`);
    });
  });

  it('rejects a second pickup, a delivery before pickup, and a delivery by another driver', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);

      expect(await failureOf(handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] }))).toEqual({
        type: 'OrderStateConflict',
        message: expect.stringMatching(/^Cannot deliver order .+: it is waiting for a driver\.$/),
      });

      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(await failureOf(handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] }))).toEqual({
        type: 'OrderStateConflict',
        message: expect.stringMatching(/it was already picked up by driver driver-1\.$/),
      });
      expect(await failureOf(handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-2' }] }))).toEqual({
        type: 'WrongDriver',
        message: expect.stringMatching(/it was picked up by driver driver-1, not driver-2\.$/),
      });

      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(await failureOf(handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] }))).toEqual({
        type: 'OrderStateConflict',
        message: expect.stringMatching(/it was already delivered\.$/),
      });
    });
  });

  it('rejects malformed arguments with a message naming the field', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      const failure = await failureOf(handle.executeUpdate(pickUpUpdate, { args: [{ driverId: '  ' }] }));
      expect(failure).toEqual({ type: 'InvalidArgument', message: 'Invalid argument: driverId is required' });
    });
  });
});

describe('rating', () => {
  it('takes 1 to 5 whole stars, once, and only after delivery', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      expect((await failureOf(handle.executeUpdate(rateUpdate, { args: [{ stars: 5 }] }))).message).toMatch(
        /^Cannot rate order .+: it is waiting for a driver\.$/,
      );
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });

      for (const stars of [0, 6, 2.5]) {
        const failure = await failureOf(handle.executeUpdate(rateUpdate, { args: [{ stars }] }));
        expect(failure.type).toBe('InvalidArgument');
        expect(failure.message).toMatch(/^Invalid argument: stars /);
      }
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 3 }] });
      // Rated: the order is complete, so the server itself refuses a second rating.
      await expect(handle.executeUpdate(rateUpdate, { args: [{ stars: 4 }] })).rejects.toThrow();
      expect((await handle.result()).rating?.stars).toBe(3);
      expect((await handle.query(getStatusQuery)).rating?.stars).toBe(3);
    });
  });
});

describe('checkout (update-with-start)', () => {
  function placeOrder({ taskQueue, track }: WorkerContext, input = anOrder(), waitUpTo?: number) {
    track(orderWorkflowId(input.orderId));
    return checkout(harness.client, input, { taskQueue, waitUpTo });
  }

  it('answers paid in the request that creates the order', async () => {
    await harness.withWorker(fakeActivities(), async (ctx) => {
      const result = await placeOrder(ctx);
      expect(result.outcome).toBe('paid');
      expect(result.status.chargeId).toBe('ch_1');
    });
  });

  it('answers declined with the reason', async () => {
    const activities = fakeActivities();
    activities.chargeCustomer.mockRejectedValue(declined('Your card has expired.'));
    await harness.withWorker(activities, async (ctx) => {
      const result = await placeOrder(ctx);
      expect(result).toMatchObject({ outcome: 'declined', reason: 'Your card has expired.' });
    });
  });

  it('answers still charging instead of hanging while payment is being retried, then a retry attaches', async () => {
    const activities = fakeActivities();
    const charge = gate();
    activities.chargeCustomer.mockImplementation(async (input) => {
      await charge.promise;
      return { chargeId: 'ch_late', amountCents: input.amountCents };
    });
    await harness.withWorker(activities, async (ctx) => {
      const input = anOrder();
      const result = await placeOrder(ctx, input, 1_000);
      expect(result.outcome).toBe('charging');
      expect(result.status.state).toBe('charging');
      // A retried checkout attaches to the same order, and answers once the charge settles.
      const retried = placeOrder(ctx, input, 60_000);
      charge.open();
      expect(await retried).toMatchObject({ outcome: 'paid', status: { chargeId: 'ch_late' } });
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);
    });
  });

  it('answers a checkout retried after the order closed from the order itself, charging nothing', async () => {
    const activities = fakeActivities();
    activities.chargeCustomer.mockRejectedValue(declined('Your card has expired.'));
    await harness.withWorker(activities, async (ctx) => {
      const input = anOrder();
      expect(await placeOrder(ctx, input)).toMatchObject({ outcome: 'declined' });
      await failureOf(harness.client.workflow.getHandle(orderWorkflowId(input.orderId)).result());
      expect(await placeOrder(ctx, input)).toMatchObject({ outcome: 'declined', reason: 'Your card has expired.' });
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);
    });
  });

  it("refuses an id another customer's order holds, sending that order nothing", async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const input = anOrder();
      expect((await placeOrder(ctx, input)).outcome).toBe('paid');
      const theirs = placeOrder(ctx, { ...input, customerId: 'customer-mallory' });
      await expect(theirs).rejects.toBeInstanceOf(OrderIdTakenError);
      const handle = harness.client.workflow.getHandle(orderWorkflowId(input.orderId));
      const { events } = await handle.fetchHistory();
      expect((events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);
    });
  });

  it('refuses an id whose workflow is no order (a raw start that failed its input check)', async () => {
    await harness.withWorker(fakeActivities(), async (ctx) => {
      const input = anOrder();
      const handle = await ctx.startRaw({
        workflowId: orderWorkflowId(input.orderId),
        args: [{ ...input, items: [] }],
      });
      await failureOf(handle.result());
      await expect(placeOrder(ctx, input)).rejects.toBeInstanceOf(OrderIdTakenError);
    });
  });

  it('returns the existing order, without a second charge, when checkout is retried', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async (ctx) => {
      const input = anOrder();
      const [first, second] = await Promise.all([placeOrder(ctx, input), placeOrder(ctx, input)]);
      expect(first.outcome).toBe('paid');
      expect(second.outcome).toBe('paid');
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);
    });
  });
});

describe('input validation', () => {
  it.each([
    [{ items: [] }, 'Invalid order: items: add at least one dish'],
    [
      { items: [{ productId: 'poke', quantity: 0 }] },
      'Invalid order: items[0].quantity: must be a whole number from 1 to 20',
    ],
    [
      { deliveryAddress: { street: '', city: 'X', postalCode: '1' } },
      'Invalid order: deliveryAddress.street: is required',
    ],
    [
      { windows: { pickup: 'soon' } },
      'Invalid order: windows.pickup: expected a duration between 1 ms and 30 days, like 60000 or "1 minute", got "soon"',
    ],
  ])('fails an order started with %j, naming the problem', async (overrides, message) => {
    await harness.withWorker(fakeActivities(), async ({ startRaw }) => {
      const input = anOrder(overrides);
      const handle = await startRaw({ workflowId: orderWorkflowId(input.orderId), args: [input] });
      expect(await failureOf(handle.result())).toEqual({ type: 'InvalidOrderInput', message });
    });
  });

  it('fails an order whose workflow id does not match its order id', async () => {
    await harness.withWorker(fakeActivities(), async ({ startRaw }) => {
      const input = anOrder();
      const handle = await startRaw({ workflowId: `order-someone-else-${input.orderId}`, args: [input] });
      expect((await failureOf(handle.result())).message).toBe(
        `the workflow id must be "order-${input.orderId}" for order ${input.orderId}`,
      );
    });
  });
});
