import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { startPostgres } from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import type { Notification } from '../src';

// The key every caller presents; a service has no open mode.
export const API_KEY = 'notifications-test-key-0123456789';
export const AUTH = { authorization: `Bearer ${API_KEY}` };

export function sendTo(baseUrl: string, idempotencyKey: string | undefined, body: Record<string, unknown>) {
  return fetch(`${baseUrl}/v1/notifications`, {
    method: 'POST',
    headers: {
      ...AUTH,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
}

export const aNotification = (customerId = 'c-1', message = 'Your Poke is on its way.') => ({
  customerId,
  orderId: 'o-1',
  kind: 'pickedUp',
  message,
});

export interface Stream {
  /** The next notification event, with its event id. */
  next(): Promise<{ notification: Notification; id: string }>;
  close(): void;
}

/** A server-sent event stream, read one notification at a time. */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { ...AUTH, ...headers }, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          const id = /^id: (.*)$/m.exec(event)?.[1];
          if (data && id) return { notification: JSON.parse(data) as Notification, id };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}

export interface TestPostgres {
  /** A URL of a database of its own on this server (the inbox creates it when missing). */
  url(database: string): string;
  stop(): Promise<void>;
}

/** A real PostgreSQL server on loopback, in a temporary folder, as packages/api's rate-limit test starts one. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = tempDir('notifications-pg-');
  // PostgreSQL refuses to run as root: its own user must be let through to the cluster below.
  chmodSync(dir, 0o711);
  const port = await freePort();
  const postgres = await startPostgres({
    dataDir: join(dir, 'pg'),
    port,
    user: 'inbox',
    password: 'inbox-test-password',
    log: () => undefined,
    stdio: 'ignore',
  });
  return {
    url: (database) => `postgres://inbox:inbox-test-password@127.0.0.1:${port}/${database}`,
    async stop() {
      await postgres.stop();
    },
  };
}
