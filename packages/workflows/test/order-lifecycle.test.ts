import { eventually } from '@durable-delivery/temporal-server';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  CustomerIdAttribute,
  DriverIdAttribute,
  OrderStateAttribute,
  OrderTotalCentsAttribute,
  deliverUpdate,
  deliveredSignal,
  getStatusQuery,
  orderStartOptions,
  orderWorkflowId,
  pickUpUpdate,
  pickedUpSignal,
  rateUpdate,
  waitForPaymentUpdate,
} from '../src';
import { ORDER_TOTAL_CENTS, OrderTestHarness, anOrder, fakeActivities } from './harness';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

describe('an order that goes well', () => {
  it('charges, is picked up and delivered, asks for a rating and takes one', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const input = anOrder();
      const handle = await start(input);

      const payment = await handle.executeUpdate(waitForPaymentUpdate);
      expect(payment.outcome).toBe('paid');
      expect(payment.status.state).toBe('paid');
      expect(payment.status.totalCents).toBe(ORDER_TOTAL_CENTS);
      expect(payment.status.deadlines.pickUpBy).toBeDefined();
      expect(activities.chargeCustomer).toHaveBeenCalledWith(
        expect.objectContaining({ orderId: input.orderId, customerId: 'customer-ada', amountCents: ORDER_TOTAL_CENTS }),
      );

      const pickedUp = await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(pickedUp.state).toBe('pickedUp');
      expect(pickedUp.driverId).toBe('driver-1');
      expect(pickedUp.deadlines.deliverBy).toBeDefined();

      const delivered = await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(delivered.state).toBe('delivered');
      expect(delivered.deadlines.rateBy).toBeDefined();

      // Let the one-minute wait before the rating prompt pass in skipped time.
      await harness.env.sleep('2 minutes');
      // The server's clock has moved, but the worker may not have run the task that follows yet, and a query answers
      // from the state the worker has: wait for the prompt, bounded, then check the whole list.
      const beforeRating = await eventually(async () => {
        const status = await handle.query(getStatusQuery);
        return status.notifications.some((n) => n.kind === 'ratePrompt') ? status : undefined;
      });
      expect(beforeRating.notifications.map((n) => n.kind)).toEqual(['pickedUp', 'delivered', 'ratePrompt']);

      const rated = await handle.executeUpdate(rateUpdate, { args: [{ stars: 5, comment: 'Perfect burrata' }] });
      expect(rated.rating).toMatchObject({ stars: 5, comment: 'Perfect burrata' });

      const final = await handle.result();
      expect(final.state).toBe('delivered');
      expect(final.transitions.map((t) => t.state)).toEqual(['charging', 'paid', 'pickedUp', 'delivered']);
      expect(final.notifications.every((n) => n.sentAt !== undefined)).toBe(true);
      expect(activities.refundOrder).not.toHaveBeenCalled();
      expect(activities.sendPushNotification.mock.calls.map(([n]) => n.kind)).toEqual([
        'pickedUp',
        'delivered',
        'ratePrompt',
      ]);
    });
  });

  it('skips the rating prompt when the customer already rated, and completes when the rating window closes', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start(anOrder({ windows: { ratePrompt: '10 minutes', rating: '1 day' } }));
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 4 }] });

      const final = await handle.result();
      expect(final.rating?.stars).toBe(4);
      expect(final.notifications.map((n) => n.kind)).toEqual(['pickedUp', 'delivered']);
    });
  });

  it('stops taking ratings when the window closes and still answers queries after completion', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start(anOrder({ windows: { ratePrompt: '1 minute', rating: '1 hour' } }));
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });

      // A one-hour rating window costs milliseconds on the time-skipping server.
      const final = await handle.result();
      expect(final.rating).toBeUndefined();
      expect(final.notifications.map((n) => n.kind)).toEqual(['pickedUp', 'delivered', 'ratePrompt']);

      await expect(handle.executeUpdate(rateUpdate, { args: [{ stars: 5 }] })).rejects.toThrow();
      const afterwards = await handle.query(getStatusQuery);
      expect(afterwards.state).toBe('delivered');
      expect(afterwards.transitions).toHaveLength(4);
    });
  });

  it('follows the seed’s pickedUp and delivered signals, as sent from the Temporal CLI', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.signal(pickedUpSignal);
      await handle.signal(deliveredSignal);
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('delivered');
      expect(status.driverId).toBeUndefined();
    });
  });

  it('ignores a signal that does not fit the state instead of breaking the order', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.signal(deliveredSignal, { driverId: 'driver-1' });
      expect((await handle.query(getStatusQuery)).state).toBe('paid');
    });
  });

  it('keeps its search attributes current at every transition', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-7' }] });
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(OrderStateAttribute)).toBe('pickedUp');
      expect(attributes.get(DriverIdAttribute)).toBe('driver-7');
      expect(attributes.get(CustomerIdAttribute)).toBe('customer-ada');
      expect(attributes.get(OrderTotalCentsAttribute)).toBe(ORDER_TOTAL_CENTS);
    });
  });

  it('sets its own search attributes when started without them, as from the Temporal CLI', async () => {
    await harness.withWorker(fakeActivities(), async ({ startRaw }) => {
      const input = anOrder();
      const handle = await startRaw({ workflowId: orderWorkflowId(input.orderId), args: [input] });
      await handle.executeUpdate(waitForPaymentUpdate);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(OrderStateAttribute)).toBe('paid');
      expect(attributes.get(CustomerIdAttribute)).toBe('customer-ada');
      expect(attributes.get(OrderTotalCentsAttribute)).toBe(ORDER_TOTAL_CENTS);
    });
  });

  it('returns the existing order when the same order is started twice, and charges once', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start, startRaw }) => {
      const input = anOrder();
      const first = await start(input);
      const second = await start(input);
      expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
      await first.executeUpdate(waitForPaymentUpdate);
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);

      // Once an order has closed its id can never start another one: its idempotency keys stay unique.
      await first.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await first.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      await first.result();
      await expect(startRaw(orderStartOptions(input))).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);
    });
  });

  it('rejects an update once the order has completed', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start(anOrder({ windows: { pickup: '1 minute' } }));
      await handle.executeUpdate(waitForPaymentUpdate);
      await expect(handle.result()).rejects.toThrow();
      // The server refuses it (the wording differs between the dev server and the test server).
      await expect(handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] })).rejects.toThrow();
      expect((await handle.query(getStatusQuery)).state).toBe('refunded');
    });
  });
});
