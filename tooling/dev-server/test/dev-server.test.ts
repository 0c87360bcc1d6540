import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { eventually, freePort, isPortInUse } from '@durable-delivery/temporal-server';
import { allSearchAttributes } from '@durable-delivery/workflows';
import { Connection } from '@temporalio/client';
import { codecServerUi, projectSearchAttributes, startProjectDevServer } from '../src';

describe('the project dev server', () => {
  it('registers every search attribute the order, loyalty and pass workflows write', async () => {
    const server = await startProjectDevServer({
      port: await freePort(),
      headless: true,
      dbFilename: join(tempDir('dev-server-'), 'dev.sqlite'),
      stdio: 'ignore',
    });
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        for (const key of allSearchAttributes) {
          expect(Object.keys(customAttributes)).toContain(key.name);
        }
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('points the Web UI at the codec server with its sign-in cookie, so operators change no setting', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const server = await startProjectDevServer({
      port,
      uiPort,
      uiCodec: codecServerUi('http://127.0.0.1:4040'),
      dbFilename: join(tempDir('dev-server-'), 'dev.sqlite'),
      stdio: 'ignore',
    });
    try {
      // The settings the UI's pages load at start; its data encoder calls the endpoint with the browser's cookies
      // for it, and shows the message and link when a call fails.
      const settings = await eventually(async () => {
        const response = await fetch(`${server.uiUrl}/api/v1/settings`).catch(() => undefined);
        return response?.ok ? ((await response.json()) as { Codec?: Record<string, unknown> }) : undefined;
      });
      expect(settings.Codec).toEqual({
        Endpoint: 'http://127.0.0.1:4040',
        PassAccessToken: false,
        IncludeCredentials: true,
        DefaultErrorMessage: expect.stringContaining('http://127.0.0.1:4040/'),
        DefaultErrorLink: 'http://127.0.0.1:4040/',
      });
      // The same server: the UI lists its namespaces through the dev server's frontend.
      const namespaces = await fetch(`${server.uiUrl}/api/v1/namespaces`);
      expect(namespaces.status).toBe(200);
    } finally {
      await server.stop();
    }
    // Both processes are gone: the UI's port is free again.
    expect(await isPortInUse('127.0.0.1', uiPort)).toBe(false);
  });

  it('maps each search attribute type to the name the Temporal CLI takes', () => {
    expect(projectSearchAttributes()).toEqual({
      OrderState: 'Keyword',
      OrderStateSince: 'Datetime',
      CustomerId: 'Keyword',
      DriverId: 'Keyword',
      OrderTotalCents: 'Int',
      LoyaltyLevel: 'Keyword',
      LoyaltyPoints: 'Int',
      PassStatus: 'Keyword',
    });
  });
});
