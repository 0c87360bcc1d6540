import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import {
  HttpNotificationsClient,
  SimulatedNotifications,
  type NotificationsClient,
} from '@durable-delivery/activities';
import { metricValue } from '@durable-delivery/telemetry';
import type { FastifyInstance } from 'fastify';
import {
  PostgresInbox,
  SqliteInbox,
  buildNotificationService,
  keepNotificationsFor,
  loadConfig,
  pruneNotifications,
  type Inbox,
  type Notification,
} from '../src';
import { MAX_STREAMS_PER_CUSTOMER } from '../src/server';
import { API_KEY, AUTH, aNotification, openStream, sendTo, startTestPostgres, type TestPostgres } from './helpers';

const METRICS_TOKEN = 'notifications-test-metrics-token';
const UNAUTHORIZED = { error: { type: 'authentication_error', message: 'Unauthorized.' } };

// Every test below runs against both stores: the embedded SQLite file and PostgreSQL (a real server, a fresh
// database per test), so the two keep one behaviour.
let postgres: TestPostgres | undefined;
beforeAll(async () => {
  postgres = await startTestPostgres();
}, 120_000);
afterAll(() => postgres?.stop());

let databases = 0;
let nextKey = 0;
const key = () => `order-${++nextKey}:notify:pickedUp`;

