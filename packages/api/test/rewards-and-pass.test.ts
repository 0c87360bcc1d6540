import { eventually } from '@durable-delivery/temporal-server';
import { createCallerFactory, customerAppRouter, driverAppRouter } from '../src';
import { ApiHarness, anOrderForm, overHttp, rejectionOf, uniqueId } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await ApiHarness.start();
});

afterAll(async () => {
  await api?.stop();
});

const customerCaller = createCallerFactory(customerAppRouter);
const driverCaller = createCallerFactory(driverAppRouter);

function aCustomer() {
  const identity = { id: uniqueId('customer') };
  return { identity, caller: customerCaller(api.context({ customer: identity })) };
}

function driver() {
  return driverCaller(api.context({ driver: { id: 'driver-rewards', name: 'A driver' } }));
}

/** 4 × Poke ($58.00) + delivery: 60 points, enough for Bronze. */
const BIG_ORDER = [{ productId: 'poke', quantity: 4 }];

/** Orders, and a driver picks it up and delivers it; resolves once the points are on the customer's account. */
async function deliveredOrder(caller: ReturnType<typeof aCustomer>['caller'], items = BIG_ORDER) {
  const form = anOrderForm({ items });
  expect((await caller.orders.createOrder(form)).outcome).toBe('paid');
  await driver().deliveries.pickUp({ orderId: form.orderId });
  await driver().deliveries.deliver({ orderId: form.orderId });
  await eventually(async () => {
    const summary = await caller.rewards.summary();
    return summary.history.some((change) => change.orderId === form.orderId) ? summary : undefined;
  });
  return form.orderId;
}

describe('rewards', () => {
  it("shows a new customer the program and no points, then their own points and history, and nobody else's", async () => {
    const ada = aCustomer();
    const bob = aCustomer();
    expect(await ada.caller.rewards.summary()).toMatchObject({
      member: false,
      points: 0,
      level: 'member',
      nextLevel: { level: 'bronze', points: 50, pointsToGo: 50 },
    });

    const orderId = await deliveredOrder(ada.caller);
    const summary = await ada.caller.rewards.summary();
    expect(summary).toMatchObject({ member: true, customerId: ada.identity.id, points: 60, level: 'bronze' });
    expect(summary.history).toEqual([expect.objectContaining({ orderId, points: 60, balance: 60 })]);
    expect(summary.rewards).toEqual([expect.objectContaining({ rewardId: 'bronze-1', state: 'available' })]);
    expect((await ada.caller.orders.order({ orderId })).loyalty).toEqual({
      pointsEarned: 60,
      points: 60,
      level: 'bronze',
    });
    expect(await bob.caller.rewards.summary()).toMatchObject({ member: false, points: 0, customerId: bob.identity.id });
  });

  it('applies a reward at checkout once: the order costs less, and a second order is declined with the reason', async () => {
    const { caller } = aCustomer();
    await deliveredOrder(caller);
    const form = anOrderForm({ items: [{ productId: 'ramen', quantity: 1 }], rewardId: 'bronze-1' });
    const discounted = await caller.orders.createOrder(form);
    expect(discounted).toMatchObject({
      outcome: 'paid',
      status: {
        subtotalCents: 1_600,
        totalCents: 1_600 + 299 - 300,
        perks: { discountCents: 300, reward: { rewardId: 'bronze-1' } },
      },
    });
    expect(api.payments.ledger().find((entry) => entry.orderId === form.orderId)?.amountCents).toBe(1_599);

    const again = await caller.orders.createOrder(anOrderForm({ items: BIG_ORDER, rewardId: 'bronze-1' }));
    expect(again).toMatchObject({
      outcome: 'declined',
      reason: `Your Bronze reward was already used on order ${form.orderId.slice(0, 8)}.`,
    });
    const summary = await caller.rewards.summary();
    expect(summary.rewards).toEqual([expect.objectContaining({ state: 'redeemed', redeemedBy: form.orderId })]);
  });

  it('gives the reward back when its order is cancelled', async () => {
    const { caller } = aCustomer();
    await deliveredOrder(caller);
    const form = anOrderForm({ items: BIG_ORDER, rewardId: 'bronze-1' });
    await caller.orders.createOrder(form);
    await caller.orders.cancel({ orderId: form.orderId, reason: 'changed my mind' });
    const summary = await eventually(async () => {
      const current = await caller.rewards.summary();
      return current.rewards[0]?.state === 'available' ? current : undefined;
    });
    expect(summary.rewards).toEqual([expect.objectContaining({ rewardId: 'bronze-1', state: 'available' })]);
    expect(summary.points).toBe(60);
  });
});

