import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from '@durable-delivery/temporal-server';
import { allSearchAttributes } from '@durable-delivery/workflows';
import { Connection } from '@temporalio/client';
import { projectSearchAttributes, startProjectDevServer } from '../src';

describe('the project dev server', () => {
  it('registers every search attribute the order, loyalty and pass workflows write', async () => {
    const server = await startProjectDevServer({
      port: await freePort(),
      headless: true,
      dbFilename: join(mkdtempSync(join(tmpdir(), 'dev-server-')), 'dev.sqlite'),
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

  it('points the Web UI at the codec server, so operators can read encrypted payloads', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const server = await startProjectDevServer({
      port,
      uiPort,
      uiCodecEndpoint: 'http://127.0.0.1:4040',
      dbFilename: join(mkdtempSync(join(tmpdir(), 'dev-server-')), 'dev.sqlite'),
      stdio: 'ignore',
    });
    try {
      // The settings the UI's pages load at start; the codec endpoint is what its data encoder calls.
      const settings = await eventually(async () => {
        const response = await fetch(`${server.uiUrl}/api/v1/settings`).catch(() => undefined);
        return response?.ok ? ((await response.json()) as { Codec?: { Endpoint?: string } }) : undefined;
      });
      expect(settings.Codec?.Endpoint).toBe('http://127.0.0.1:4040');
    } finally {
      await server.stop();
    }
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
