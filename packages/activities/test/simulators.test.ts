import {
  Faults,
  IdempotencyConflictError,
  PaymentDeclinedError,
  ServiceUnavailableError,
  SimulatedNotifications,
  SimulatedPayments,
  TEST_CARDS,
  type ChargeRequest,
  type DeliveredNotification,
  type PushNotificationRequest,
  type RefundRequest,
} from '../src';

function chargeRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: 'order-1:charge',
    orderId: 'order-1',
    customerId: 'cust-1',
    amountCents: 1_000,
    currency: 'USD',
    paymentMethod: TEST_CARDS.visa,
    description: 'Order 1',
    ...overrides,
  };
}

function refundRequest(overrides: Partial<RefundRequest> = {}): RefundRequest {
  return {
    idempotencyKey: 'order-1:refund',
    chargeIdempotencyKey: 'order-1:charge',
    amountCents: 1_000,
    reason: 'order cancelled',
    ...overrides,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function declineOf(promise: Promise<unknown>): Promise<PaymentDeclinedError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(PaymentDeclinedError);
  return error as PaymentDeclinedError;
}

/** A random source that yields the given values in turn. */
function sequence(...values: number[]): jest.Mock<number, []> {
  let next = 0;
  return jest.fn(() => {
    const value = values[next++];
    if (value === undefined) throw new Error('random() called more often than the test expected');
    return value;
  });
}

describe('SimulatedPayments', () => {
  describe('charges', () => {
    it('charges the visa test card and records the charge', async () => {
      const payments = new SimulatedPayments();

      const charge = await payments.charge(chargeRequest());

      expect(charge).toEqual({ chargeId: expect.stringMatching(/^ch_/), amountCents: 1_000 });
      expect(payments.ledger()).toEqual([
        { type: 'charge', idempotencyKey: 'order-1:charge', orderId: 'order-1', amountCents: 1_000 },
      ]);
    });

    it('returns the stored charge when the same key is sent again, without charging again', async () => {
      const payments = new SimulatedPayments();

      const first = await payments.charge(chargeRequest());
      const again = await payments.charge(chargeRequest());

      expect(again).toEqual(first);
      expect(payments.ledger()).toHaveLength(1);
    });

    it('charges separately under different keys', async () => {
      const payments = new SimulatedPayments();

      const first = await payments.charge(chargeRequest());
      const second = await payments.charge(chargeRequest({ idempotencyKey: 'order-2:charge', orderId: 'order-2' }));

      expect(second.chargeId).not.toBe(first.chargeId);
      expect(payments.ledger().map((entry) => entry.idempotencyKey)).toEqual(['order-1:charge', 'order-2:charge']);
    });

    it('replays a stored decline for the same key instead of deciding again', async () => {
      const payments = new SimulatedPayments();
      const request = chargeRequest({ paymentMethod: TEST_CARDS.insufficientFunds });

      const first = await declineOf(payments.charge(request));
      const again = await declineOf(payments.charge(request));

      expect(again.declineCode).toBe(first.declineCode);
      expect(again.message).toBe(first.message);
      expect(payments.ledger()).toEqual([
        { type: 'decline', idempotencyKey: 'order-1:charge', orderId: 'order-1', amountCents: 1_000 },
      ]);
    });

    it('refuses the same key with a different amount as an idempotency conflict', async () => {
      const payments = new SimulatedPayments();
      await payments.charge(chargeRequest({ amountCents: 1_000 }));

      const error = await rejectionOf(payments.charge(chargeRequest({ amountCents: 1_500 })));

      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect((error as Error).message).toBe(
        'Idempotency key "order-1:charge" was already used for a different charge request; use a new key for a new request.',
      );
      expect(payments.ledger()).toEqual([expect.objectContaining({ type: 'charge', amountCents: 1_000 })]);
    });

    it('refuses the same key with a different card as an idempotency conflict, even after a decline', async () => {
      const payments = new SimulatedPayments();
      await declineOf(payments.charge(chargeRequest({ paymentMethod: TEST_CARDS.expiredCard })));

      await expect(payments.charge(chargeRequest({ paymentMethod: TEST_CARDS.visa }))).rejects.toBeInstanceOf(
        IdempotencyConflictError,
      );
    });

    it('declines the insufficient-funds test card', async () => {
      const decline = await declineOf(
        new SimulatedPayments().charge(chargeRequest({ paymentMethod: TEST_CARDS.insufficientFunds })),
      );

      expect(decline.declineCode).toBe('insufficient_funds');
      expect(decline.message).toBe('Your card has insufficient funds.');
    });

    it('declines the expired-card test card', async () => {
      const decline = await declineOf(
        new SimulatedPayments().charge(chargeRequest({ paymentMethod: TEST_CARDS.expiredCard })),
      );

      expect(decline.declineCode).toBe('expired_card');
      expect(decline.message).toBe('Your card has expired.');
    });

    it('fails the flaky test card twice as unavailable, then charges it exactly once', async () => {
      const payments = new SimulatedPayments();
      const request = chargeRequest({ paymentMethod: TEST_CARDS.flaky });

      const firstError = await rejectionOf(payments.charge(request));
      const secondError = await rejectionOf(payments.charge(request));
      const charge = await payments.charge(request);
      const replayed = await payments.charge(request);

      expect(firstError).toBeInstanceOf(ServiceUnavailableError);
      expect((firstError as Error).message).toBe('Card network timeout (attempt 1)');
      expect(secondError).toBeInstanceOf(ServiceUnavailableError);
      expect((secondError as Error).message).toBe('Card network timeout (attempt 2)');
      expect(charge.amountCents).toBe(1_000);
      expect(replayed).toEqual(charge);
      expect(payments.ledger()).toEqual([
        expect.objectContaining({ type: 'charge', idempotencyKey: 'order-1:charge' }),
      ]);
    });

    it('counts the flaky card failures per charge key', async () => {
      const payments = new SimulatedPayments();
      const first = chargeRequest({ paymentMethod: TEST_CARDS.flaky });
      const second = chargeRequest({ paymentMethod: TEST_CARDS.flaky, idempotencyKey: 'order-2:charge' });

      await rejectionOf(payments.charge(first));
      await rejectionOf(payments.charge(first));
      await payments.charge(first);

      await expect(payments.charge(second)).rejects.toBeInstanceOf(ServiceUnavailableError);
    });

    it('declines an unknown payment method', async () => {
      const payments = new SimulatedPayments();

      const decline = await declineOf(payments.charge(chargeRequest({ paymentMethod: 'tok_nonsense' })));

      expect(decline.declineCode).toBe('invalid_payment_method');
      expect(decline.message).toBe('Unknown payment method "tok_nonsense".');
      expect(payments.ledger()).toEqual([expect.objectContaining({ type: 'decline' })]);
    });

    it.each([0, -500, 10.5, Number.NaN])('declines a charge of %p cents as an invalid amount', async (amountCents) => {
      const payments = new SimulatedPayments();

      const decline = await declineOf(payments.charge(chargeRequest({ amountCents })));

      expect(decline.declineCode).toBe('invalid_amount');
      expect(decline.message).toBe(`Cannot charge ${amountCents} cents`);
      expect(payments.ledger()).toEqual([]);
    });
  });

  describe('refunds', () => {
    async function charged(amountCents = 1_000): Promise<SimulatedPayments> {
      const payments = new SimulatedPayments();
      await payments.charge(chargeRequest({ amountCents }));
      return payments;
    }

    it('refunds a charge in full', async () => {
      const payments = await charged(1_000);

      const refund = await payments.refund(refundRequest({ amountCents: 1_000 }));

      expect(refund).toEqual({ refundId: expect.stringMatching(/^re_/), refundedCents: 1_000 });
    });

    it('returns the stored refund when the same key is sent again, refunding once', async () => {
      const payments = await charged(1_000);

      const first = await payments.refund(refundRequest({ amountCents: 1_000 }));
      const again = await payments.refund(refundRequest({ amountCents: 1_000 }));

      expect(again).toEqual(first);
      expect(payments.ledger().filter((entry) => entry.type === 'refund')).toHaveLength(1);
    });

    it('refuses the same refund key with a different amount as an idempotency conflict', async () => {
      const payments = await charged(1_000);
      await payments.refund(refundRequest({ amountCents: 400 }));

      const error = await rejectionOf(payments.refund(refundRequest({ amountCents: 500 })));

      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect((error as Error).message).toBe(
        'Idempotency key "order-1:refund" was already used for a different refund request; use a new key for a new request.',
      );
    });

    it('refuses a refund larger than the charge', async () => {
      const payments = await charged(1_000);

      const decline = await declineOf(payments.refund(refundRequest({ amountCents: 1_001 })));

      expect(decline.declineCode).toBe('refund_exceeds_charge');
      expect(decline.message).toBe('Cannot refund 1001 cents: only 1000 cents of the charge remain.');
      expect(payments.ledger().filter((entry) => entry.type === 'refund')).toEqual([]);
    });

    it('refuses a refund that exceeds what remains after an earlier partial refund', async () => {
      const payments = await charged(1_000);
      await payments.refund(refundRequest({ idempotencyKey: 'refund-a', amountCents: 600 }));

      const decline = await declineOf(payments.refund(refundRequest({ idempotencyKey: 'refund-b', amountCents: 500 })));

      expect(decline.declineCode).toBe('refund_exceeds_charge');
      expect(decline.message).toBe('Cannot refund 500 cents: only 400 cents of the charge remain.');
    });

    it('never lets refunds under different keys together exceed the charge', async () => {
      const payments = await charged(1_000);

      await payments.refund(refundRequest({ idempotencyKey: 'refund-a', amountCents: 600 }));
      await payments.refund(refundRequest({ idempotencyKey: 'refund-b', amountCents: 400 }));
      const decline = await declineOf(payments.refund(refundRequest({ idempotencyKey: 'refund-c', amountCents: 1 })));

      expect(decline.declineCode).toBe('refund_exceeds_charge');
      const refunded = payments
        .ledger()
        .filter((entry) => entry.type === 'refund')
        .reduce((sum, entry) => sum + entry.amountCents, 0);
      expect(refunded).toBe(1_000);
    });

    it.each([0, -200, 12.5])('declines a refund of %p cents as an invalid amount', async (amountCents) => {
      const payments = await charged(1_000);

      const decline = await declineOf(payments.refund(refundRequest({ amountCents })));

      expect(decline.declineCode).toBe('invalid_amount');
      expect(payments.ledger().filter((entry) => entry.type === 'refund')).toEqual([]);
    });

    it('does not let a negative refund make room for refunding more than was charged', async () => {
      const payments = await charged(1_000);

      await rejectionOf(payments.refund(refundRequest({ idempotencyKey: 'refund-a', amountCents: -500 })));
      const decline = await declineOf(
        payments.refund(refundRequest({ idempotencyKey: 'refund-b', amountCents: 1_500 })),
      );

      expect(decline.declineCode).toBe('refund_exceeds_charge');
    });

    it('refunds nothing, successfully, when there was no charge', async () => {
      const payments = new SimulatedPayments();

      const refund = await payments.refund(refundRequest());

      expect(refund).toEqual({ refundedCents: 0 });
      expect(payments.ledger()).toEqual([]);
    });

    it('refunds nothing, successfully, when the charge was declined', async () => {
      const payments = new SimulatedPayments();
      await declineOf(payments.charge(chargeRequest({ paymentMethod: TEST_CARDS.insufficientFunds })));

      const refund = await payments.refund(refundRequest());

      expect(refund).toEqual({ refundedCents: 0 });
      expect(payments.ledger().map((entry) => entry.type)).toEqual(['decline']);
    });
  });

  it('lists charges, declines and refunds in its ledger', async () => {
    const payments = new SimulatedPayments();
    await payments.charge(chargeRequest({ idempotencyKey: 'order-1:charge', orderId: 'order-1', amountCents: 1_000 }));
    await declineOf(
      payments.charge(
        chargeRequest({
          idempotencyKey: 'order-2:charge',
          orderId: 'order-2',
          amountCents: 700,
          paymentMethod: TEST_CARDS.expiredCard,
        }),
      ),
    );
    await payments.refund(refundRequest({ idempotencyKey: 'order-1:refund', amountCents: 250 }));
    await payments.refund(refundRequest({ idempotencyKey: 'order-3:refund', chargeIdempotencyKey: 'order-3:charge' }));

    expect(payments.ledger()).toEqual([
      { type: 'charge', idempotencyKey: 'order-1:charge', orderId: 'order-1', amountCents: 1_000 },
      { type: 'decline', idempotencyKey: 'order-2:charge', orderId: 'order-2', amountCents: 700 },
      { type: 'refund', idempotencyKey: 'order-1:refund', amountCents: 250 },
    ]);
  });

  it('fails every call during an outage without recording anything, and works again afterwards', async () => {
    const payments = new SimulatedPayments({ faults: { outage: true } });

    await expect(payments.charge(chargeRequest())).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(payments.refund(refundRequest())).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(payments.ledger()).toEqual([]);

    payments.faults.update({ outage: false });
    await expect(payments.charge(chargeRequest())).resolves.toMatchObject({ amountCents: 1_000 });
  });

  it('uses the injected random source for simulated errors', async () => {
    const random = sequence(0.1, 0.9);
    const payments = new SimulatedPayments({ faults: { errorRate: 0.5 }, random });

    const error = await rejectionOf(payments.charge(chargeRequest()));
    const charge = await payments.charge(chargeRequest());

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe('payments is temporarily unavailable (simulated error)');
    expect(charge.amountCents).toBe(1_000);
    expect(random).toHaveBeenCalledTimes(2);
  });
});

describe('Faults (the services’ own, which the simulators run)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts with no faults', async () => {
    const faults = new Faults();

    expect(faults.current).toEqual({ errorRate: 0, latencyMs: 0, outage: false });
    await expect(faults.apply()).resolves.toBeUndefined();
  });

  it('always fails with an error rate of 1, and a simulator reports it as unavailable', async () => {
    const faults = new Faults({ errorRate: 1 });

    for (let call = 0; call < 50; call++) await expect(faults.apply()).resolves.toBe('error');
    const payments = new SimulatedPayments({ faults: { errorRate: 1 } });
    await expect(payments.charge(chargeRequest())).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('never fails with an error rate of 0, and does not even draw a random number', async () => {
    const random = jest.fn(() => 0);
    const faults = new Faults({ errorRate: 0 }, random);

    for (let call = 0; call < 50; call++) {
      await expect(faults.apply()).resolves.toBeUndefined();
    }
    expect(random).not.toHaveBeenCalled();
  });

  it('fails exactly the calls whose random draw falls below the error rate', async () => {
    const faults = new Faults({ errorRate: 0.3 }, sequence(0.29, 0.3, 0, 0.99));

    const outcomes: unknown[] = [];
    for (let call = 0; call < 4; call++) outcomes.push(await faults.apply());

    expect(outcomes).toEqual(['error', undefined, 'error', undefined]);
  });

  it('fails every call during an outage, whatever the error rate, until it is switched off', async () => {
    const random = jest.fn(() => 0.99);
    const notifications = new SimulatedNotifications({ random });

    notifications.faults.update({ outage: true });
    const error = await rejectionOf(
      notifications.send({ idempotencyKey: 'k', customerId: 'c', kind: 'pickedUp', message: 'm' }),
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe('notifications is unavailable (simulated outage)');

    notifications.faults.update({ outage: false });
    await expect(notifications.faults.apply()).resolves.toBeUndefined();
  });

  it('takes only the fault settings from a larger object, as the worker hands over a service config', async () => {
    const config = { url: undefined, timeoutMs: 5_000, errorRate: 0, latencyMs: 0, outage: true };
    const payments = new SimulatedPayments({ faults: config });

    expect(payments.faults.current).toEqual({ errorRate: 0, latencyMs: 0, outage: true });
    await expect(payments.charge(chargeRequest())).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('changes only the settings it is given', () => {
    const faults = new Faults({ errorRate: 0.25 });

    const settings = faults.update({ latencyMs: 100 });

    expect(settings).toEqual({ errorRate: 0.25, latencyMs: 100, outage: false });
    expect(faults.current).toEqual(settings);
  });

  it.each([2, -0.1, Number.NaN])('rejects an error rate of %p, naming it', (errorRate) => {
    expect(() => new Faults({ errorRate })).toThrow(/errorRate/);
    expect(() => new Faults().update({ errorRate })).toThrow(/errorRate/);
  });

  it.each([-1, 2.5, Number.POSITIVE_INFINITY, Number.NaN])('rejects a latency of %p ms, naming it', (latencyMs) => {
    expect(() => new Faults().update({ latencyMs })).toThrow(/latencyMs/);
  });

  it('keeps its previous settings when a change is rejected', () => {
    const faults = new Faults({ errorRate: 0.5, latencyMs: 20 });

    expect(() => faults.update({ errorRate: 2, latencyMs: 0 })).toThrow(/errorRate/);

    expect(faults.current).toEqual({ errorRate: 0.5, latencyMs: 20, outage: false });
  });

  it('delays each call by the configured latency', async () => {
    jest.useFakeTimers();
    const faults = new Faults({ latencyMs: 500 });
    let settled = false;
    const call = faults.apply().then(() => {
      settled = true;
    });

    await jest.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);

    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    await call;
  });

  it('fails an outage call only after the latency has passed', async () => {
    jest.useFakeTimers();
    const payments = new SimulatedPayments({ faults: { latencyMs: 1_000, outage: true } });
    let outcome: unknown = 'pending';
    const call = payments.charge(chargeRequest()).then(
      () => (outcome = 'ok'),
      (error: unknown) => (outcome = error),
    );

    await jest.advanceTimersByTimeAsync(999);
    expect(outcome).toBe('pending');

    await jest.advanceTimersByTimeAsync(1);
    expect(outcome).toBeInstanceOf(ServiceUnavailableError);
    await call;
  });

  it('slows down the simulators that use it', async () => {
    jest.useFakeTimers();
    const payments = new SimulatedPayments({ faults: { latencyMs: 2_000 } });
    let charged = false;
    const call = payments.charge(chargeRequest()).then(() => {
      charged = true;
    });

    await jest.advanceTimersByTimeAsync(1_999);
    expect(charged).toBe(false);
    expect(payments.ledger()).toEqual([]);

    await jest.advanceTimersByTimeAsync(1);
    expect(charged).toBe(true);
    expect(payments.ledger()).toHaveLength(1);
    await call;
  });
});

describe('SimulatedNotifications', () => {
  function notification(overrides: Partial<PushNotificationRequest> = {}): PushNotificationRequest {
    return {
      idempotencyKey: 'order-1:notify:order-confirmed',
      customerId: 'cust-1',
      orderId: 'order-1',
      kind: 'order-confirmed',
      message: 'Your order is confirmed.',
      ...overrides,
    };
  }

  it('delivers a notification to the customer inbox', async () => {
    const notifications = new SimulatedNotifications();

    const { notificationId } = await notifications.send(notification());

    expect(notifications.inbox('cust-1')).toEqual([
      { ...notification(), notificationId, deliveredAt: expect.any(Date) },
    ]);
  });

  it('delivers a notification sent twice with the same key only once', async () => {
    const notifications = new SimulatedNotifications();

    const first = await notifications.send(notification());
    const again = await notifications.send(notification());

    expect(again).toEqual(first);
    expect(notifications.inbox('cust-1')).toHaveLength(1);
  });

  it('delivers notifications with different keys separately', async () => {
    const notifications = new SimulatedNotifications();

    const first = await notifications.send(notification());
    const second = await notifications.send(
      notification({ idempotencyKey: 'order-1:notify:order-delivered', kind: 'order-delivered' }),
    );

    expect(second.notificationId).not.toBe(first.notificationId);
    expect(notifications.inbox('cust-1').map((delivered) => delivered.kind)).toEqual([
      'order-confirmed',
      'order-delivered',
    ]);
  });

  it('shows each customer only their own notifications', async () => {
    const notifications = new SimulatedNotifications();
    await notifications.send(notification());
    await notifications.send(
      notification({ idempotencyKey: 'order-2:notify:order-confirmed', customerId: 'cust-2', orderId: 'order-2' }),
    );

    expect(notifications.inbox('cust-1').map((delivered) => delivered.orderId)).toEqual(['order-1']);
    expect(notifications.inbox('cust-2').map((delivered) => delivered.orderId)).toEqual(['order-2']);
    expect(notifications.inbox('cust-3')).toEqual([]);
  });

  it('calls onDeliver once per unique notification', async () => {
    const onDeliver = jest.fn((_delivered: DeliveredNotification) => undefined);
    const notifications = new SimulatedNotifications({ onDeliver });

    const first = await notifications.send(notification());
    await notifications.send(notification());
    await notifications.send(notification({ idempotencyKey: 'order-1:notify:order-delivered' }));

    expect(onDeliver).toHaveBeenCalledTimes(2);
    expect(onDeliver).toHaveBeenNthCalledWith(
      1,
      expect.objectContaining({ ...notification(), notificationId: first.notificationId }),
    );
  });

  it('delivers nothing during an outage and delivers on the next try once it is over', async () => {
    const onDeliver = jest.fn();
    const notifications = new SimulatedNotifications({ faults: { outage: true }, onDeliver });

    await expect(notifications.send(notification())).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(notifications.inbox('cust-1')).toEqual([]);
    expect(onDeliver).not.toHaveBeenCalled();

    notifications.faults.update({ outage: false });
    await notifications.send(notification());
    expect(notifications.inbox('cust-1')).toHaveLength(1);
    expect(onDeliver).toHaveBeenCalledTimes(1);
  });
});
