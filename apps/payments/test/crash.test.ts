import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import Database from 'better-sqlite3';
import { freePort } from './free-port';

const MAIN = resolve(__dirname, '../dist/main.js');
const API_KEY = 'payments-crash-key-0123456789';

async function startService(dbFilename: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PAYMENTS_PORT: String(port),
      PAYMENTS_DB: dbFilename,
      PAYMENTS_API_KEY: API_KEY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Ready when it answers; bounded by jest's test timeout, not by a timing threshold.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`payment service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }
}

function charge(port: number, key: string) {
  return fetch(`http://127.0.0.1:${port}/v1/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({
      orderId: key,
      customerId: 'c-1',
      amountCents: 1000,
      currency: 'USD',
      paymentMethod: 'tok_visa',
    }),
  });
}

it('loses no answered charge and half-writes nothing when SIGKILLed in the middle of a burst of writes', async () => {
  const dbFilename = join(tempDir('payments-crash-'), 'ledger.sqlite');
  const port = await freePort();
  const service = await startService(dbFilename, port);

  // A bounded burst: 300 charges, 20 in flight at a time; the kill lands while it runs.
  const answered = new Map<string, string>();
  let sent = 0;
  const worker = async () => {
    while (sent < 300) {
      const key = `crash-${++sent}`;
      try {
        const response = await charge(port, key);
        if (response.status === 201) answered.set(key, ((await response.json()) as { id: string }).id);
      } catch {
        return; // the service is gone
      }
    }
  };
  const burst = Promise.all(Array.from({ length: 20 }, worker));
  while (answered.size < 50 && sent < 300) await new Promise((resolveWait) => setTimeout(resolveWait, 5));
  service.kill('SIGKILL');
  await once(service, 'exit');
  await burst;
  expect(answered.size).toBeGreaterThanOrEqual(50);

  // Every answer a client received is in the ledger after the restart, and the key replays it exactly.
  const restarted = await startService(dbFilename, port);
  try {
    for (const [key, chargeId] of answered) {
      const replay = await charge(port, key);
      expect(replay.status).toBe(201);
      expect(((await replay.json()) as { id: string }).id).toBe(chargeId);
    }
  } finally {
    restarted.kill('SIGTERM');
    await once(restarted, 'exit');
  }

  // Nothing half-written: each stored answer has exactly its ledger entry, and the reverse.
  const db = new Database(dbFilename, { readonly: true });
  const orphans = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM idempotency i LEFT JOIN ledger l ON l.idempotency_key = i.key WHERE l.id IS NULL) AS answersWithoutEntry,
              (SELECT COUNT(*) FROM ledger l LEFT JOIN idempotency i ON i.key = l.idempotency_key WHERE i.key IS NULL) AS entriesWithoutAnswer,
              (SELECT COUNT(*) FROM ledger) AS entries, (SELECT COUNT(DISTINCT idempotency_key) FROM ledger) AS keys`,
    )
    .get();
  db.close();
  expect(orphans).toMatchObject({ answersWithoutEntry: 0, entriesWithoutAnswer: 0 });
  expect((orphans as { entries: number; keys: number }).entries).toBe((orphans as { keys: number }).keys);
});
