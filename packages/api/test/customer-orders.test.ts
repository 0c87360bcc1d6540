import { ORDER_TASK_QUEUE, getStatusQuery, orderWorkflowId, type OrderWorkflow } from '@durable-delivery/workflows';
import { Client } from '@temporalio/client';
import { createCallerFactory, customerAppRouter, driverAppRouter, type ApiLog } from '../src';
import { eventually } from '@durable-delivery/temporal-server';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHECKOUT_WAIT_MS } from '../src/router/customer-orders';
import { ApiHarness, anOrderForm, overHttp, rejectionOf, uniqueId } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await ApiHarness.start();
});

afterAll(async () => {
  await api?.stop();
});

const createCaller = createCallerFactory(customerAppRouter);

function customer(name = 'Ada') {
  const identity = { id: uniqueId('customer'), name };
  return { identity, caller: createCaller(api.context({ customer: identity })) };
}

/** A client on the harness's connection that notes every workflow call it sends, by kind. */
function countingClient() {
  const sent: string[] = [];
  const noted =
    <K extends string>(kind: K) =>
    <I, O>(input: I, next: (input: I) => O): O => {
      sent.push(kind);
      return next(input);
    };
  const client = new Client({
    connection: api.client.connection,
    interceptors: {
      workflow: [
        {
          describe: noted('describe'),
          query: noted('query'),
          startUpdate: noted('update'),
          startUpdateWithStart: noted('updateWithStart'),
          signal: noted('signal'),
          start: noted('start'),
        },
      ],
    },
  });
  return { client, sent };
}

