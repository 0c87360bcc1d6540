import { execFile } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { startPostgres, type Postgres } from '@durable-delivery/temporal-cluster';
import {
  freePort,
  resolveTemporalCli,
  startDevServer,
  type BinaryResolution,
  type DevServer,
} from '@durable-delivery/temporal-server';
import { allSearchAttributes } from '@durable-delivery/workflows';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { parse } from 'yaml';

// The scripts the compose stack runs inside its containers, run here for real.
const DEPLOY = resolve(__dirname, '..');
const run = promisify(execFile);

async function exitCode(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout } = await run(command, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('the images’ health check (deploy/healthcheck.mjs)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/readyz' ? 200 : 503;
      response.end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((closed) => server.close(closed)));

  const check = (url: string) => exitCode(process.execPath, [join(DEPLOY, 'healthcheck.mjs'), url]);

  it('passes on a 2xx answer', async () => {
    expect((await check(`${base}/readyz`)).code).toBe(0);
  });

  it('takes the URL from HEALTHCHECK_URL when given none, as deploy/Dockerfile sets it for each app', async () => {
    const script = join(DEPLOY, 'healthcheck.mjs');
    expect((await exitCode(process.execPath, [script], { HEALTHCHECK_URL: `${base}/readyz` })).code).toBe(0);
    expect((await exitCode(process.execPath, [script], { HEALTHCHECK_URL: `${base}/not-ready` })).code).toBe(1);
    expect(await exitCode(process.execPath, [script])).toEqual({ code: 2, output: expect.stringContaining('usage') });
  });

  it('fails on any other answer, and on no answer, saying why', async () => {
    expect(await check(`${base}/not-ready`)).toEqual({ code: 1, output: expect.stringContaining('answered 503') });
    const closed = `http://127.0.0.1:${await freePort()}/readyz`;
    expect(await check(closed)).toEqual({ code: 1, output: expect.stringContaining(closed) });
  });
});

describe('the namespace set-up of the compose stack (deploy/temporal/setup-namespace.sh)', () => {
  let server: DevServer;
  let cli: string;
  beforeAll(async () => {
    // A server with no search attributes of ours, and the same CLI line as the admin-tools image's.
    server = await startDevServer({ port: await freePort(), headless: true, log: () => undefined });
    cli = pathOf(await resolveTemporalCli({ allowSdkDownload: false }));
  });
  afterAll(() => server?.stop());

  const setUp = (namespace: string) =>
    exitCode('sh', [join(DEPLOY, 'temporal/setup-namespace.sh')], {
      TEMPORAL_CLI: cli,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: namespace,
    });

  it('creates the namespace with the order’s search attributes, and changes nothing when run again', async () => {
    expect(await setUp('compose-orders')).toMatchObject({ code: 0 });
    const connection = await Connection.connect({ address: server.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: 'compose-orders',
      });
      const registered = Object.fromEntries(
        Object.entries(customAttributes ?? {}).map(([name, type]) => [
          name,
          temporal.api.enums.v1.IndexedValueType[type].replace('INDEXED_VALUE_TYPE_', ''),
        ]),
      );
      expect(registered).toEqual(Object.fromEntries(allSearchAttributes.map((key) => [key.name, key.type])));
      expect(await setUp('compose-orders')).toEqual({ code: 0, output: expect.not.stringContaining('added') });
    } finally {
      await connection.close();
    }
  });

  it('lists exactly the workflows’ search attributes', () => {
    const script = readFileSync(join(DEPLOY, 'temporal/setup-namespace.sh'), 'utf8');
    const listed = /for attribute in ([^;]+);/.exec(script)![1]!.trim().split(/\s+/);
    const kinds: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', INT: 'Int' };
    expect(listed).toEqual(allSearchAttributes.map((key) => `${key.name}=${kinds[key.type] ?? key.type}`));
  });
});

describe('the apps’ databases of the compose stack (deploy/postgres/create-databases.sh)', () => {
  let postgres: Postgres | undefined;
  let dir: string;
  let port: number;
  const password = 'create-databases-test-password';
  beforeAll(async () => {
    dir = tempDir('deploy-databases-');
    // PostgreSQL refuses to run as root: its own user must be let through to the cluster below.
    chmodSync(dir, 0o711);
    port = await freePort();
    postgres = await startPostgres({
      dataDir: join(dir, 'pg'),
      port,
      user: 'temporal',
      password,
      log: () => undefined,
      stdio: 'ignore',
    });
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  });

  /** The job's environment as docker-compose.yml gives it, pointed at this server instead of `postgres`. */
  const composeJob = () => {
    const compose = parse(readFileSync(join(DEPLOY, '../docker-compose.yml'), 'utf8')) as {
      services: Record<string, { environment: Record<string, string> }>;
    };
    return compose.services['app-databases']!.environment;
  };
  /** psql's own variables, for this server (compose's job gets PGHOST=postgres and the same user). */
  const psqlEnv = () => ({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'temporal', PGPASSWORD: password });
  const createDatabases = (databases: string, env: Record<string, string> = {}) =>
    exitCode('sh', [join(DEPLOY, 'postgres/create-databases.sh')], {
      ...psqlEnv(),
      DATABASES: databases,
      ...env,
    });
  const sql = async (database: string, command: string) =>
    (
      await run('psql', ['--dbname', database, '--no-psqlrc', '--tuples-only', '--no-align', '--command', command], {
        env: { PATH: process.env.PATH ?? '', ...psqlEnv() },
      })
    ).stdout.trim();

  it('creates each database compose names, and keeps them, with what is in them, when run again', async () => {
    const databases = composeJob().DATABASES!;
    const names = databases.split(/\s+/);
    expect(names.length).toBeGreaterThan(0);
    expect(await createDatabases(databases)).toMatchObject({ code: 0 });
    const all = (await sql('postgres', 'SELECT datname FROM pg_database')).split('\n');
    expect(all).toEqual(expect.arrayContaining(names));
    await sql(names[0]!, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)');
    const again = await createDatabases(databases);
    expect(again).toEqual({ code: 0, output: expect.stringContaining(`database ${names[0]} exists`) });
    expect(again.output).not.toContain('created');
    expect(await sql(names[0]!, 'SELECT id FROM kept')).toBe('1');
  });

  it('refuses a name that is not letters, digits and "_", creating nothing', async () => {
    const refused = await createDatabases('fine_one bad-name');
    expect(refused).toEqual({ code: 1, output: expect.stringContaining('cannot create the database "bad-name"') });
    const made = await sql('postgres', "SELECT count(*) FROM pg_database WHERE datname IN ('fine_one', 'bad-name')");
    expect(made).toBe('0');
  });

  it('fails, saying why, when the server refuses it (a wrong password) or none is named', async () => {
    const refused = await createDatabases('never_made', { PGPASSWORD: 'wrong-password' });
    expect(refused).toEqual({ code: 2, output: expect.stringContaining('password authentication failed') });
    expect(await sql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'never_made'")).toBe('0');
    expect(await createDatabases('')).toEqual({ code: 2, output: expect.stringContaining('DATABASES must name') });
  });
});

function pathOf(resolution: BinaryResolution): string {
  if (resolution.kind !== 'path') throw new Error('the Temporal CLI is provisioned before the tests');
  return resolution.path;
}
