import { randomBytes } from 'node:crypto';
import { replicaName, type Stack, type StackProcess } from '@durable-delivery/stack';
import { expect, test } from '../harness/console-guard';
import { newPerson, signInDriver } from '../harness/app';
import {
  LiveStream,
  Person,
  Unreachable,
  balanced,
  queryPath,
  send,
  trpcData,
  type PushedNotification,
} from './client';
import { startOwnStack } from './own-stack';

/*
 * Every process scaled past one: two workers, two menu servers, two driver servers and two notification services
 * (each its own process and port) on the Temporal server on PostgreSQL, with one PostgreSQL for what the replicas
 * share (driver accounts and sessions, rate limits, the notifications' inbox). The stack wires app replica i to
 * notification replica i and every worker to the last one, so a customer streaming through menu replica 0 only gets
 * events that crossed from one notification process to the other.
 */

const REPLICAS = 2;
/** Bounds on a hang, generous on a shared 2-core machine: not performance assertions. */
const STEP_MS = 120_000;
const ORDERS = 6;
const DELIVERY_ADDRESS = { street: '1 Main Street', city: 'Springfield', postalCode: '12345' } as const;
const PRODUCTS = ['poke', 'burrata', 'ramen'] as const;

let stack: Stack;
/** Processes that exited while nobody asked them to (a kill by the test is asked for). */
const unexpectedExits: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(600_000);
  stack = await startOwnStack(
    {
      label: 'replicas',
      temporal: { kind: 'postgres' },
      parts: ['payments', 'notifications', 'worker', 'menu', 'driver'],
      workers: REPLICAS,
      replicas: { menu: REPLICAS, driver: REPLICAS, notifications: REPLICAS },
      postgres: true,
      env: {
        apps: {
          ORDER_PICKUP_WINDOW: '30 minutes',
          ORDER_DELIVERY_WINDOW: '30 minutes',
          // No rating prompt within the test: each order's notifications are its pick-up and its delivery.
          ORDER_RATE_PROMPT_DELAY: '30 minutes',
          ORDER_RATING_WINDOW: '30 minutes',
        },
      },
    },
    unexpectedExits,
  );
});

test.afterAll(async () => {
  await stack?.stop();
});

/** Every live stream a test opened: closed after it, passed or not (each would otherwise keep reconnecting). */
const streams: LiveStream[] = [];

function openStream(customer: Person, menus: readonly string[]): Promise<LiveStream> {
  const stream = new LiveStream(customer, menus);
  streams.push(stream);
  return stream.open().then(() => stream);
}

test.afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
  expect(unexpectedExits, 'processes that died by themselves').toEqual([]);
});

const appUrls = (app: 'menu' | 'driver') =>
  Array.from({ length: REPLICAS }, (_, index) => stack.app(replicaName(app, index)).url);
/** The replicas, `first` first: a person's own replica, then where the balancer sends them when it is gone. */
const preferring = (urls: readonly string[], first: number) => [...urls.slice(first), ...urls.slice(0, first)];
const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

/** A customer identity: the menu's first page view sets it (one sealed cookie, good on every menu replica). */
async function newCustomer(name: string, menus: readonly string[]): Promise<Person> {
  const customer = new Person(name);
  const answer = await balanced(customer, menus, '/');
  expect(answer.status).toBe(200);
  expect(customer.cookieHeader()).not.toBe('');
  return customer;
}

/** Checkout with the client's own order id: safe to send again to another replica. Waits until it is paid. */
async function checkout(customer: Person, menus: readonly string[], orderId: string, index: number): Promise<void> {
  const body = {
    orderId,
    items: [{ productId: PRODUCTS[index % PRODUCTS.length], quantity: 1 }],
    deliveryAddress: DELIVERY_ADDRESS,
    paymentMethod: 'tok_visa',
  };
  const answer = await balanced(customer, menus, '/api/trpc/orders.createOrder', { method: 'POST', json: body });
  const { outcome } = trpcData(`createOrder ${orderId}`, answer);
  // 'charging': the checkout's wait ran out first (a slow or killed worker); the order carries on.
  expect(['paid', 'charging']).toContain(outcome);
  await expect.poll(() => orderState(customer, menus, orderId), { timeout: STEP_MS }).toBe('paid');
}