describe('customer orders', () => {
  it('answers paid for a good card, with the order placed for the signed-in customer', async () => {
    const { identity, caller } = customer();
    const form = anOrderForm();
    const result = await caller.orders.createOrder(form);
    expect(result.outcome).toBe('paid');
    expect(result.reason).toBeUndefined();
    expect(result.status).toMatchObject({ orderId: form.orderId, customerId: identity.id, customerName: 'Ada' });
    expect(result.status.state).toBe('paid');
  });

  it('tells a customer whose cancel lost to a pick-up who has the order by name, never by account id', async () => {
    const { caller } = customer();
    const form = anOrderForm();
    await caller.orders.createOrder(form);
    const driverId = uniqueId('driver');
    const driver = createCallerFactory(driverAppRouter)(api.context({ driver: { id: driverId, name: 'Sam' } }));
    await driver.deliveries.pickUp({ orderId: form.orderId });

    const refusal = await rejectionOf(caller.orders.cancel({ orderId: form.orderId }));
    expect(refusal).toMatchObject({ code: 'CONFLICT' });
    expect(refusal.message).toBe(`Cannot cancel order ${form.orderId.slice(0, 8)}: it was already picked up by Sam.`);
    const status = await caller.orders.order({ orderId: form.orderId });
    expect(status).toMatchObject({ state: 'pickedUp', driverName: 'Sam' });
    expect(JSON.stringify(status)).not.toContain(driverId);
  });

  it('answers declined with the reason for a card with insufficient funds', async () => {
    const { caller } = customer();
    const result = await caller.orders.createOrder(
      anOrderForm({ paymentMethod: 'tok_chargeDeclinedInsufficientFunds' }),
    );
    expect(result.outcome).toBe('declined');
    expect(result.reason).toEqual(expect.any(String));
    expect(result.reason).toBe(result.status.failure?.message);
    expect(result.status.state).toBe('paymentFailed');
  });

  it('returns the same order for a retried createOrder and charges once', async () => {
    const { caller } = customer();
    const form = anOrderForm();
    const first = await caller.orders.createOrder(form);
    const retried = await caller.orders.createOrder(form);
    expect(retried.outcome).toBe('paid');
    expect(retried.status.chargeId).toBe(first.status.chargeId);
    expect(retried.status.transitions[0]).toEqual(first.status.transitions[0]);
    expect(api.chargesOf(form.orderId)).toBe(1);
  });

  it('answers a retry of a declined order, after the order has closed, with the same decline', async () => {
    const { caller } = customer();
    const form = anOrderForm({ paymentMethod: 'tok_chargeDeclinedInsufficientFunds' });
    const first = await caller.orders.createOrder(form);
    // A declined order ends at once, failed: wait for that, so the retry meets a closed workflow.
    const handle = api.client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(form.orderId));
    await expect(handle.result()).rejects.toThrow();
    const retried = await caller.orders.createOrder(form);
    expect(retried).toMatchObject({ outcome: 'declined', reason: first.reason });
  });

  it("refuses another customer's order id, reveals nothing and leaves the original untouched", async () => {
    const ada = customer('Ada');
    const mallory = customer('Mallory');
    const form = anOrderForm();
    await ada.caller.orders.createOrder(form);
    const handle = api.client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(form.orderId));
    const before = await handle.query(getStatusQuery);

    const error = await rejectionOf(
      mallory.caller.orders.createOrder({ ...form, items: [{ productId: 'ramen', quantity: 1 }] }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).not.toContain(ada.identity.id);
    expect(error.message).not.toContain('Ada');
    expect(JSON.stringify(error)).not.toContain(ada.identity.id);

    expect(await handle.query(getStatusQuery)).toEqual(before);
    expect(api.chargesOf(form.orderId)).toBe(1);
    // Not even an update was sent to it: the history holds only Ada's checkout.
    const history = await handle.fetchHistory();
    const updates = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(updates).toHaveLength(1);
  });

  it("answers NOT_FOUND for another customer's order, exactly as for an unknown id", async () => {
    const ada = customer('Ada');
    const mallory = customer('Mallory');
    const form = anOrderForm();
    await ada.caller.orders.createOrder(form);

    expect((await ada.caller.orders.order({ orderId: form.orderId })).orderId).toBe(form.orderId);
    const theirs = await rejectionOf(mallory.caller.orders.order({ orderId: form.orderId }));
    const unknown = await rejectionOf(mallory.caller.orders.order({ orderId: uniqueId('nope') }));
    expect(theirs).toMatchObject({ code: 'NOT_FOUND' });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: theirs.message });
  });

  it('checks ownership first: a foreign order and a missing one get the same answer from the same single call', async () => {
    const ada = customer('Ada');
    const mallory = customer('Mallory');
    const form = anOrderForm();
    await ada.caller.orders.createOrder(form);
    const handle = api.client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(form.orderId));
    const historyBefore = (await handle.fetchHistory()).events?.length;

    // Every customer procedure that takes an order id (createOrder's existing-id path is checkout's, tested above).
    const calls = [
      { path: 'orders.order', type: 'query', input: {} },
      { path: 'orders.cancel', type: 'mutation', input: { reason: 'mine now' } },
      { path: 'orders.rate', type: 'mutation', input: { stars: 1, comment: 'meh' } },
    ] as const;
    for (const call of calls) {
      const answers = [];
      for (const orderId of [form.orderId, uniqueId('nope')]) {
        const temporal = countingClient();
        const response = await overHttp(
          customerAppRouter,
          { ...api.context({ customer: mallory.identity }), temporal: temporal.client },
          {
            ...call,
            input: { ...call.input, orderId },
          },
        );
        answers.push({ status: response.status, body: response.body, sent: temporal.sent });
      }
      const [foreign, missing] = answers;
      expect(foreign).toMatchObject({
        status: 404,
        body: { error: { message: 'Order not found.', data: { code: 'NOT_FOUND' } } },
      });
      // Same code, message and body, and the same work: one describe, no query or update reached the workflow.
      expect(missing).toEqual(foreign);
      expect(foreign!.sent).toEqual(['describe']);
    }
    expect((await handle.fetchHistory()).events?.length).toBe(historyBefore);
    expect(await ada.caller.orders.order({ orderId: form.orderId })).toMatchObject({ state: 'paid' });
  });

  it('answers NOT_FOUND for an order that failed its input check, as a raw CLI start can make', async () => {
    const { identity, caller } = customer();
    const orderId = uniqueId('raw');
    const handle = await api.client.workflow.start('order', {
      workflowId: orderWorkflowId(orderId),
      taskQueue: ORDER_TASK_QUEUE,
      args: [{ orderId, customerId: identity.id, items: [] }],
    });
    await expect(handle.result()).rejects.toThrow();
    await expect(caller.orders.order({ orderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses invalid input with BAD_REQUEST naming the field', async () => {
    const { identity, caller } = customer();
    const form = anOrderForm({ deliveryAddress: { street: ' ', city: 'Springfield', postalCode: '12345' } });
    await expect(caller.orders.createOrder(form)).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    const response = await overHttp(customerAppRouter, api.context({ customer: identity }), {
      path: 'orders.createOrder',
      input: form,
      type: 'mutation',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        message: 'Invalid input: deliveryAddress.street is required.',
        data: { code: 'BAD_REQUEST', fieldErrors: { 'deliveryAddress.street': ['is required'] } },
      },
    });
  });

  it("refuses time windows from a customer's request: they are the server's configuration", async () => {
    const { caller } = customer();
    const form = { ...anOrderForm(), windows: { pickup: '1 second' } };
    const error = await rejectionOf(caller.orders.createOrder(form));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('windows') });
    await expect(caller.orders.order({ orderId: form.orderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a dish that is not on the menu with BAD_REQUEST, before anything starts', async () => {
    const { caller } = customer();
    const form = anOrderForm({ items: [{ productId: 'unicorn-steak', quantity: 1 }] });
    const error = await rejectionOf(caller.orders.createOrder(form));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('unicorn-steak') });
    await expect(caller.orders.order({ orderId: form.orderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists only my orders, newest first, a page at a time', async () => {
    const me = customer();
    const someoneElse = customer();
    const older = anOrderForm();
    const newer = anOrderForm();
    await me.caller.orders.createOrder(older);
    await me.caller.orders.createOrder(newer);
    await someoneElse.caller.orders.createOrder(anOrderForm());

    const listed = await eventually(async () => {
      const page = await me.caller.orders.myOrders({});
      return page.orders.length === 2 ? page : undefined;
    });
    expect(listed.orders.map((order) => order.orderId)).toEqual([newer.orderId, older.orderId]);
    expect(listed.orders[0]).toMatchObject({
      state: 'paid',
      totalCents: expect.any(Number),
      startedAt: expect.any(String),
    });
    expect(listed.nextCursor).toBeUndefined();

    const first = await me.caller.orders.myOrders({ limit: 1 });
    expect(first.orders.map((order) => order.orderId)).toEqual([newer.orderId]);
    const second = await me.caller.orders.myOrders({ limit: 1, cursor: first.nextCursor });
    expect(second.orders.map((order) => order.orderId)).toEqual([older.orderId]);
  });

  it('leaves declined attempts out of My orders: they charged nothing and are not orders', async () => {
    const me = customer();
    const declined = await me.caller.orders.createOrder(
      anOrderForm({ paymentMethod: 'tok_chargeDeclinedInsufficientFunds' }),
    );
    expect(declined.outcome).toBe('declined');
    const paid = anOrderForm();
    await me.caller.orders.createOrder(paid);
    // Visibility lags: wait for the paid order, which started after the attempt, so the attempt is indexed too.
    const listed = await eventually(async () => {
      const page = await me.caller.orders.myOrders({});
      return page.orders.some((order) => order.orderId === paid.orderId) ? page : undefined;
    });
    expect(listed.orders.map((order) => order.orderId)).toEqual([paid.orderId]);
  });

  it('refuses an address a driver could not find, in words for a person, over HTTP as the form sees it', async () => {
    const { identity } = customer();
    const form = anOrderForm({ deliveryAddress: { street: '!!!', city: '???', postalCode: '00000' } });
    const response = await overHttp(customerAppRouter, api.context({ customer: identity }), {
      path: 'orders.createOrder',
      input: form,
      type: 'mutation',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        data: {
          code: 'BAD_REQUEST',
          fieldErrors: {
            'deliveryAddress.street': ['must name the street, like "1 Main Street"'],
            'deliveryAddress.city': ['must be the name of a city or town'],
            'deliveryAddress.postalCode': [expect.stringMatching(/^must be a ZIP code: 5 digits/)],
          },
        },
      },
    });
    expect(api.chargesOf(form.orderId)).toBe(0);
  });

  it('answers a made-up cursor with a 400 naming the field, and logs no error', async () => {
    const { identity } = customer();
    const log = jest.fn<void, Parameters<ApiLog>>();
    const context = { ...api.context({ customer: identity }), log };
    // Not base64; base64 of text; of a JSON array; non-canonical base64; and page tokens of the right keys whose
    // values the workflow service cannot read (measured: it retries for 18 s, then answers UNKNOWN).
    const madeUp = [
      'not a cursor!',
      'aGVsbG8gd29ybGQ=',
      btoa('[1,2]'),
      'e30',
      btoa('{"CloseTime":42,"RunID":7}'),
      btoa('{"StartTime":"2026-02-30T00:00:00Z"}'),
      btoa('{"CloseTime":"9999-12-31T23:59:59Z","Extra":1}'),
    ];
    for (const cursor of madeUp) {
      const response = await overHttp(customerAppRouter, context, {
        path: 'orders.myOrders',
        input: { cursor },
        type: 'query',
      });
      expect({ cursor, status: response.status, body: response.body }).toMatchObject({
        cursor,
        status: 400,
        body: {
          error: {
            message: 'Invalid input: cursor must be a cursor from a previous page.',
            data: { code: 'BAD_REQUEST', fieldErrors: { cursor: ['must be a cursor from a previous page'] } },
          },
        },
      });
    }
    expect(log.mock.calls.filter(([level]) => level === 'ERROR')).toEqual([]);
  });

  it('refuses order procedures without a signed-in customer, and serves the menu to anyone', async () => {
    const anonymous = createCaller(api.context());
    await expect(anonymous.orders.myOrders({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.orders.createOrder(anOrderForm())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await anonymous.menu.products()).map((product) => product.id)).toContain('poke');
  });

  it('exposes no driver procedure in the menu app', () => {
    expect(
      Object.keys(customerAppRouter._def.procedures).filter((path) => !/^(menu|orders|rewards|pass)\./.test(path)),
    ).toEqual([]);
  });

  it('answers a checkout whose start had not reached the server when its wait ended with a 503 that says to try again; the retry charges once', async () => {
    const { identity, caller } = customer();
    const log = jest.fn<void, Parameters<ApiLog>>();
    // A slow network that loses the start: it fails only after checkout stopped waiting (a slow or restarting server
    // does the same), so no order exists when checkout reads it.
    const lossy = new Client({
      connection: api.client.connection,
      interceptors: {
        workflow: [
          {
            startUpdateWithStart: async () => {
              await sleep(CHECKOUT_WAIT_MS + 1_000);
              throw new Error('the start was lost on its way to the server');
            },
          },
        ],
      },
    });
    const form = anOrderForm();
    const context = { ...api.context({ customer: identity }), temporal: lossy, log };
    const answer = await overHttp(customerAppRouter, context, {
      path: 'orders.createOrder',
      input: form,
      type: 'mutation',
    });
    // Not "Order not found" (which reads as "nothing to retry"): the customer's retry is what places the order.
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      error: { message: 'We could not confirm your order in time. Please try again: you will not be charged twice.' },
    });
    expect(log.mock.calls.filter(([level]) => level === 'ERROR')).toEqual([]);

    const retried = await caller.orders.createOrder(form);
    expect(retried.outcome).toBe('paid');
    expect(api.chargesOf(form.orderId)).toBe(1);
  });

  it('sends no stack trace in any error, and logs only the unexpected one, once', async () => {
    const { identity } = customer();
    const log = jest.fn<void, Parameters<ApiLog>>();
    const context = { ...api.context({ customer: identity }), log };
    // A namespace the server does not know: an error nobody planned for.
    const broken = { ...context, temporal: new Client({ connection: api.client.connection, namespace: 'missing' }) };
    const responses = await Promise.all([
      overHttp(customerAppRouter, context, { path: 'orders.createOrder', input: { orderId: '' }, type: 'mutation' }),
      overHttp(customerAppRouter, context, { path: 'orders.order', input: { orderId: 'nope' }, type: 'query' }),
      overHttp(customerAppRouter, { ...api.context(), log }, { path: 'orders.myOrders', input: {}, type: 'query' }),
      overHttp(customerAppRouter, broken, { path: 'orders.order', input: { orderId: 'any' }, type: 'query' }),
    ]);
    expect(responses.map((response) => response.status)).toEqual([400, 404, 401, 500]);
    for (const response of responses) {
      expect(response.text).not.toContain('stack');
      expect(response.text).not.toMatch(/\bat .+:\d+:\d+/);
    }
    expect(responses[3].body).toMatchObject({
      error: { message: 'Something went wrong on our side. Please try again.' },
    });
    // Every failed call gets its one access line; only the unplanned one is an error, logged once in detail.
    expect(log.mock.calls.filter(([level]) => level === 'INFO').map(([, , fields]) => fields?.code)).toEqual(
      expect.arrayContaining(['BAD_REQUEST', 'NOT_FOUND', 'UNAUTHORIZED', 'INTERNAL_SERVER_ERROR']),
    );
    const errors = log.mock.calls.filter(([level]) => level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe('order API: unexpected error');
  });
});