describe.each(['sqlite', 'postgres'] as const)('with the inbox in %s', (store) => {
  let dir: string;
  let reopen: () => Promise<Inbox>;
  let inbox: Inbox;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeEach(async () => {
    dir = tempDir('notifications-test-');
    const url = postgres!.url(`inbox_${++databases}`);
    reopen =
      store === 'sqlite'
        ? () => Promise.resolve(new SqliteInbox(join(dir, 'inbox.sqlite')))
        : () => PostgresInbox.open(url);
    inbox = await reopen();
    app = buildNotificationService({ inbox, apiKey: API_KEY, metricsToken: METRICS_TOKEN });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    app.server.closeAllConnections();
    await app.close();
    await inbox.close();
  });

  const send = (idempotencyKey: string | undefined, body: Record<string, unknown>) =>
    sendTo(baseUrl, idempotencyKey, body);

  describe('notifications', () => {
    it('stores a notification once per key: a retried send gets the stored one and is not pushed again', async () => {
      const notificationKey = key();
      const first = await send(notificationKey, aNotification());
      expect(first.status).toBe(201);
      const again = await send(notificationKey, aNotification());
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual(await first.json());
      expect(await inbox.list('c-1', 0, 100)).toHaveLength(1);

      const reused = await send(notificationKey, aNotification('c-1', 'Something else'));
      expect(reused.status).toBe(422);
    });

    it('answers a malformed request with 400 naming every bad field', async () => {
      const bad = await send(key(), {
        customerId: 'not an id!',
        orderId: '',
        kind: 'pickedUp',
        message: 'x',
        extra: 1,
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        error: { fields: { customerId: [expect.stringContaining('letters')], orderId: ['must not be empty'] } },
      });
      expect((await send(undefined, aNotification())).status).toBe(400);
    });

    it('streams the inbox, then live notifications, to each customer only their own', async () => {
      await send(key(), aNotification('c-1', 'first'));
      await send(key(), aNotification('c-2', 'for someone else'));
      const stream = await openStream(`${baseUrl}/v1/customers/c-1/stream`);
      // The backlog arrives first; the service subscribed before reading it, so what follows arrives live.
      expect((await stream.next()).notification.message).toBe('first');
      const liveKey = key();
      await send(liveKey, aNotification('c-1', 'second'));
      // Sent twice (a retried activity): pushed once.
      await send(liveKey, aNotification('c-1', 'second'));
      await send(key(), aNotification('c-2', 'also for someone else'));
      await send(key(), aNotification('c-1', 'third'));
      const second = await stream.next();
      const third = await stream.next();
      stream.close();
      expect([second.notification.message, third.notification.message]).toEqual(['second', 'third']);
      expect([second, third].every(({ notification }) => notification.customerId === 'c-1')).toBe(true);

      // A reconnecting page says where it stopped (Last-Event-ID) and gets only what came after.
      await send(key(), aNotification('c-1', 'fourth'));
      const resumed = await openStream(`${baseUrl}/v1/customers/c-1/stream`, { 'last-event-id': third.id });
      expect((await resumed.next()).notification.message).toBe('fourth');
      resumed.close();
    });

    it('pages the inbox by its cursor: oldest first, `nextAfter` while there may be more, then the rest', async () => {
      const messages = ['one', 'two', 'three', 'four', 'five'];
      for (const message of messages) expect((await send(key(), aNotification('c-pages', message))).status).toBe(201);
      await send(key(), aNotification('c-other', 'not on this page'));
      const seen: string[] = [];
      const sequences: number[] = [];
      let after = 0;
      for (let page = 0; page < messages.length; page++) {
        const response = await fetch(`${baseUrl}/v1/customers/c-pages/notifications?after=${after}&limit=2`, {
          headers: AUTH,
        });
        const { notifications, nextAfter } = (await response.json()) as {
          notifications: Notification[];
          nextAfter?: number;
        };
        seen.push(...notifications.map(({ message }) => message));
        sequences.push(...notifications.map(({ sequence }) => sequence));
        if (nextAfter === undefined) break;
        expect(nextAfter).toBe(notifications.at(-1)!.sequence);
        after = nextAfter;
      }
      expect(seen).toEqual(messages);
      expect(sequences).toEqual([...sequences].sort((x, y) => x - y));
      expect(new Set(sequences).size).toBe(messages.length);
      // A stream resumed from the middle starts right after it.
      const resumed = await openStream(`${baseUrl}/v1/customers/c-pages/stream?after=${sequences[2]}`);
      expect((await resumed.next()).notification.message).toBe('four');
      resumed.close();
    });

    it('keeps the inbox across a restart, so nothing sent while a page was closed is lost', async () => {
      await send(key(), aNotification('c-9', 'while you were away'));
      app.server.closeAllConnections();
      await app.close();
      await inbox.close();
      inbox = await reopen();
      app = buildNotificationService({ inbox, apiKey: API_KEY, metricsToken: METRICS_TOKEN });
      baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      const response = await fetch(`${baseUrl}/v1/customers/c-9/notifications`, { headers: AUTH });
      expect(await response.json()).toEqual({
        notifications: [expect.objectContaining({ message: 'while you were away', kind: 'pickedUp' })],
      });
    });

    it('is unavailable during an outage, storing nothing, and takes the retry after it', async () => {
      await fetch(`${baseUrl}/v1/faults`, {
        method: 'PUT',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ outage: true }),
      });
      const notificationKey = key();
      expect((await send(notificationKey, aNotification('c-5'))).status).toBe(503);
      await fetch(`${baseUrl}/v1/faults`, {
        method: 'PUT',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ outage: false }),
      });
      expect((await send(notificationKey, aNotification('c-5'))).status).toBe(201);
      expect(await inbox.list('c-5', 0, 100)).toHaveLength(1);
    });
  });

  describe('retention', () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    const listed = async (customerId: string) =>
      (await inbox.list(customerId, 0, 100)).map((notification) => notification.message);
    /** Until the customer's inbox is empty: a bound on a hang (30 s), not a speed. */
    const untilPruned = async (customerId: string) => {
      for (let attempt = 0; attempt < 600 && (await listed(customerId)).length > 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    it('deletes the notifications stored before the cutoff, a batch at a time, and nothing after it', async () => {
      for (const message of ['old 1', 'old 2', 'old 3']) await send(key(), aNotification('c-old', message));
      await pause();
      const cutoff = new Date();
      await pause();
      const kept = await send(key(), aNotification('c-old', 'new'));
      const keptSequence = ((await kept.json()) as Notification).sequence;

      // Batches of 2: a full batch, then a short one that ends the run.
      expect(await pruneNotifications(inbox, cutoff, 2)).toBe(3);
      expect(await listed('c-old')).toEqual(['new']);
      expect(await pruneNotifications(inbox, cutoff, 2)).toBe(0);
      // A stream resuming from before the deleted ones gets what is left, in order, nothing twice.
      const stream = await openStream(`${baseUrl}/v1/customers/c-old/stream?after=0`);
      expect((await stream.next()).notification).toMatchObject({ message: 'new', sequence: keptSequence });
      stream.close();
    });

    it('runs at start and then on its schedule, and stops', async () => {
      await send(key(), aNotification('c-retained', 'before the start'));
      await pause();
      const logged: string[] = [];
      const retention = keepNotificationsFor(inbox, 0, {
        everyMs: 50,
        log: (_level, message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
      });
      await untilPruned('c-retained');
      expect(await listed('c-retained')).toEqual([]);

      await send(key(), aNotification('c-retained', 'after the start'));
      await untilPruned('c-retained');
      expect(await listed('c-retained')).toEqual([]);
      await retention.stop();
      expect(logged.filter((line) => line.includes('past their retention')).length).toBeGreaterThanOrEqual(2);

      // Stopped: nothing more goes.
      await send(key(), aNotification('c-retained', 'after the stop'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await listed('c-retained')).toEqual(['after the stop']);
    });
  });

  describe('operations endpoints', () => {
    const scrape = async () =>
      (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();

    it('is ready while its inbox answers, and counts each notification once, repeats not, with its open streams', async () => {
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
      const before = await scrape();
      const once = key();
      expect((await send(once, aNotification('c-metrics'))).status).toBe(201);
      expect((await send(once, aNotification('c-metrics'))).status).toBe(200);
      const stream = await openStream(`${baseUrl}/v1/customers/c-metrics/stream`);
      await stream.next();
      const during = await scrape();
      expect(
        metricValue(during, 'notifications_stored_total', { kind: 'pickedUp' }) -
          metricValue(before, 'notifications_stored_total', { kind: 'pickedUp' }),
      ).toBe(1);
      expect(metricValue(during, 'notifications_open_streams')).toBe(1);
      expect(
        metricValue(during, 'http_server_requests_total', { route: '/v1/notifications', status_code: '200' }),
      ).toBe(1);
      stream.close();

      await inbox.close();
      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(503);
      inbox = await reopen();
    });
  });

  describe('notifications about no order', () => {
    it('stores and lists a notification without an order id, and dedupes it by key like any other', async () => {
      const passKey = 'subscription-c-9:notify:pass:s-1:ended';
      const body = { customerId: 'c-9', kind: 'passEnded', message: 'Your delivery pass has ended.' };
      const first = await send(passKey, body);
      expect(first.status).toBe(201);
      const stored = (await first.json()) as Notification;
      expect(stored).not.toHaveProperty('orderId');
      expect((await send(passKey, body)).status).toBe(200);
      expect(await inbox.list('c-9', 0, 100)).toEqual([stored]);
    });
  });

  describe.each(['simulator', 'HTTP service'])('NotificationsClient contract: %s', (name) => {
    it('delivers once per key and answers the same id to a retry', async () => {
      const client: NotificationsClient =
        name === 'simulator' ? new SimulatedNotifications() : new HttpNotificationsClient({ baseUrl, apiKey: API_KEY });
      const request = {
        idempotencyKey: key(),
        customerId: 'c-7',
        orderId: 'o-7',
        kind: 'delivered',
        message: 'Enjoy!',
      };
      const first = await client.send(request);
      expect(first).toEqual({ notificationId: expect.any(String) });
      expect(await client.send(request)).toEqual(first);
    });
  });

  describe('callers, hosts and limits', () => {
    const ENDPOINTS = [
      ['POST', '/v1/notifications'],
      ['GET', '/v1/customers/c-1/notifications'],
      ['GET', '/v1/customers/c-1/stream'],
      ['GET', '/v1/faults'],
      ['PUT', '/v1/faults'],
      ['GET', '/v1/no-such-thing'],
    ] as const;

    it('refuses every endpoint without the key, or with a wrong one, with a bare 401, and stores nothing', async () => {
      for (const [method, path] of ENDPOINTS) {
        for (const authorization of [undefined, 'Bearer not-the-notifications-key', API_KEY, `Bearer ${API_KEY}x`]) {
          const response = await fetch(`${baseUrl}${path}`, {
            method,
            headers: {
              'content-type': 'application/json',
              'idempotency-key': key(),
              ...(authorization ? { authorization } : {}),
            },
            ...(method === 'GET'
              ? {}
              : { body: JSON.stringify(method === 'PUT' ? { outage: true } : aNotification()) }),
          });
          expect({ method, path, authorization, status: response.status }).toEqual({
            method,
            path,
            authorization,
            status: 401,
          });
          expect(await response.json()).toEqual(UNAUTHORIZED);
        }
      }
      expect(await inbox.list('c-1', 0, 100)).toHaveLength(0);
      expect((await send(key(), aNotification())).status).toBe(201);
    });

    it('answers only for its own host names (DNS rebinding gets 421), and /metrics only for the metrics token', async () => {
      const at = (url: string, headers: Record<string, string>) => app.inject({ url, headers });
      expect((await at('/v1/customers/c-1/notifications', { ...AUTH, host: 'localhost:4020' })).statusCode).toBe(200);
      const rebound = await at('/v1/customers/c-1/notifications', { ...AUTH, host: 'attacker.example:4020' });
      expect(rebound.statusCode).toBe(421);
      expect(rebound.json()).toEqual({
        error: { type: 'invalid_request_error', message: 'This server does not answer for that host name.' },
      });
      expect((await at('/v1/customers/c-1/stream', { ...AUTH, host: 'attacker.example' })).statusCode).toBe(421);
      expect([
        ...loadConfig({ NOTIFICATIONS_API_KEY: API_KEY, NOTIFICATIONS_ALLOWED_HOSTS: 'notifications' }).allowedHosts,
      ]).toContain('notifications');
      expect(() => loadConfig({})).toThrow(/NOTIFICATIONS_API_KEY: is required/);

      for (const authorization of [undefined, `Bearer ${API_KEY}`, 'Bearer wrong-metrics-token']) {
        const scraped = await at('/metrics', authorization ? { authorization } : {});
        expect({ authorization, status: scraped.statusCode }).toEqual({ authorization, status: 401 });
      }
      expect((await at('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })).statusCode).toBe(200);
    });

    it('answers a body over its limit with 413 in its error shape', async () => {
      const huge = await send(key(), aNotification('c-1', 'x'.repeat(20 * 1024)));
      expect(huge.status).toBe(413);
      expect(await huge.json()).toEqual({
        error: { type: 'invalid_request_error', message: 'The request body is too large: at most 16384 bytes.' },
      });
    });

    it(`holds at most ${MAX_STREAMS_PER_CUSTOMER} live streams per customer; closing one frees a place`, async () => {
      const streams = [];
      for (let i = 0; i < MAX_STREAMS_PER_CUSTOMER; i++) {
        streams.push(await openStream(`${baseUrl}/v1/customers/c-cap/stream`));
      }
      const refused = await fetch(`${baseUrl}/v1/customers/c-cap/stream`, { headers: AUTH });
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({
        error: {
          type: 'rate_limit_error',
          code: 'too_many_streams',
          message: `This customer already has ${MAX_STREAMS_PER_CUSTOMER} live notification streams open; close one first.`,
        },
      });
      // Another customer is not affected.
      const other = await openStream(`${baseUrl}/v1/customers/c-other/stream`);
      other.close();

      // The open ones still work: a notification reaches each of them.
      await send(key(), aNotification('c-cap', 'to every tab'));
      for (const stream of streams) expect((await stream.next()).notification.message).toBe('to every tab');

      streams.pop()!.close();
      // The server sees the close when the connection ends: ask again until the place is free (bounded).
      let reopened: Response | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        const controller = new AbortController();
        reopened = await fetch(`${baseUrl}/v1/customers/c-cap/stream`, { headers: AUTH, signal: controller.signal });
        if (reopened.status === 200) {
          controller.abort();
          break;
        }
        await reopened.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(reopened?.status).toBe(200);
      for (const stream of streams) stream.close();
    });
  });
});

describe('configuration', () => {
  const base = { NOTIFICATIONS_API_KEY: API_KEY };

  it('keeps the inbox in the SQLite file (NOTIFICATIONS_DB) unless a PostgreSQL URL is given', () => {
    expect(loadConfig({ ...base, NOTIFICATIONS_DB: '/tmp/inbox.sqlite' }).store).toEqual({
      kind: 'sqlite',
      file: '/tmp/inbox.sqlite',
    });
    for (const url of ['postgres://inbox@db:5432/notifications', 'postgresql://inbox:secret@db/notifications']) {
      expect(loadConfig({ ...base, NOTIFICATIONS_DATABASE_URL: url }).store).toEqual({ kind: 'postgres', url });
    }
  });

  it('keeps notifications 30 days unless NOTIFICATIONS_RETENTION_DAYS says otherwise, in whole days', () => {
    const day = 24 * 60 * 60_000;
    expect(loadConfig(base).retentionMs).toBe(30 * day);
    expect(loadConfig({ ...base, NOTIFICATIONS_RETENTION_DAYS: '7' }).retentionMs).toBe(7 * day);
    for (const days of ['0', '-3', '1.5', 'a week', '']) {
      expect(() => loadConfig({ ...base, NOTIFICATIONS_RETENTION_DAYS: days })).toThrow(
        'Invalid notifications service environment:\n  NOTIFICATIONS_RETENTION_DAYS: must be a whole number of days, at least 1',
      );
    }
  });

  it('refuses a NOTIFICATIONS_DATABASE_URL that is not a postgres:// URL, naming it without echoing it', () => {
    for (const url of ['.data/inbox.sqlite', 'mysql://inbox:secret@db/notifications', 'postgres://']) {
      let message = '';
      try {
        loadConfig({ ...base, NOTIFICATIONS_DATABASE_URL: url });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/NOTIFICATIONS_DATABASE_URL: must be a postgres:\/\/ URL/);
      expect(message).not.toContain('secret');
    }
  });
});
