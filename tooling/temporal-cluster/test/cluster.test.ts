import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { eventually, freePort } from '@durable-delivery/temporal-server';
import { OrderStateAttribute, allSearchAttributes } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freeClusterPorts, parseServerKind, startTemporalCluster, type TemporalCluster } from '../src';

const quiet = () => undefined;
function stateDir(): string {
  const dir = tempDir('temporal-cluster-test-');
  // As root, PostgreSQL runs as its own user, who must be let through.
  chmodSync(dir, 0o711);
  return join(dir, 'state');
}

async function start(dir: string, namespace = 'kitchen'): Promise<TemporalCluster> {
  return startTemporalCluster({
    stateDir: dir,
    postgresPort: await freePort(),
    ports: await freeClusterPorts(),
    namespace,
    stdio: 'ignore',
    log: quiet,
  });
}

describe('the Temporal server on PostgreSQL', () => {
  it('sets up both databases, registers the namespace and the order’s search attributes, and keeps workflows across restarts', async () => {
    const dir = stateDir();
    let cluster = await start(dir);
    let connection = await Connection.connect({ address: cluster.address });
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'kitchen' });
      expect(namespaceInfo?.name).toBe('kitchen');
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'kitchen' });
      const { IndexedValueType } = temporal.api.enums.v1;
      expect(customAttributes).toEqual(
        Object.fromEntries(
          allSearchAttributes.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
        ),
      );
      const { serverVersion } = await connection.workflowService.getSystemInfo({});
      expect(serverVersion).toBe('1.29.1');

      // No worker: the execution waits for one, which is all persistence needs.
      const client = new Client({ connection, namespace: 'kitchen' });
      const workflowId = `kept-${Date.now()}`;
      await client.workflow.start('anything', {
        taskQueue: 'nobody-polls',
        workflowId,
        typedSearchAttributes: [{ key: OrderStateAttribute, value: 'paid' }],
      });

      await cluster.restartServer();
      expect((await client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');

      // The whole cluster down and up again on the same data: the schema script finds everything current.
      await connection.close();
      await cluster.stop();
      cluster = await start(dir);
      connection = await Connection.connect({ address: cluster.address });
      const again = new Client({ connection, namespace: 'kitchen' });
      const description = await again.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(OrderStateAttribute)).toBe('paid');
      const listed = await eventually(async () => {
        const ids: string[] = [];
        for await (const execution of again.workflow.list({ query: `OrderState = 'paid'` })) {
          ids.push(execution.workflowId);
        }
        return ids.length > 0 ? ids : undefined;
      });
      expect(listed).toEqual([workflowId]);
    } finally {
      await connection.close();
      await cluster.stop();
    }
  });

  it('says so when another program has its port, before starting anything', async () => {
    // A listener that answers nothing, as a program that is not Temporal would.
    const taken = createServer((socket) => socket.destroy());
    const ports = await freeClusterPorts();
    await new Promise<void>((listening) => taken.listen(ports.frontend, '127.0.0.1', listening));
    try {
      await expect(
        startTemporalCluster({ stateDir: stateDir(), postgresPort: await freePort(), ports, log: quiet }),
      ).rejects.toThrow(
        `Cannot start a Temporal server on 127.0.0.1:${ports.frontend}: the port is already in use by another program.`,
      );
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });
});

describe('parseServerKind', () => {
  it('takes dev (the default) and postgres, and names the setting it refuses', () => {
    expect(parseServerKind(undefined)).toBe('dev');
    expect(parseServerKind('postgres')).toBe('postgres');
    expect(() => parseServerKind('mysql', '--server')).toThrow('--server must be one of dev, postgres, got "mysql"');
  });
});