async function orderStatus(customer: Person, menus: readonly string[], orderId: string) {
  const answer = await balanced(customer, menus, queryPath('orders.order', { orderId }));
  return trpcData(`order ${orderId}`, answer) as { state: string; transitions: { state: string }[] };
}

async function orderState(customer: Person, menus: readonly string[], orderId: string): Promise<string> {
  return (await orderStatus(customer, menus, orderId)).state;
}

/** Signs a driver account in through one driver replica; the session cookie is the person's. */
async function newDriver(name: string, driverUrl: string): Promise<Person> {
  const login = await stack.createDriver(unique(name.toLowerCase()), name);
  const driver = new Person(name);
  const answer = await send(driver, driverUrl, '/api/session', {
    method: 'POST',
    json: { username: login.username, password: login.password },
  });
  expect(answer.status, answer.body).toBe(200);
  return driver;
}

/**
 * A driver's pick-up or delivery through their replica, or the next one if it does not answer. A request lost with
 * its replica may have been carried out: before sending it again, the order's own state says whether it was.
 */
async function act(
  driver: Person,
  drivers: readonly string[],
  action: 'pickUp' | 'deliver',
  order: { readonly id: string; readonly customer: Person },
  menus: readonly string[],
): Promise<void> {
  const target = action === 'pickUp' ? 'pickedUp' : 'delivered';
  let lost = false;
  for (const url of drivers) {
    try {
      const answer = await send(driver, url, `/api/trpc/deliveries.${action}`, {
        method: 'POST',
        json: { orderId: order.id },
      });
      // After a lost request, a refusal may be this driver's own first request, landed meanwhile.
      if (answer.status !== 200 && lost && (await orderState(order.customer, menus, order.id)) === target) return;
      expect(trpcData(`${action} ${order.id}`, answer).state).toBe(target);
      return;
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      lost = true;
      if ((await orderState(order.customer, menus, order.id)) === target) return;
    }
  }
  throw new Error(`${action} ${order.id}: no driver replica answered`);
}

/** A customer's inbox at the notification service (its first replica: every replica reads the same one). */
async function inbox(customerId: string): Promise<PushedNotification[]> {
  const response = await stack.callService(
    'notifications',
    `/v1/customers/${encodeURIComponent(customerId)}/notifications?limit=500`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { notifications: PushedNotification[] }).notifications;
}

const kindsOf = (events: readonly PushedNotification[], orderId: string) =>
  events
    .filter((event) => event.orderId === orderId)
    .map((event) => event.kind)
    .sort();

test('a customer streaming through one menu and notification replica receives the pick-up posted through the others', async () => {
  test.setTimeout(300_000);
  const menu = stack.app(replicaName('menu', 0));
  const driverApp = stack.app(replicaName('driver', 1));
  // The wiring this test is about: the stream's notification replica is none the workers post to.
  expect(menu.notificationsUrl).toBeDefined();
  for (const worker of stack.workers) expect(worker.notificationsUrl).not.toBe(menu.notificationsUrl);

  const customer = await newCustomer('ada', [menu.url]);
  const stream = await openStream(customer, [menu.url]);
  const orderId = unique('scale-a');
  await checkout(customer, [menu.url], orderId, 0);
  const driver = await newDriver('Rosa', driverApp.url);
  await act(driver, [driverApp.url], 'pickUp', { id: orderId, customer }, [menu.url]);

  await stream.waitFor(
    `pickedUp for ${orderId}`,
    (event) => event.orderId === orderId && event.kind === 'pickedUp',
    STEP_MS,
  );
  expect(stream.opens).toBe(1);
});

test('a driver signed in on one driver replica is signed in on the other with the same cookie, and signed out of both', async ({
  browser,
}) => {
  // The browser keeps cookies per host, not per port: both replicas on localhost are one site, as behind a balancer.
  const [first, second] = [0, 1].map((index) => `http://localhost:${stack.app(replicaName('driver', index)).port}`);
  const login = await stack.createDriver(unique('tomas'), 'Tomas');
  const { context, page } = await newPerson(browser, first!);
  await signInDriver(page, login.name, login);

  await page.goto(`${second}/`);
  await expect(page.getByTestId('driver-name')).toHaveText(login.name);
  await expect(page.getByTestId('list-waiting')).toBeVisible();

  // Signing out on the second ends the session in the shared database: the first no longer knows it either.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signin/);
  await page.goto(`${first}/`);
  await page.waitForURL(/\/signin/);
  await context.close();
});

