import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@durable-delivery/temporal-server';
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