describe('the delivery pass', () => {
  it('subscribes, makes the next delivery free, cancels to the end of the period and resumes', async () => {
    const { caller } = aCustomer();
    const before = await caller.pass.status();
    expect(before.pass).toBeUndefined();
    expect(before.offer).toEqual({ priceCents: 999, billingPeriodMs: 30 * 24 * 60 * 60 * 1000 });

    const pass = await caller.pass.subscribe({ subscriptionId: uniqueId('sub'), paymentMethod: 'tok_visa' });
    expect(pass).toMatchObject({ state: 'active', timesCharged: 1, freeDelivery: true, priceCents: 999 });

    const order = await caller.orders.createOrder(anOrderForm());
    expect(order.status).toMatchObject({ deliveryFeeCents: 0, perks: { deliveryFeeWaivedCents: 299 } });

    const cancelled = await caller.pass.cancel({ reason: 'trying it out' });
    expect(cancelled).toMatchObject({ state: 'cancelling', freeDelivery: true, endsAt: pass.paidThrough });
    expect(await rejectionOf(caller.pass.cancel({}))).toMatchObject({
      code: 'CONFLICT',
      message: `Your pass is already cancelled; it ends on ${pass.paidThrough}.`,
    });
    expect(await caller.pass.resume()).toMatchObject({ state: 'active', nextChargeAt: pass.paidThrough });
    expect((await caller.pass.status()).pass).toMatchObject({ state: 'active' });
  });

  it("answers a declined card with the reason, and keeps one customer's pass from another", async () => {
    const ada = aCustomer();
    const bob = aCustomer();
    const declined = await ada.caller.pass.subscribe({
      subscriptionId: uniqueId('sub'),
      paymentMethod: 'tok_chargeDeclinedInsufficientFunds',
    });
    expect(declined).toMatchObject({
      state: 'ended',
      endReason: 'declined',
      failure: 'Your card has insufficient funds.',
    });
    expect(await rejectionOf(ada.caller.pass.resume())).toMatchObject({
      code: 'CONFLICT',
      message: 'Your pass has ended; subscribe again to start a new one.',
    });

    const active = await ada.caller.pass.subscribe({ subscriptionId: uniqueId('sub'), paymentMethod: 'tok_visa' });
    expect(active.state).toBe('active');
    expect((await bob.caller.pass.status()).pass).toBeUndefined();
    expect(await rejectionOf(bob.caller.pass.cancel({}))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await ada.caller.pass.status()).pass).toMatchObject({ state: 'active' });
  });

  it('answers a retried subscribe with the same pass, charged once', async () => {
    const { caller, identity } = aCustomer();
    const request = { subscriptionId: uniqueId('sub'), paymentMethod: 'tok_visa' };
    const [first, retried] = await Promise.all([caller.pass.subscribe(request), caller.pass.subscribe(request)]);
    expect(retried.subscriptionId).toBe(first.subscriptionId);
    const charges = api.payments
      .ledger()
      .filter((entry) => entry.type === 'charge' && entry.idempotencyKey.startsWith(`subscription-${identity.id}:`));
    expect(charges).toHaveLength(1);
  });
});

describe('input and identity', () => {
  it('refuses a forged discount or delivery fee, and a malformed reward id, with BAD_REQUEST naming the field', async () => {
    const { identity } = aCustomer();
    const context = api.context({ customer: identity });
    const forged = await overHttp(customerAppRouter, context, {
      path: 'orders.createOrder',
      input: { ...anOrderForm(), deliveryFeeCents: 0, discountCents: 5_000 },
      type: 'mutation',
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/deliveryFeeCents|discountCents|Unrecognized/);

    const malformed = await overHttp(customerAppRouter, context, {
      path: 'orders.createOrder',
      input: anOrderForm({ rewardId: 'DROP TABLE' }),
      type: 'mutation',
    });
    expect(malformed.body).toMatchObject({
      error: { data: { code: 'BAD_REQUEST', fieldErrors: { rewardId: ['must be a reward id like "bronze-1"'] } } },
    });

    const subscribe = await overHttp(customerAppRouter, context, {
      path: 'pass.subscribe',
      input: { subscriptionId: 'x', paymentMethod: 'tok_visa', priceCents: 1 },
      type: 'mutation',
    });
    expect(subscribe.status).toBe(400);
  });

  it('refuses rewards and pass procedures without a signed-in customer', async () => {
    const anonymous = customerCaller(api.context());
    await expect(anonymous.rewards.summary()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.pass.status()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.pass.subscribe({ subscriptionId: 's', paymentMethod: 'tok_visa' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
