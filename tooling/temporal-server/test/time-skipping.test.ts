import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { createTimeSkippingEnv, resolveTestServer } from '../src';

/** Whether anything accepts TCP connections at "host:port". */
function listening(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('createTimeSkippingEnv', () => {
  it(
    'starts a time-skipping server that sleeps a day in no time, and tears down',
    async () => {
      // On a fresh machine this first resolves the test server with Maven, once.
      const env = await createTimeSkippingEnv();
      expect(await listening(env.address)).toBe(true);
      try {
        expect(env.supportsTimeSkipping).toBe(true);
        const before = await env.currentTimeMs();
        await env.sleep('1 day');
        expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
      } finally {
        await env.teardown();
      }
      // The SDK killed the process it started; the wrapper exec'd java, so that was the server itself.
      expect(await listening(env.address)).toBe(false);
    },
    10 * 60_000,
  );
});

describe('createTimeSkippingEnv on a busy machine', () => {
  it(
    "starts the server again when the first one does not listen within the SDK's five seconds",
    async () => {
      const real = await resolveTestServer();
      if (real.kind !== 'path') throw new Error('no test server: the test above provisions it');
      // A server as slow to listen as the JVM on a machine busy with builds: the first start takes seven seconds.
      const dir = tempDir('slow-test-server-');
      const marker = join(dir, 'started-once');
      const slow = join(dir, 'temporal-test-server');
      writeFileSync(
        slow,
        `#!/bin/sh\nif [ ! -e '${marker}' ]; then touch '${marker}'; sleep 7; fi\nexec '${real.path}' "$@"\n`,
      );
      chmodSync(slow, 0o755);
      const logged: string[] = [];
      const saved = process.env.TEMPORAL_TEST_SERVER_PATH;
      process.env.TEMPORAL_TEST_SERVER_PATH = slow;
      try {
        const env = await createTimeSkippingEnv({ log: (line) => logged.push(line) });
        try {
          expect(await listening(env.address)).toBe(true);
        } finally {
          await env.teardown();
        }
      } finally {
        if (saved === undefined) delete process.env.TEMPORAL_TEST_SERVER_PATH;
        else process.env.TEMPORAL_TEST_SERVER_PATH = saved;
      }
      expect(existsSync(marker)).toBe(true);
      // A second slow start (the real server on a busy machine) may log a third attempt.
      expect(logged[0]).toContain('starting it again (attempt 2)');
    },
    5 * 60_000,
  );
});
