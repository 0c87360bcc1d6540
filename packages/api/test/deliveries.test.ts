import { createCallerFactory, customerAppRouter, driverAppRouter } from '../src';
import { eventually } from '@durable-delivery/temporal-server';
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
  return customerCaller(api.context({ customer: { id: uniqueId('customer') } }));
}

function aDriver() {
  const id = uniqueId('driver');
  return { id, caller: driverCaller(api.context({ driver: { id, name: `Driver ${id}` } })) };
}

/** A paid order, waiting for a driver. */
async function paidOrder() {
  const customer = aCustomer();
  const form = anOrderForm();
  expect((await customer.orders.createOrder(form)).outcome).toBe('paid');
  return { customer, orderId: form.orderId };
}

describe('driver deliveries', () => {
  it('refuses every driver procedure without a signed-in driver', async () => {
    const nobody = driverCaller(api.context({ customer: { id: uniqueId('customer') } }));
    await expect(nobody.deliveries.waiting({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(nobody.deliveries.mine({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(nobody.deliveries.pickUp({ orderId: 'any' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(nobody.deliveries.deliver({ orderId: 'any' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('lists a paid order as waiting, lets one driver pick it up and lists it as theirs', async () => {
    const { orderId } = await paidOrder();
    const driver = aDriver();

    const waiting = await eventually(async () => {
      const page = await driver.caller.deliveries.waiting({ limit: 50 });
      return page.orders.find((order) => order.orderId === orderId && order.state === 'paid');
    });
    // What the driver needs to see comes with the list row (the order's memo): no per-order query.
    expect(waiting).toMatchObject({
      dishes: '2× Poke',
      deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
      totalCents: 2 * 1450 + 299,
    });

    const status = await driver.caller.deliveries.pickUp({ orderId });
    expect(status).toMatchObject({ state: 'pickedUp', driverId: driver.id });

    const mine = await eventually(async () => {
      const page = await driver.caller.deliveries.mine({});
      return page.orders.length > 0 ? page : undefined;
    });
    expect(mine.orders).toEqual([expect.objectContaining({ orderId, state: 'pickedUp' })]);
    expect((await aDriver().caller.deliveries.mine({})).orders).toEqual([]);
  });

  it("refuses a second driver's pick-up, a wrong driver's delivery and a cancel after pick-up, with CONFLICT", async () => {
    const { customer, orderId } = await paidOrder();
    const first = aDriver();
    const second = aDriver();
    await first.caller.deliveries.pickUp({ orderId });

    const latePickUp = await rejectionOf(second.caller.deliveries.pickUp({ orderId }));
    expect(latePickUp).toMatchObject({ code: 'CONFLICT' });
    // A driver is never told who has the order: that would say whom to impersonate.
    expect(latePickUp.message).toBe(`Cannot pick up order ${orderId}: it was already picked up by another driver.`);
    const wrongDelivery = await rejectionOf(second.caller.deliveries.deliver({ orderId }));
    expect(wrongDelivery).toMatchObject({ code: 'CONFLICT' });
    expect(wrongDelivery.message).toBe(`Cannot deliver order ${orderId}: it was picked up by another driver.`);
    for (const message of [latePickUp.message, wrongDelivery.message]) expect(message).not.toContain(first.id);
    // The driver who has it is told it is them.
    const again = await rejectionOf(first.caller.deliveries.pickUp({ orderId }));
    expect(again.message).toBe(`Cannot pick up order ${orderId}: it was already picked up by you.`);
    await expect(customer.orders.cancel({ orderId })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already picked up'),
    });
  });

  it('delivers, then takes a rating from the customer only, refusing six stars', async () => {
    const { customer, orderId } = await paidOrder();
    const driver = aDriver();
    await driver.caller.deliveries.pickUp({ orderId });
    expect(await driver.caller.deliveries.deliver({ orderId })).toMatchObject({ state: 'delivered' });

    const sixStars = await overHttp(customerAppRouter, api.context({ customer: { id: uniqueId('customer') } }), {
      path: 'orders.rate',
      input: { orderId, stars: 6 },
      type: 'mutation',
    });
    expect(sixStars.body).toMatchObject({
      error: { data: { code: 'BAD_REQUEST', fieldErrors: { stars: expect.any(Array) } } },
    });
    await expect(customer.orders.rate({ orderId, stars: 6 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(aCustomer().orders.rate({ orderId, stars: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const rated = await customer.orders.rate({ orderId, stars: 5, comment: 'Still warm' });
    expect(rated.rating).toMatchObject({ stars: 5, comment: 'Still warm' });
  });

  it('lets the customer cancel a paid order nobody has picked up, and not someone else', async () => {
    const { customer, orderId } = await paidOrder();
    await expect(aCustomer().orders.cancel({ orderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const cancelled = await customer.orders.cancel({ orderId, reason: 'changed my mind' });
    expect(cancelled.cancellation).toMatchObject({ reason: 'changed my mind' });
  });

  it('answers NOT_FOUND for picking up an order that does not exist', async () => {
    await expect(aDriver().caller.deliveries.pickUp({ orderId: uniqueId('nope') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
