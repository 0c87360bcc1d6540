import { connect } from 'node:net';
import { createTimeSkippingEnv } from '../src';

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
