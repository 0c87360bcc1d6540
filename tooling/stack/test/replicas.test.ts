import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startStack, type Stack } from '../src';

// A stack with two notification replicas and two workers on one private PostgreSQL: each replica its own process
// and port, wired as documented (workers post to the last replica), and one of them killed and started again.

let stack: Stack | undefined;

afterAll(async () => {
  await stack?.stop();
});

async function healthz(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

it('runs replicas of a service and the workers on one PostgreSQL, and restarts a killed replica on its port', async () => {
  stack = await startStack({
    label: 'stack-replicas-test',
    parts: ['notifications', 'worker'],
    workers: 2,
    replicas: { notifications: 2 },
    postgres: true,
  });
  const { notifications, databases, workers } = stack;

  expect(notifications.map((replica) => replica.name)).toEqual(['notifications', 'notifications-1']);
  const [first, last] = notifications;
  expect(first!.url).not.toBe(last!.url);
  expect(stack.urls.notifications).toBe(first!.url);
  expect(stack.service('notifications-1')).toBe(last!.process);
  for (const replica of notifications) {
    expect(replica.process.options.env.NOTIFICATIONS_DATABASE_URL).toBe(databases?.notifications);
  }
  // Every worker posts to the last replica: a stream on the first only sees events another process stored.
  expect(workers.map((worker) => worker.notificationsUrl)).toEqual([last!.url, last!.url]);
  expect(workers.map((worker) => worker.process.options.env.NOTIFICATIONS_URL)).toEqual([last!.url, last!.url]);

  // Each shared database exists and answers.
  expect(databases).toBeDefined();
  for (const url of Object.values(databases!)) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  }
  expect(stack.accountsDatabaseUrl).toBe(databases!.accounts);

  // kill -9 and back, on the same address; the other replica never noticed.
  await last!.process.kill();
  expect(await healthz(last!.url)).toBe(0);
  expect(await healthz(first!.url)).toBe(200);
  await last!.process.start();
  expect(await healthz(last!.url)).toBe(200);

  const { dir } = stack;
  await stack.stop();
  stack = undefined;
  expect(existsSync(dir)).toBe(false);
});
