import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { isPortInUse, startServerProcess, type ServerProcess } from '@durable-delivery/temporal-server';

/** The PostgreSQL server programs this cluster runs: Debian's `postgresql` package, or any install on PATH. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * Finds `initdb` and `postgres`, in this order: $POSTGRES_BIN_DIR; both on PATH; the newest Debian install
 * (/usr/lib/postgresql/<version>/bin, not on PATH there). Throws, saying how to install them, when none is found.
 */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  const inDir = (dir: string) =>
    existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))
      ? { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') }
      : undefined;
  if (env.POSTGRES_BIN_DIR) {
    const found = inDir(env.POSTGRES_BIN_DIR);
    if (found) return found;
    throw new Error(`POSTGRES_BIN_DIR is ${env.POSTGRES_BIN_DIR}, which holds no initdb and postgres.`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const found = dir ? inDir(dir) : undefined;
    if (found) return found;
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const found = inDir(join(debian, version, 'bin'));
    if (found) return found;
  }
  throw new Error(
    "Cannot find the PostgreSQL server (initdb and postgres). Install Debian's package with `apt-get install postgresql` " +
      '(`npm test` does it for you), put its bin directory on PATH, or set POSTGRES_BIN_DIR.',
  );
}

/**
 * PostgreSQL refuses to run as root. As root (CI containers), the cluster runs as this unprivileged user instead —
 * Debian's package creates `postgres` — and owns its data directory; otherwise it runs as whoever runs this.
 */
function runAsUser(env: NodeJS.ProcessEnv): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = env.POSTGRES_RUN_AS || 'postgres';
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
  if (!entry) {
    throw new Error(
      `PostgreSQL cannot run as root, and there is no user "${name}" to run it as: install Debian's postgresql ` +
        'package (it creates that user), or set POSTGRES_RUN_AS to another unprivileged user.',
    );
  }
  return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
}

export interface PostgresOptions {
  /** The cluster's data directory: created (initdb) when it holds no cluster yet, reused otherwise. */
  readonly dataDir: string;
  readonly port: number;
  /** The superuser the cluster is made with (and Temporal connects as). */
  readonly user: string;
  /** Its password, set at initdb; connections over TCP must give it (scram-sha-256). */
  readonly password: string;
  readonly log: (line: string) => void;
  readonly stdio?: 'pipe' | 'ignore';
}

export interface Postgres {
  readonly port: number;
  readonly pid: number | undefined;
  readonly exited: Promise<number | null>;
  /** A fast shutdown (SIGINT: sessions are ended, everything committed is kept). */
  stop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL cluster on 127.0.0.1:`port` — TCP on loopback only, no Unix socket, so it never meets a
 * system cluster — and resolves once it accepts connections.
 */
export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const binaries = findPostgres();
  const owner = runAsUser(process.env);
  const { dataDir, port, log } = options;
  if (await isPortInUse('127.0.0.1', port)) {
    throw new Error(`Cannot start PostgreSQL on 127.0.0.1:${port}: the port is already in use.`);
  }
  if (owner) assertReachable(dataDir, owner.name);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initCluster(binaries, owner, options);

  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const server: ServerProcess = startServerProcess(
    binaries.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      // Each Temporal service (frontend, history, matching, worker) keeps its own pools to both databases, up to 30
      // connections each: 120 for one server process, above PostgreSQL's default of 100.
      '-c',
      'max_connections=200',
    ],
    {
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      cwd: dataDir,
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' },
      stdio: options.stdio ?? 'pipe',
      log,
      onLine: (line) => line.includes('ready to accept connections') && ready(),
      // SIGINT is PostgreSQL's fast shutdown; it takes well under this.
      stopGraceMs: 30_000,
    },
  );
  const exitedEarly = server.exited.then((code) => {
    throw new Error(`PostgreSQL exited with ${code ?? 'a signal'} before it was ready. Last output:\n${server.tail()}`);
  });
  await Promise.race([isReady, exitedEarly]);
  exitedEarly.catch(() => undefined);
  return { port, pid: server.pid, exited: server.exited, stop: () => server.stop('SIGINT') };
}

/** As root, the cluster's user must be let through every directory above its data (mkdtemp makes private ones). */
function assertReachable(dataDir: string, user: string): void {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as ${user} here (not as root), who cannot reach ${dataDir}: ${dir} does not let others ` +
          'through. Keep the cluster under a directory others may traverse (chmod o+x), or run as another user.',
      );
    }
    if (dirname(dir) === dir) return;
  }
}

async function initCluster(
  binaries: PostgresBinaries,
  owner: ReturnType<typeof runAsUser>,
  { dataDir, user, password, log }: PostgresOptions,
): Promise<void> {
  log(`creating a PostgreSQL cluster in ${dataDir}`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // initdb reads the password from a file, which must not outlive it.
  const passwordFile = join(dirname(dataDir), `.${user}-password-${process.pid}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (owner) {
      await chown(dataDir, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    await promisify(execFile)(
      binaries.initdb,
      [
        '-D',
        dataDir,
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { ...(owner ? { uid: owner.uid, gid: owner.gid } : {}), cwd: dataDir, env: { PATH: process.env.PATH ?? '' } },
    );
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    await rm(dataDir, { recursive: true, force: true });
    const hint = owner
      ? ` (it runs as ${owner.name}, who must be able to reach ${dataDir}: every directory above it must let others through)`
      : '';
    throw new Error(`initdb failed${hint}:\n${detail}`, { cause: error });
  } finally {
    await rm(passwordFile, { force: true });
  }
}
