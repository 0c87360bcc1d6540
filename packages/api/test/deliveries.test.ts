import { createCallerFactory, customerAppRouter, driverAppRouter } from '../src';
import { eventually } from '@durable-delivery/temporal-server';
import { orderWorkflowId, shortOrderNumber } from '@durable-delivery/workflows';
import { ApiHarness, TEST_WINDOWS, anOrderForm, overHttp, rejectionOf, uniqueId } from './harness';

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

/** Waits until the order's workflow has closed: Temporal then takes no update, and the API must still answer true. */
async function closed(orderId: string): Promise<void> {
  await eventually(async () => {
    const { status } = await api.client.workflow.getHandle(orderWorkflowId(orderId)).describe();
    return status.name === 'RUNNING' ? undefined : status.name;
  });
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
      area: { city: 'Springfield', postalCode: '12345' },
      totalCents: 2 * 1450 + 299,
    });

    const status = await driver.caller.deliveries.pickUp({ orderId });
    expect(status).toMatchObject({ state: 'pickedUp', driverId: driver.id });

    const mine = await eventually(async () => {
      const page = await driver.caller.deliveries.mine({});
      return page.orders.length > 0 ? page : undefined;
    });
    expect(mine.orders).toEqual([
      expect.objectContaining({
        orderId,
        state: 'pickedUp',
        deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
      }),
    ]);
    expect((await aDriver().caller.deliveries.mine({})).orders).toEqual([]);
  });

  it("shows every driver the waiting order's area and dishes only, and the full address to the driver who took it", async () => {
    const customer = customerCaller(api.context({ customer: { id: uniqueId('customer'), name: 'Grace Hopper' } }));
    const address = {
      street: '7 Secret Lane',
      city: 'Springfield',
      postalCode: '54321',
      instructions: 'Key under the blue pot',
    };
    const form = anOrderForm({ deliveryAddress: address });
    expect((await customer.orders.createOrder(form)).outcome).toBe('paid');
    const onlooker = aDriver();
    const taker = aDriver();

    // Over HTTP, as the driver app receives it: nothing of the person is anywhere in the answer.
    const waiting = await eventually(async () => {
      const response = await overHttp(
        driverAppRouter,
        api.context({ driver: { id: onlooker.id, name: `Driver ${onlooker.id}` } }),
        {
          path: 'deliveries.waiting',
          input: { limit: 50 },
          type: 'query',
        },
      );
      return response.text.includes(form.orderId) ? response : undefined;
    });
    for (const secret of ['Grace', 'Hopper', 'Secret Lane', 'Key under', 'street', 'instructions', 'customerName'])
      expect(waiting.text).not.toContain(secret);
    const row = (await onlooker.caller.deliveries.waiting({ limit: 50 })).orders.find(
      (order) => order.orderId === form.orderId,
    );
    expect(row).toEqual({
      orderId: form.orderId,
      orderNumber: shortOrderNumber(form.orderId),
      deadline: expect.any(String),
      state: 'paid',
      totalCents: expect.any(Number),
      startedAt: expect.any(String),
      dishes: '2× Poke',
      area: { postalCode: '54321', city: 'Springfield' },
    });

    await taker.caller.deliveries.pickUp({ orderId: form.orderId });
    const mine = await eventually(async () => {
      const page = await taker.caller.deliveries.mine({});
      return page.orders.find((order) => order.orderId === form.orderId);
    });
    expect(mine).toMatchObject({ customerName: 'Grace Hopper', deliveryAddress: address });
    expect((await onlooker.caller.deliveries.mine({})).orders).toEqual([]);
  });

  it('answers a made-up cursor on either list with a 400 naming the field', async () => {
    const driver = aDriver();
    for (const path of ['deliveries.waiting', 'deliveries.mine'])
      for (const cursor of ['%%%', btoa('{"StartTime":"2026-02-30T00:00:00Z"}'), btoa('null')]) {
        const response = await overHttp(
          driverAppRouter,
          api.context({ driver: { id: driver.id, name: `Driver ${driver.id}` } }),
          {
            path,
            input: { cursor },
            type: 'query',
          },
        );
        expect({ path, cursor, status: response.status, body: response.body }).toMatchObject({
          path,
          cursor,
          status: 400,
          body: { error: { message: 'Invalid input: cursor must be a cursor from a previous page.' } },
        });
      }
  });

  it('pages the waiting list with the cursor it hands out', async () => {
    await paidOrder();
    await paidOrder();
    const driver = aDriver();
    const first = await eventually(async () => {
      const page = await driver.caller.deliveries.waiting({ limit: 1 });
      return page.nextCursor ? page : undefined;
    });
    const second = await driver.caller.deliveries.waiting({ limit: 1, cursor: first.nextCursor });
    expect(second.orders).toHaveLength(1);
    expect(second.orders[0]!.orderId).not.toBe(first.orders[0]!.orderId);
  });

  it("refuses a second driver's pick-up, a wrong driver's delivery and a cancel after pick-up, with CONFLICT", async () => {
    const { customer, orderId } = await paidOrder();
    const first = aDriver();
    const second = aDriver();
    await first.caller.deliveries.pickUp({ orderId });

    const latePickUp = await rejectionOf(second.caller.deliveries.pickUp({ orderId }));
    expect(latePickUp).toMatchObject({ code: 'CONFLICT' });
    // A driver is never told who has the order: that would say whom to impersonate.
    expect(latePickUp.message).toBe(
      `Cannot pick up order ${shortOrderNumber(orderId)}: it was already picked up by another driver.`,
    );
    const wrongDelivery = await rejectionOf(second.caller.deliveries.deliver({ orderId }));
    expect(wrongDelivery).toMatchObject({ code: 'CONFLICT' });
    expect(wrongDelivery.message).toBe(
      `Cannot deliver order ${shortOrderNumber(orderId)}: it was picked up by another driver.`,
    );
    for (const message of [latePickUp.message, wrongDelivery.message]) expect(message).not.toContain(first.id);
    // The driver who has it is told it is them.
    const again = await rejectionOf(first.caller.deliveries.pickUp({ orderId }));
    expect(again.message).toBe(`Cannot pick up order ${shortOrderNumber(orderId)}: it was already picked up by you.`);
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

  it("shows each list row the deadline the workflow set: the waiting order's pickup, the held order's delivery", async () => {
    const { customer, orderId } = await paidOrder();
    const driver = aDriver();
    const waiting = await eventually(async () =>
      (await driver.caller.deliveries.waiting({ limit: 50 })).orders.find((order) => order.orderId === orderId),
    );
    const paid = await customer.orders.order({ orderId });
    expect(waiting.deadline).toBe(paid.deadlines.pickUpBy);

    await driver.caller.deliveries.pickUp({ orderId });
    const held = await eventually(async () =>
      (await driver.caller.deliveries.mine({})).orders.find((order) => order.orderId === orderId && order.deadline),
    );
    const pickedUp = await customer.orders.order({ orderId });
    expect(held.deadline).toBe(pickedUp.deadlines.deliverBy);
  });

  it('tells a driver who picks up a cancelled order that it was cancelled and when, never "not found"', async () => {
    const { customer, orderId } = await paidOrder();
    const cancelled = await customer.orders.cancel({ orderId });
    const driver = aDriver();

    // While the refund runs the workflow refuses in its validator; once it has closed Temporal refuses the update
    // itself. Both are the same answer.
    for (const moment of ['at once', 'once closed']) {
      if (moment === 'once closed') await closed(orderId);
      const refusal = await rejectionOf(driver.caller.deliveries.pickUp({ orderId }));
      expect({ moment, refusal }).toMatchObject({
        moment,
        refusal: {
          code: 'CONFLICT',
          message: `Cannot pick up order ${shortOrderNumber(orderId)}: it was cancelled by the customer at ${cancelled.cancellation!.requestedAt.slice(11, 19)} UTC.`,
        },
      });
    }
    // Over HTTP the board gets which ending and when, to word in the driver's own time zone.
    const response = await overHttp(
      driverAppRouter,
      api.context({ driver: { id: driver.id, name: `Driver ${driver.id}` } }),
      { path: 'deliveries.pickUp', input: { orderId }, type: 'mutation' },
    );
    expect(response.body).toMatchObject({
      error: {
        data: {
          code: 'CONFLICT',
          ended: {
            action: 'pickUp',
            orderNumber: shortOrderNumber(orderId),
            ending: 'cancelled',
            at: cancelled.cancellation!.requestedAt,
          },
        },
      },
    });
  });

  it("keeps an order on its driver's list when its delivery window closes, and says so on Delivered", async () => {
    const form = anOrderForm();
    const shortDelivery = customerCaller({
      ...api.context({ customer: { id: uniqueId('customer') } }),
      orderWindows: { ...TEST_WINDOWS, delivery: 1_500 },
    });
    expect((await shortDelivery.orders.createOrder(form)).outcome).toBe('paid');
    const { orderId } = form;
    const driver = aDriver();
    await driver.caller.deliveries.pickUp({ orderId });
    await closed(orderId);

    const held = await eventually(async () =>
      (await driver.caller.deliveries.mine({})).orders.find(
        (order) => order.orderId === orderId && order.state === 'refunded',
      ),
    );
    expect(held.ended).toEqual({ ending: 'notDeliveredInTime', at: expect.any(String) });
    expect(held.deadline).toBeUndefined();

    const refusal = await rejectionOf(driver.caller.deliveries.deliver({ orderId }));
    expect(refusal).toMatchObject({ code: 'CONFLICT' });
    expect(refusal.message).toBe(
      `Cannot deliver order ${shortOrderNumber(orderId)}: it was refunded: it was not delivered in time. The delivery window closed at ${held.ended!.at.slice(11, 19)} UTC.`,
    );
    // Nobody else's list, and not the waiting list.
    expect((await aDriver().caller.deliveries.mine({})).orders).toEqual([]);
  });

  it('answers NOT_FOUND for picking up an order that does not exist', async () => {
    await expect(aDriver().caller.deliveries.pickUp({ orderId: uniqueId('nope') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
