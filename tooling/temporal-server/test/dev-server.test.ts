import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { type DevServer, freePort, resolveTemporalCli, startDevServer } from '../src';
import { isolateEnv } from './env';

isolateEnv();

const orderStatus = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
const quiet = () => undefined;
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('startDevServer', () => {
  const servers: DevServer[] = [];
  const connections: Connection[] = [];

  beforeAll(async () => {
    // On a fresh machine this builds the CLI with Go, once (minutes); the tests below then start at once.
    await resolveTemporalCli();
  }, 20 * 60_000);

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  async function start(options: Parameters<typeof startDevServer>[0]): Promise<{ server: DevServer; client: Client }> {
    const server = await startDevServer({ log: quiet, ...options });
    servers.push(server);
    const connection = await Connection.connect({ address: server.address });
    connections.push(connection);
    return { server, client: new Client({ connection }) };
  }

  it('registers search attributes, serves the UI, stops, and keeps its data in the db file across restarts', async () => {
    const dbFilename = join(tempDir('temporal-server-test-'), 'nested', 'temporal.db');
    const port = await freePort();
    const uiPort = await freePort();
    const searchAttributes = { OrderStatus: 'Keyword' } as const;

    const first = await start({ port, uiPort, dbFilename, searchAttributes });
    expect(first.server.address).toBe(`127.0.0.1:${port}`);
    expect(first.server.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
    expect(first.server.pid).toEqual(expect.any(Number));
    const { customAttributes } = await first.client.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toContain('OrderStatus');
    expect((await fetch(first.server.uiUrl!)).ok).toBe(true);
    // Write-ahead-log mode (FILE_DB_PRAGMAS): the log lives beside the database while the server runs.
    expect(existsSync(`${dbFilename}-wal`)).toBe(true);
    // Every order's history: its folder and files are the owner's only.
    const modes = () => ({
      folder: modeOf(dirname(dbFilename)),
      db: modeOf(dbFilename),
      wal: modeOf(`${dbFilename}-wal`),
      shm: modeOf(`${dbFilename}-shm`),
    });
    expect(modes()).toEqual({ folder: 0o700, db: 0o600, wal: 0o600, shm: 0o600 });

    // No worker: the execution just waits for one, which is all persistence needs.
    const workflowId = `persisted-${port}`;
    await first.client.workflow.start('anything', {
      taskQueue: 'nobody-polls',
      workflowId,
      typedSearchAttributes: [{ key: orderStatus, value: 'placed' }],
    });
    await first.server.stop();
    expect(await first.server.exited).toBe(0);

    // As an older version left it: world-readable. The next start tightens it.
    chmodSync(dbFilename, 0o644);
    const second = await start({ port, headless: true, dbFilename, searchAttributes });
    expect(modes()).toEqual({ folder: 0o700, db: 0o600, wal: 0o600, shm: 0o600 });
    expect(second.server.uiUrl).toBeUndefined();
    const description = await second.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(orderStatus)).toBe('placed');

    // What a killed server had committed is there when it starts again: the log is synced at every commit.
    const startedBeforeCrash = `${workflowId}-before-crash`;
    await second.client.workflow.start('anything', { taskQueue: 'nobody-polls', workflowId: startedBeforeCrash });
    second.server.kill();
    expect(await second.server.exited).toBeNull();

    const third = await start({ port, headless: true, dbFilename, searchAttributes });
    const recovered = await third.client.workflow.getHandle(startedBeforeCrash).describe();
    expect(recovered.status.name).toBe('RUNNING');
    third.server.kill();
    expect(await third.server.exited).toBeNull();
  });

  it('creates the namespace it is given', async () => {
    const { client } = await start({ port: await freePort(), headless: true, namespace: 'kitchen' });
    const { namespaceInfo } = await client.connection.workflowService.describeNamespace({ namespace: 'kitchen' });
    expect(namespaceInfo?.name).toBe('kitchen');
  });

  it('says so when a Temporal server already has the port', async () => {
    const port = await freePort();
    await start({ port, headless: true });
    await expect(startDevServer({ port, headless: true, log: quiet })).rejects.toThrow(
      `Cannot start a Temporal dev server on 127.0.0.1:${port}: the port is already in use by a Temporal server`,
    );
  });

  it('starts again when the CLI loses one of its own ports to another process before binding it', async () => {
    // A CLI whose first start fails as the real one does when another process takes the HTTP API port it picked.
    const real = await resolveTemporalCli();
    if (real.kind !== 'path') throw new Error('no Temporal CLI here');
    const dir = tempDir('temporal-server-test-');
    const marker = join(dir, 'failed-once');
    const wrapper = join(dir, 'temporal');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `if [ ! -e '${marker}' ]; then touch '${marker}'`,
        '  echo \'level=ERROR msg="failed listening for HTTP API on 127.0.0.1:1: bind: address already in use"\' >&2',
        '  exit 1',
        'fi',
        `exec '${real.path}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    process.env.TEMPORAL_CLI_PATH = wrapper;
    const lines: string[] = [];
    const server = await startDevServer({ port: await freePort(), headless: true, log: (line) => lines.push(line) });
    servers.push(server);
    expect(existsSync(marker)).toBe(true);
    expect(lines).toContain(
      'the dev server lost one of its own ports to another process; starting it again (attempt 2)',
    );
  });

  it('reports an early exit with the last lines of the server output', async () => {
    // A directory where the db file should be: SQLite cannot open it, and the server exits at once.
    const dbFilename = tempDir('temporal-server-test-');
    await expect(startDevServer({ port: await freePort(), headless: true, dbFilename, log: quiet })).rejects.toThrow(
      /exited with \d+ before it was ready\. Last output:\n.+/,
    );
  });
});