test('orders in flight go end to end while one replica of each kind is killed midway: nothing lost', async () => {
  test.setTimeout(600_000);
  const menus = appUrls('menu');
  const drivers = appUrls('driver');
  // Order i: customer i, on menu replica i mod 2 (streaming through it), its driver on driver replica i mod 2.
  const orders = await Promise.all(
    Array.from({ length: ORDERS }, async (_, index) => {
      const home = index % REPLICAS;
      const customer = await newCustomer(`customer-${index}`, preferring(menus, home));
      const stream = await openStream(customer, preferring(menus, home));
      return { id: unique(`scale-c${index}`), index, home, customer, stream, menus: preferring(menus, home) };
    }),
  );
  const driverPeople = await Promise.all(['Lena', 'Omar'].map((name, home) => newDriver(name, drivers[home]!)));
  const driverOf = (order: (typeof orders)[number]) => driverPeople[order.home]!;
  const driverReplicas = (order: (typeof orders)[number]) => preferring(drivers, order.home);
  const firstHalf = orders.slice(0, ORDERS / 2);
  const secondHalf = orders.slice(ORDERS / 2);

  // Before: half the orders paid and picked up.
  await Promise.all(firstHalf.map((order) => checkout(order.customer, order.menus, order.id, order.index)));
  await Promise.all(
    firstHalf.map((order) => act(driverOf(order), driverReplicas(order), 'pickUp', order, order.menus)),
  );

  // Midway: the other half checks out and the first half is delivered while one replica of each kind is killed
  // (SIGKILL: no shutdown hook runs). The last notification replica is the one every worker posts to.
  const killed: StackProcess[] = [
    stack.workers[0]!.process,
    stack.app(replicaName('menu', 1)).process,
    stack.app(replicaName('driver', 1)).process,
    stack.notifications.at(-1)!.process,
  ];
  const inFlight = [
    ...secondHalf.map((order) => checkout(order.customer, order.menus, order.id, order.index)),
    ...firstHalf.map((order) => act(driverOf(order), driverReplicas(order), 'deliver', order, order.menus)),
  ];
  await Promise.all(killed.map((child) => child.kill()));
  await Promise.all(inFlight);
  // With those down: the second half picked up through the replicas left.
  await Promise.all(
    secondHalf.map((order) => act(driverOf(order), driverReplicas(order), 'pickUp', order, order.menus)),
  );

  // The killed replicas come back on their ports; the rest of the orders go through them again.
  for (const child of killed) await child.start();
  await Promise.all(
    secondHalf.map((order) => act(driverOf(order), driverReplicas(order), 'deliver', order, order.menus)),
  );

  // Nothing lost: every customer saw the pick-up and the delivery, each once, and the order says delivered.
  for (const order of orders) {
    for (const kind of ['pickedUp', 'delivered']) {
      await order.stream.waitFor(
        `${kind} for ${order.id}`,
        (event) => event.orderId === order.id && event.kind === kind,
        STEP_MS,
      );
    }
    expect(kindsOf(order.stream.events, order.id), `what ${order.customer.name} was shown`).toEqual([
      'delivered',
      'pickedUp',
    ]);
    const status = await orderStatus(order.customer, order.menus, order.id);
    expect(status.state).toBe('delivered');
    expect(status.transitions.map((transition) => transition.state)).toEqual(
      expect.arrayContaining(['paid', 'pickedUp', 'delivered']),
    );
    // One notification per step in the inbox itself, whichever replica stored it.
    const customerId = order.stream.events[0]!.customerId;
    expect(kindsOf(await inbox(customerId), order.id)).toEqual(['delivered', 'pickedUp']);
  }
  // Customers on the killed menu replica were moved to the other one; their streams opened again there.
  for (const order of orders.filter((candidate) => candidate.home === 1)) {
    expect(order.stream.opens).toBeGreaterThan(1);
  }

  // One charge per order, however many times a checkout or its charge was sent again.
  const ledger = await stack.callService('payments', '/v1/ledger?limit=1000');
  expect(ledger.status).toBe(200);
  const { entries } = (await ledger.json()) as { entries: { type: string; orderId?: string }[] };
  for (const order of orders) {
    expect(
      entries.filter((entry) => entry.orderId === order.id).map((entry) => entry.type),
      `ledger of ${order.id}`,
    ).toEqual(['charge']);
  }
});
