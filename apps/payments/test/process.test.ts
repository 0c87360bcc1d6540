import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { freePort } from './free-port';

// The built service as `npm run dev`, compose and the stack start it: a real process, a real ledger file.
const MAIN = resolve(__dirname, '../dist/main.js');
const API_KEY = 'payments-process-key-0123456789';

function start(env: Record<string, string>) {
  const port = Number(env.PAYMENTS_PORT);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return { child, port, stderr: () => stderr };
}

const mode = (path: string) => statSync(path).mode & 0o777;

/** Until it answers; bounded by jest's test timeout, not by a timing threshold. */
async function ready(service: ReturnType<typeof start>, port: number): Promise<void> {
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`the service exited: ${service.stderr()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

it('refuses to start without its API key, and says which variable to set', async () => {
  const dir = tempDir('payments-nokey-');
  const service = start({ PAYMENTS_PORT: String(await freePort()), PAYMENTS_DB: join(dir, 'ledger.sqlite') });
  const [code] = (await once(service.child, 'exit')) as [number | null];
  expect(code).toBe(1);
  expect(service.stderr()).toContain('PAYMENTS_API_KEY: is required');
});

it('keeps its ledger, write-ahead log and new folder readable by their owner only, tightening an older file', async () => {
  const dir = join(tempDir('payments-modes-'), 'new', 'payments');
  const ledger = join(dir, 'ledger.sqlite');
  // A ledger as an older version left it, world-readable, in a shared folder the service must leave alone.
  const shared = tempDir('payments-shared-');
  chmodSync(shared, 0o755);
  const older = join(shared, 'ledger.sqlite');
  writeFileSync(older, '', { mode: 0o644 });
  chmodSync(older, 0o644);
  const olderService = start({
    PAYMENTS_PORT: String(await freePort()),
    PAYMENTS_DB: older,
    PAYMENTS_API_KEY: API_KEY,
  });
  await ready(olderService, olderService.port);
  olderService.child.kill('SIGTERM');
  await once(olderService.child, 'exit');
  expect({ shared: mode(shared), ledger: mode(older) }).toEqual({ shared: 0o755, ledger: 0o600 });

  const port = await freePort();
  const service = start({ PAYMENTS_PORT: String(port), PAYMENTS_DB: ledger, PAYMENTS_API_KEY: API_KEY });
  try {
    await ready(service, port);
    // A charge, so the write-ahead log and its index exist.
    const charged = await fetch(`http://127.0.0.1:${port}/v1/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'modes-1', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        orderId: 'o',
        customerId: 'c',
        amountCents: 100,
        currency: 'USD',
        paymentMethod: 'tok_visa',
      }),
    });
    expect(charged.status).toBe(201);
    expect({
      parent: mode(dirname(dir)),
      folder: mode(dir),
      ledger: mode(ledger),
      wal: mode(`${ledger}-wal`),
      shm: mode(`${ledger}-shm`),
    }).toEqual({ parent: 0o700, folder: 0o700, ledger: 0o600, wal: 0o600, shm: 0o600 });
  } finally {
    service.child.kill('SIGTERM');
    await once(service.child, 'exit');
  }
});
