import { WorkflowFailedError } from '@temporalio/client';
import {
  cancelUpdate,
  deliverUpdate,
  getStatusQuery,
  pickUpUpdate,
  shortOrderNumber,
  waitForPaymentUpdate,
} from '../src';
import { ORDER_TOTAL_CENTS, OrderTestHarness, anOrder, declined, failureOf, fakeActivities, gate } from './harness';

let harness: OrderTestHarness;
beforeAll(async () => {
  harness = await OrderTestHarness.create();
});
afterAll(async () => {
  await harness?.teardown();
});

describe('payment', () => {
  it('fails fast on a declined card, tells the customer why, and charges nothing', async () => {
    const activities = fakeActivities();
    activities.chargeCustomer.mockRejectedValue(declined('Your card has insufficient funds.'));
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      const payment = await handle.executeUpdate(waitForPaymentUpdate);
      expect(payment).toMatchObject({ outcome: 'declined', reason: 'Your card has insufficient funds.' });

      const failure = await failureOf(handle.result());
      expect(failure).toEqual({
        type: 'PaymentFailed',
        message: expect.stringContaining('Your card has insufficient funds.'),
      });
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(1);
      expect(activities.refundOrder).not.toHaveBeenCalled();
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('paymentFailed');
      expect(status.failure?.code).toBe('cardDeclined');
      expect(status.notifications).toEqual([
        expect.objectContaining({ kind: 'paymentFailed', message: expect.stringContaining('insufficient funds') }),
      ]);
    });
  });

  it('retries transient payment failures with backoff until the charge goes through', async () => {
    const activities = fakeActivities();
    activities.chargeCustomer
      .mockRejectedValueOnce(new Error('503 Service Unavailable'))
      .mockRejectedValueOnce(new Error('connection reset'));
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      // The retries' backoff (1 s, then 2 s) passes in skipped time, not on the wall clock.
      await harness.env.sleep('30 seconds');
      const payment = await handle.executeUpdate(waitForPaymentUpdate);
      expect(payment.outcome).toBe('paid');
      expect(activities.chargeCustomer).toHaveBeenCalledTimes(3);
    });
  });

  it('gives up after the payment window when the payment service stays down, refunding any charge that slipped through', async () => {
    const activities = fakeActivities();
    activities.chargeCustomer.mockRejectedValue(new Error('503 Service Unavailable'));
    activities.refundOrder.mockResolvedValue({ refundedCents: 0 });
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start(anOrder({ windows: { payment: '2 minutes' } }));
      const failure = await failureOf(handle.result());
      expect(failure.type).toBe('PaymentFailed');
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('paymentFailed');
      expect(status.failure?.code).toBe('paymentUnavailable');
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
      expect(status.notifications.map((n) => n.kind)).toEqual(['paymentFailed']);
    });
  });
});

describe('notifications', () => {
  it('hands a notification the push service failed to deliver at once to a durable retry, without holding up the order', async () => {
    const activities = fakeActivities();
    let pickedUpAttempts = 0;
    activities.sendPushNotification.mockImplementation(async (input) => {
      // The local fast path tries three times; the fourth call is the regular activity's first attempt.
      if (input.kind === 'pickedUp' && ++pickedUpAttempts <= 3) throw new Error('503 Service Unavailable');
    });
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      const delivered = await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      expect(delivered.state).toBe('delivered');

      const final = await handle.result();
      expect(pickedUpAttempts).toBe(4);
      expect(final.notifications.find((n) => n.kind === 'pickedUp')).toMatchObject({ sentAt: expect.any(String) });
      expect(final.notifications.some((n) => n.failed)).toBe(false);
    });
  });
});

describe('windows', () => {
  it('refunds the customer when no driver picks up within the window', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);

      const failure = await failureOf(handle.result());
      expect(failure).toEqual({ type: 'NotPickedUpInTime', message: 'Not picked up in time' });
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
      expect(activities.refundOrder).toHaveBeenCalledWith(expect.objectContaining({ amountCents: ORDER_TOTAL_CENTS }));
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('refunded');
      expect(status.refundedCents).toBe(ORDER_TOTAL_CENTS);
      expect(status.transitions.map((t) => t.state)).toEqual(['charging', 'paid', 'refunding', 'refunded']);
      expect(status.notifications.map((n) => n.kind)).toEqual(['notPickedUpInTime']);
      // Refund first, then tell the customer.
      expect(activities.refundOrder.mock.invocationCallOrder[0]).toBeLessThan(
        activities.sendPushNotification.mock.invocationCallOrder[0]!,
      );
    });
  });

  it('refunds the customer when the driver does not deliver within the window', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start(anOrder({ windows: { delivery: '30 minutes' } }));
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });

      const failure = await failureOf(handle.result());
      expect(failure).toEqual({ type: 'NotDeliveredInTime', message: 'Not delivered in time' });
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('refunded');
      expect(status.failure?.code).toBe('notDeliveredInTime');
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
      expect(status.notifications.map((n) => n.kind)).toEqual(['pickedUp', 'notDeliveredInTime']);
    });
  });
});

describe('cancelling', () => {
  it('refunds and ends as cancelled when the customer cancels before pickup', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      const afterCancel = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'changed my mind' }] });
      expect(afterCancel.state).toBe('refunding');
      expect(afterCancel.cancellation?.reason).toBe('changed my mind');

      const final = await handle.result();
      expect(final.state).toBe('cancelled');
      expect(final.refundedCents).toBe(ORDER_TOTAL_CENTS);
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
      expect(final.notifications.map((n) => n.kind)).toEqual(['cancelled']);
    });
  });

  it('waits for a charge in flight, then refunds it, when the customer cancels while paying', async () => {
    const activities = fakeActivities();
    const charge = gate();
    activities.chargeCustomer.mockImplementation(async (input) => {
      await charge.promise;
      return { chargeId: 'ch_slow', amountCents: input.amountCents };
    });
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      const afterCancel = await handle.executeUpdate(cancelUpdate, { args: [{}] });
      expect(afterCancel.state).toBe('charging');
      expect(afterCancel.cancellation).toBeDefined();
      charge.open();

      const final = await handle.result();
      expect(final.state).toBe('cancelled');
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
    });
  });

  it('refuses to cancel an order a driver already picked up', async () => {
    await harness.withWorker(fakeActivities(), async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      const picked = await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1', driverName: 'Sam' }] });
      // The driver's name as people see it is recorded with the pick-up, for the customer's page.
      expect(picked.driverName).toBe('Sam');
      const failure = await failureOf(handle.executeUpdate(cancelUpdate, { args: [{}] }));
      expect(failure.type).toBe('OrderStateConflict');
      // The order by the number people see (shortOrderNumber); the API names the driver by name for the customer.
      expect(failure.message).toBe(
        `Cannot cancel order ${shortOrderNumber(picked.orderId)}: it was already picked up by driver driver-1.`,
      );
      expect((await handle.query(getStatusQuery)).state).toBe('pickedUp');
    });
  });

  it('refunds a paid order when an operator cancels the workflow itself', async () => {
    const activities = fakeActivities();
    await harness.withWorker(activities, async ({ start }) => {
      const handle = await start();
      await handle.executeUpdate(waitForPaymentUpdate);
      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const status = await handle.query(getStatusQuery);
      expect(status.state).toBe('cancelled');
      expect(status.refundedCents).toBe(ORDER_TOTAL_CENTS);
      expect(activities.refundOrder).toHaveBeenCalledTimes(1);
    });
  });
});
