import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { parse } from 'yaml';
import { loadAppConfig } from '@durable-delivery/api/server';

// There is no Docker engine here: Debian's docker-compose renders and validates the file (`config`), and the rest
// is checked on what it renders and on the Dockerfiles it names.
const REPO = resolve(__dirname, '../..');
const COMPOSE_FILE = join(REPO, 'docker-compose.yml');
const run = promisify(execFile);

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  healthcheck?: { test?: string[] | string; disable?: boolean };
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  environment?: Record<string, string | number>;
  entrypoint?: string[];
  volumes?: string[];
}

/**
 * What a person opens in a browser, and the frontend an operator's CLI calls: nothing else is published. The apps
 * are published by their proxy only (menu on 3000, driver on 3001), never by a replica.
 */
const PUBLISHED = {
  proxy: ['127.0.0.1:3000:3000/tcp', '127.0.0.1:3001:3001/tcp'],
  'temporal-ui': ['127.0.0.1:8080:8080/tcp'],
  'codec-server': ['127.0.0.1:4040:4040/tcp'],
  jaeger: ['127.0.0.1:16686:16686/tcp'],
  prometheus: ['127.0.0.1:9090:9090/tcp'],
  temporal: ['127.0.0.1:7233:7233/tcp'],
};

function exampleNames(): string[] {
  return [...readFileSync(join(REPO, '.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map(
    (match) => match[1]!,
  );
}

/** A value each secret accepts: random, as a real one would be. */
function sampleValue(name: string): string {
  return name === 'PAYLOAD_ENCRYPTION_KEYS'
    ? `test=${randomBytes(32).toString('base64')}`
    : randomBytes(24).toString('base64url');
}

const dir = tempDir('compose-test-');
function envFile(values: Record<string, string>): string {
  const file = join(dir, `${Object.keys(values).length}-${randomBytes(4).toString('hex')}.env`);
  writeFileSync(
    file,
    Object.entries(values)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  return file;
}

/** `docker-compose config` with only this env file (never a developer's .env) and a bare environment. */
async function composeConfig(file: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const args = ['--project-directory', REPO, '--file', COMPOSE_FILE, '--env-file', file, 'config'];
  try {
    const { stdout, stderr } = await run('docker-compose', args, { env: { PATH: process.env.PATH ?? '' } });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        'docker-compose is not installed: `apt-get install docker-compose` (`npm test` does it for you)',
        {
          cause: error,
        },
      );
    }
    return { ok: false, stdout: failure.stdout ?? '', stderr: failure.stderr ?? failure.message };
  }
}

interface Stage {
  readonly name?: string;
  /** The base as written, `${ARG}`s left in. */
  readonly from: string;
  /** Line continuations joined, comments dropped. */
  readonly instructions: string[];
}

/** A Dockerfile's global ARG defaults (those before the first FROM) and its stages. */
function dockerfile(path: string): { globals: Map<string, string>; stages: Stage[] } {
  const text = readFileSync(path, 'utf8').replace(/\\\n/g, ' ');
  const globals = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages.push({ from: from[1]!, ...(from[2] ? { name: from[2] } : {}), instructions: [] });
      continue;
    }
    const arg = /^ARG\s+(\w+)(?:=(\S+))?/.exec(line);
    if (arg && stages.length === 0) globals.set(arg[1]!, arg[2] ?? '');
    else stages.at(-1)?.instructions.push(line);
  }
  return { globals, stages };
}

/** What one stage leaves behind, its base stages included, as `docker build` would make it with these build args. */
interface Built {
  /** The images and stages it starts from, each resolved, the image first. */
  readonly bases: string[];
  readonly env: Record<string, string>;
  readonly workdir?: string;
  readonly user?: string;
  readonly expose: string[];
  readonly healthcheck?: string;
  readonly cmd?: string;
  /** Its RUN commands, with the build args and environment filled in as the shell would. */
  readonly runs: string[];
}

function expand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => values[braced ?? bare!] ?? '');
}

/** Builds a stage on paper (by name, or the last one): how the tests read an image without a Docker engine. */
function build(path: string, buildArgs: Record<string, string> = {}, target?: string): Built {
  const { globals, stages } = dockerfile(path);
  const globalValues = Object.fromEntries([...globals].map(([name, value]) => [name, buildArgs[name] ?? value]));
  const stage = target === undefined ? stages.at(-1)! : stages.find(({ name }) => name === target);
  if (!stage) throw new Error(`${path} has no stage ${target}`);
  const from = expand(stage.from, globalValues);
  const base: Built = stages.some(({ name }) => name === from)
    ? build(path, buildArgs, from)
    : { bases: [], env: {}, expose: [], runs: [] };
  const env = { ...base.env };
  const args: Record<string, string> = {};
  let { workdir, user, healthcheck, cmd } = base;
  const expose = [...base.expose];
  const runs: string[] = [];
  for (const line of stage.instructions) {
    const [, keyword = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const values = { ...args, ...env };
    switch (keyword.toUpperCase()) {
      case 'ARG': {
        const [name = '', value = ''] = rest.split('=');
        args[name] = buildArgs[name] ?? value;
        break;
      }
      case 'ENV':
        for (const [, name, value] of rest.matchAll(/(\w+)=(\S+)/g)) env[name!] = expand(value!, values);
        break;
      case 'WORKDIR':
        workdir = expand(rest, values);
        break;
      case 'USER':
        user = expand(rest, values);
        break;
      case 'EXPOSE':
        expose.push(...expand(rest, values).split(/\s+/));
        break;
      case 'HEALTHCHECK':
        healthcheck = rest;
        break;
      case 'CMD':
        cmd = (JSON.parse(rest) as string[]).join(' ');
        break;
      case 'RUN':
        runs.push(expand(rest, values));
        break;
    }
  }
  return { bases: [...base.bases, from], env, workdir, user, expose, healthcheck, cmd, runs };
}

function dockerfileOf(service: Service): string {
  return resolve(service.build!.context, service.build!.dockerfile ?? 'Dockerfile');
}

function imageOf(service: Service, target?: string): Built {
  return build(dockerfileOf(service), service.build!.args, target);
}

/** The compose services that build an app of this repository, with their build args. */
function builtApps(): [string, Service & { build: { args: Record<string, string> } }][] {
  return Object.entries(services).flatMap(([name, service]) =>
    service.build?.context === REPO ? [[name, service as Service & { build: { args: Record<string, string> } }]] : [],
  );
}

const secrets = Object.fromEntries(exampleNames().map((name) => [name, sampleValue(name)]));
let services: Record<string, Service>;

beforeAll(async () => {
  const result = await composeConfig(envFile(secrets));
  if (!result.ok) throw new Error(`docker-compose config failed:\n${result.stderr}`);
  services = (parse(result.stdout) as { services: Record<string, Service> }).services;
});

/** Set-up jobs: run once to completion, waited for by what needs them. */
function oneShotJobs(): string[] {
  return Object.keys(services).filter((name) =>
    Object.values(services).some((other) => other.depends_on?.[name]?.condition === 'service_completed_successfully'),
  );
}

describe('docker-compose.yml', () => {
  it('renders with every secret taken from the environment file', () => {
    expect(services.worker?.environment?.PAYMENTS_API_KEY).toBe(secrets.PAYMENTS_API_KEY);
    expect(services.postgres?.environment?.POSTGRES_PASSWORD).toBe(secrets.POSTGRES_PASSWORD);
    expect(services.temporal?.environment?.POSTGRES_PWD).toBe(secrets.POSTGRES_PASSWORD);
  });

  it('refuses to render while any secret is missing, naming it', async () => {
    // Every variable compose reads with `:?` is required; the optional ones (`:-`, e.g. SESSION_SECRET_PREVIOUS) may be empty.
    const compose = readFileSync(COMPOSE_FILE, 'utf8');
    const required = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?/g)].map((match) => match[1]!));
    expect(Object.keys(secrets).filter((name) => !required.has(name))).toEqual(['SESSION_SECRET_PREVIOUS']);
    for (const name of Object.keys(secrets).filter((name) => required.has(name))) {
      const result = await composeConfig(envFile({ ...secrets, [name]: '' }));
      expect({ name, ok: result.ok }).toEqual({ name, ok: false });
      expect(result.stderr).toContain(`set ${name} in .env`);
    }
  });

  it('holds no secret itself: .env.example names exactly the variables it reads', () => {
    const compose = readFileSync(COMPOSE_FILE, 'utf8');
    const read = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!));
    expect([...read].sort()).toEqual(exampleNames().sort());
    // No literal value for any of them anywhere in the file.
    for (const name of read) expect(compose).not.toMatch(new RegExp(`${name}: (?!\\$\\{)`));
  });

  it('checks the health of every long-running service, in compose or in its image', () => {
    expect(oneShotJobs().sort()).toEqual(['app-databases', 'temporal-schema', 'temporal-setup']);
    for (const name of oneShotJobs())
      expect({ name, restart: services[name]!.restart }).toEqual({ name, restart: 'no' });
    for (const [name, service] of Object.entries(services)) {
      if (oneShotJobs().includes(name)) continue;
      const inCompose = !service.healthcheck?.disable && (service.healthcheck?.test?.length ?? 0) > 0;
      const inImage = service.build !== undefined && /\bCMD\b/.test(imageOf(service).healthcheck ?? '');
      expect({ name, healthChecked: inCompose || inImage }).toEqual({ name, healthChecked: true });
    }
  });

  it('pins every image it pulls to a version, in compose and in every Dockerfile', () => {
    const pinned = (image: string) => /^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/.test(image) && !image.endsWith(':latest');
    for (const [name, service] of Object.entries(services)) {
      if (service.image)
        expect({ name, image: service.image, pinned: pinned(service.image) }).toMatchObject({ pinned: true });
      if (!service.build) continue;
      const { globals, stages } = dockerfile(dockerfileOf(service));
      const buildArgs = service.build.args ?? {};
      const values = Object.fromEntries([...globals].map(([arg, value]) => [arg, buildArgs[arg] ?? value]));
      for (const stage of stages) {
        const from = expand(stage.from, values);
        // A stage may start from an earlier one by its name.
        const earlier = stages.some((other) => other.name === from);
        expect({ name, from, pinned: earlier || pinned(from) }).toMatchObject({ pinned: true });
      }
    }
  });

  it('publishes ports only for the apps, the UIs and the operators’ CLI, on loopback only', () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, service]) => (service.ports?.length ?? 0) > 0)
        .map(([name, service]) => [name, service.ports]),
    );
    expect(published).toEqual(PUBLISHED);
  });

  it('runs every image it builds as an unprivileged user', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const { user } = imageOf(service);
      expect({ name, user }).toEqual({ name, user: expect.not.stringMatching(/^(root|0)(:|$)/) });
      expect(user).toBeDefined();
    }
  });

  it('builds from contexts and Dockerfiles that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      expect({ name, context: existsSync(service.build.context) }).toEqual({ name, context: true });
      expect({ name, dockerfile: existsSync(dockerfileOf(service)) }).toEqual({ name, dockerfile: true });
    }
    // Secrets and local builds never reach a build context.
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '**/node_modules', '.data']));
  });

  it('builds every app with the one deploy/Dockerfile, pruning the workspace to that app and running from its folder', () => {
    const apps = builtApps();
    expect(apps.map(([name]) => name).sort()).toEqual(
      ['codec-server', 'driver', 'menu', 'notifications', 'payments', 'worker'].sort(),
    );
    for (const [name, service] of apps) {
      expect({ name, dockerfile: dockerfileOf(service) }).toEqual({
        name,
        dockerfile: join(REPO, 'deploy/Dockerfile'),
      });
      const { APP: app = '' } = service.build.args;
      const manifest = JSON.parse(readFileSync(join(REPO, 'apps', app, 'package.json'), 'utf8')) as { name: string };
      const prune = imageOf(service, 'prune').runs.map((run) => /turbo@\S+ prune "?([^"\s]+)"? --docker/.exec(run));
      expect({ name, prunes: prune.find(Boolean)?.[1] }).toEqual({ name, prunes: manifest.name });
      const built = imageOf(service, 'build').runs.map((run) => /turbo run build "?--filter=([^"\s]+)"?/.exec(run));
      expect({ name, builds: built.find(Boolean)?.[1] }).toEqual({ name, builds: manifest.name });
      expect({ name, runsFrom: imageOf(service).workdir }).toEqual({ name, runsFrom: `/app/apps/${app}` });
    }
  });

  it('starts each app as its kind does, and checks its health on the port it listens on', () => {
    for (const [name, service] of builtApps()) {
      const { APP: app = '', KIND: kind, PORT: port } = service.build.args;
      const manifest = JSON.parse(readFileSync(join(REPO, 'apps', app, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        scripts?: Record<string, string>;
      };
      const image = imageOf(service);
      // A Next.js app runs its production server (next-serve), listening on PORT; a service or the worker runs its own start script.
      const isNext = manifest.dependencies?.next !== undefined;
      expect({ name, kind }).toEqual({ name, kind: isNext ? 'next' : 'node' });
      if (isNext) {
        expect({ name, cmd: image.cmd }).toEqual({
          name,
          cmd: expect.stringMatching(/next-config\/next-serve\.mjs --hostname 0\.0\.0\.0$/),
        });
        expect({ name, listens: image.env.PORT }).toEqual({ name, listens: port });
        // Its replicas publish nothing: the proxy publishes the port (see the proxy's tests below).
        expect({ name, published: service.ports ?? [] }).toEqual({ name, published: [] });
      } else {
        expect({ name, cmd: image.cmd }).toEqual({ name, cmd: manifest.scripts?.start });
        // Its own variable says where it listens: <APP>_PORT, or the worker's health address.
        const listens =
          service.environment?.[`${app.toUpperCase().replace(/-/g, '_')}_PORT`] ??
          String(service.environment?.WORKER_HEALTH_ADDRESS ?? '').split(':')[1];
        expect({ name, listens: String(listens) }).toEqual({ name, listens: port });
      }
      expect({ name, expose: image.expose }).toEqual({ name, expose: [port] });
      expect({ name, healthcheck: image.healthcheck }).toEqual({
        name,
        healthcheck: expect.stringMatching(/CMD \["node", "\/usr\/local\/lib\/healthcheck\.mjs"\]$/),
      });
      expect({ name, url: image.env.HEALTHCHECK_URL }).toEqual({
        name,
        url: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:${port}/`)),
      });
    }
  });

  it('gives each app the origins it is published at (APP_ORIGINS): it answers no other host', () => {
    for (const app of ['menu', 'driver'] as const) {
      const port = services[app]?.build?.args?.PORT;
      expect(PUBLISHED.proxy).toContain(`127.0.0.1:${port}:${port}/tcp`);
      expect({ app, origins: services[app]?.environment?.APP_ORIGINS }).toEqual({
        app,
        origins: `http://localhost:${port},http://127.0.0.1:${port}`,
      });
    }
  });

  it('runs two workers, each given longer to shut down than its in-flight activities get', () => {
    expect(services.worker?.deploy?.replicas).toBe(2);
    // The worker's WORKER_SHUTDOWN_GRACE_TIME defaults to 10 s; Docker's SIGKILL must come after it.
    expect(Number(/^(\d+)s$/.exec(services.worker?.stop_grace_period ?? '')?.[1])).toBeGreaterThan(10);
  });

  it('runs two notification services on one inbox in PostgreSQL: a database of their own on the compose server', () => {
    const notifications = services.notifications!;
    expect(notifications.deploy?.replicas).toBe(2);
    const url = new URL(String(notifications.environment?.NOTIFICATIONS_DATABASE_URL));
    expect({ protocol: url.protocol, host: url.hostname }).toEqual({ protocol: 'postgres:', host: 'postgres' });
    expect(url.username).toBe(services.postgres?.environment?.POSTGRES_USER);
    // The password comes from the environment (PGPASSWORD), never written into the URL.
    expect(url.password).toBe('');
    expect(notifications.environment?.PGPASSWORD).toBe(secrets.POSTGRES_PASSWORD);
    const others = [
      services.temporal?.environment?.DBNAME,
      services.temporal?.environment?.VISIBILITY_DBNAME,
      new URL(String(services.driver?.environment?.ACCOUNTS_DATABASE_URL)).pathname.slice(1),
    ];
    expect(others).not.toContain(url.pathname.slice(1));
    expect(notifications.depends_on?.postgres?.condition).toBe('service_healthy');
    // No inbox of one replica's own: no SQLite file, no volume.
    expect(notifications.environment).not.toHaveProperty('NOTIFICATIONS_DB');
    expect(notifications.volumes ?? []).toEqual([]);
  });

  it('builds the worker as one build of its Worker Deployment, which makes itself current (docs/versioning.md)', async () => {
    const worker = services.worker!;
    // The build id goes in as a build arg and comes out as the worker's TEMPORAL_WORKER_BUILD_ID, in production.
    expect(worker.build?.args?.BUILD_ID).toBe(secrets.WORKER_BUILD_ID);
    const image = imageOf(worker);
    expect(image.env).toMatchObject({ NODE_ENV: 'production', TEMPORAL_WORKER_BUILD_ID: secrets.WORKER_BUILD_ID });
    expect(worker.environment).toMatchObject({
      TEMPORAL_WORKER_DEPLOYMENT: 'durable-delivery',
      TEMPORAL_WORKER_PROMOTE: 'true',
    });
    // A worker image without a build id fails to build, naming the build arg; the other apps need none.
    const guard = (buildArgs: Record<string, string>) =>
      build(dockerfileOf(worker), { ...worker.build!.args, ...buildArgs }, 'prune').runs.find((line) =>
        line.includes('BUILD_ID'),
      );
    const failed = await run('sh', ['-c', guard({ BUILD_ID: '' })!]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('build arg BUILD_ID is required') });
    await expect(run('sh', ['-c', guard({ BUILD_ID: 'abc1234' })!])).resolves.toBeDefined();
    await expect(run('sh', ['-c', guard({ APP: 'payments', BUILD_ID: '' })!])).resolves.toBeDefined();
  });

  it('wires the Temporal UI to the codec server, and every deployable to the OpenTelemetry collector', () => {
    const codecPort = PUBLISHED['codec-server'][0]!.split(':')[1];
    const ui = services['temporal-ui']?.environment;
    expect(ui?.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${codecPort}`);
    // The operator's sign-in cookie goes along, so the UI decodes with nothing set in it; a failure names the page.
    expect(ui?.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    expect(ui?.TEMPORAL_CODEC_DEFAULT_ERROR_LINK).toBe(`http://localhost:${codecPort}/`);
    // The codec server lets the UI's published origin through (CORS with credentials).
    const uiOrigin = `http://localhost:${PUBLISHED['temporal-ui'][0]!.split(':')[1]}`;
    expect(String(services['codec-server']?.environment?.CODEC_SERVER_CORS_ORIGINS).split(',')).toContain(uiOrigin);
    expect(services['codec-server']?.environment?.PAYLOAD_ENCRYPTION_KEYS).toBe(secrets.PAYLOAD_ENCRYPTION_KEYS);
    for (const name of ['worker', 'payments', 'notifications', 'menu', 'driver']) {
      expect({ name, otlp: services[name]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({
        name,
        otlp: 'http://otel-collector:4318',
      });
    }
    const collector = parse(readFileSync(join(REPO, 'deploy/otel-collector/config.yaml'), 'utf8')) as {
      receivers: Record<string, unknown>;
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    const traces = collector.service.pipelines.traces!;
    for (const receiver of traces.receivers) expect(collector.receivers).toHaveProperty([receiver]);
    for (const exporter of traces.exporters) {
      const host = collector.exporters[exporter]?.endpoint?.split(':')[0];
      expect(services).toHaveProperty([host!]);
    }
  });

  it('scrapes the metrics endpoint of every deployable and of the Temporal server', () => {
    const prometheus = parse(readFileSync(join(REPO, 'deploy/prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const scraped = Object.fromEntries(
      prometheus.scrape_configs.map((job) => [
        job.job_name,
        `${job.static_configs?.[0]?.targets[0] ?? `${job.dns_sd_configs?.[0]?.names[0]}:${job.dns_sd_configs?.[0]?.port}`}${job.metrics_path ?? '/metrics'}`,
      ]),
    );
    // The endpoints every deployable serves (docs/configuration.md: In containers).
    expect(scraped).toEqual({
      worker: 'worker:9465/metrics',
      payments: 'payments:4010/metrics',
      notifications: 'notifications:4020/metrics',
      menu: 'menu:3000/api/metrics',
      driver: 'driver:3001/api/metrics',
      temporal: 'temporal:8000/metrics',
    });
    expect(services.temporal?.environment?.PROMETHEUS_ENDPOINT).toBe('0.0.0.0:8000');
    for (const target of Object.values(scraped)) expect(services).toHaveProperty([target.split(':')[0]!]);
  });

  it('scrapes every metrics endpoint of ours with METRICS_TOKEN, which each of them is given', () => {
    const prometheus = parse(readFileSync(join(REPO, 'deploy/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; authorization?: { credentials_file?: string } }[];
    };
    const ours = prometheus.scrape_configs.filter((job) => job.job_name !== 'temporal');
    expect(ours.map((job) => job.job_name).sort()).toEqual(['driver', 'menu', 'notifications', 'payments', 'worker']);
    const tokenFile = ours[0]?.authorization?.credentials_file;
    for (const job of ours) expect(job.authorization?.credentials_file).toBe(tokenFile);
    for (const job of ours) expect(services[job.job_name]?.environment?.METRICS_TOKEN).toBe(secrets.METRICS_TOKEN);
    // Prometheus writes the file it reads the token from, at start, from the same variable.
    expect(services.prometheus?.environment?.METRICS_TOKEN).toBe(secrets.METRICS_TOKEN);
    // (`$$` is compose's escape for a `$` the container's shell expands; `config` prints it as written.)
    expect(services.prometheus?.entrypoint?.join(' ')).toContain(`"$$METRICS_TOKEN" > ${tokenFile}`);
    // The SDK's own endpoint cannot check a token: it stays on the worker container's loopback.
    expect(services.worker?.environment?.WORKER_METRICS_ADDRESS).toMatch(/^127\.0\.0\.1:/);
  });

  it('gives each service its API key and the host name its callers use (any other Host is refused)', () => {
    expect(services.payments?.environment?.PAYMENTS_API_KEY).toBe(secrets.PAYMENTS_API_KEY);
    expect(services.notifications?.environment?.NOTIFICATIONS_API_KEY).toBe(secrets.NOTIFICATIONS_API_KEY);
    expect(services.menu?.environment?.NOTIFICATIONS_API_KEY).toBe(secrets.NOTIFICATIONS_API_KEY);
    expect(services.worker?.environment?.NOTIFICATIONS_API_KEY).toBe(secrets.NOTIFICATIONS_API_KEY);
    expect(services.payments?.environment?.PAYMENTS_ALLOWED_HOSTS).toBe(
      new URL(String(services.worker?.environment?.PAYMENTS_URL)).hostname,
    );
    expect(services.notifications?.environment?.NOTIFICATIONS_ALLOWED_HOSTS).toBe(
      new URL(String(services.worker?.environment?.NOTIFICATIONS_URL)).hostname,
    );
  });

  it('sets up the databases the server then uses, with the script `pnpm stack:postgres` runs', () => {
    const schema = services['temporal-schema']!;
    const server = services.temporal!;
    expect(schema.entrypoint).toEqual(['/bin/sh', '/deploy/temporal/setup-schema.sh']);
    expect(schema.volumes).toContain(`${join(REPO, 'deploy/temporal')}:/deploy/temporal:ro`);
    expect(schema.environment).toMatchObject({
      SQL_HOST: server.environment?.POSTGRES_SEEDS,
      SQL_USER: server.environment?.POSTGRES_USER,
      SQL_PASSWORD: server.environment?.POSTGRES_PWD,
      DBNAME: server.environment?.DBNAME,
      VISIBILITY_DBNAME: server.environment?.VISIBILITY_DBNAME,
    });
    expect(server.environment?.DB).toBe('postgres12');
  });
});

/** One nginx directive: its name, its arguments and, for a block (`server { … }`), what is inside. */
interface Directive {
  readonly name: string;
  readonly args: string[];
  readonly block?: Directive[];
}

/** nginx's configuration syntax, as far as deploy/proxy/nginx.conf uses it: directives, blocks, quotes, comments. */
function parseNginx(text: string): Directive[] {
  const tokens = [...text.replace(/#[^\n]*/g, '').matchAll(/'([^']*)'|"([^"]*)"|([{};])|([^\s{};]+)/g)].map(
    ([, single, double, punctuation, word]) => ({ punctuation, word: single ?? double ?? word ?? '' }),
  );
  let at = 0;
  const directives = (): Directive[] => {
    const list: Directive[] = [];
    while (at < tokens.length && tokens[at]!.punctuation !== '}') {
      const words: string[] = [];
      while (at < tokens.length && !tokens[at]!.punctuation) words.push(tokens[at++]!.word);
      const end = tokens[at++]?.punctuation;
      const [name = '', ...args] = words;
      if (end === '{') {
        list.push({ name, args, block: directives() });
        if (tokens[at++]?.punctuation !== '}') throw new Error(`nginx.conf: "${name}" block is not closed`);
      } else if (end === ';') list.push({ name, args });
      else throw new Error(`nginx.conf: "${name}" does not end with ";"`);
    }
    return list;
  };
  const parsed = directives();
  if (at < tokens.length) throw new Error('nginx.conf: unbalanced "}"');
  return parsed;
}

const PROXY_CONF = join(REPO, 'deploy/proxy/nginx.conf');
/** Where compose mounts it: the nginx image reads /etc/nginx/nginx.conf. */
const PROXY_MOUNT = `${PROXY_CONF}:/etc/nginx/nginx.conf:ro`;

function directives(within: Directive[] | undefined, name: string): Directive[] {
  return (within ?? []).filter((directive) => directive.name === name);
}

/** Seconds of an nginx time ("90", "90s", "10m", "1h"). */
function seconds(value: string | undefined): number {
  const [, amount, unit = 's'] = /^(\d+)(ms|s|m|h|d)?$/.exec(value ?? '') ?? [];
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit as 'ms' | 's' | 'm' | 'h' | 'd'];
  return amount === undefined ? Number.NaN : Number(amount) * factor;
}

describe('the apps: two replicas each, behind their proxy (deploy/proxy/nginx.conf)', () => {
  const conf = parseNginx(readFileSync(PROXY_CONF, 'utf8'));
  const http = directives(conf, 'http')[0]?.block;
  const servers = directives(http, 'server').map((server) => {
    const variables = Object.fromEntries(
      directives(server.block, 'set').map(({ args: [name = '', value = ''] }) => [name, value]),
    );
    const locations = directives(server.block, 'location').map((location) => ({
      match: location.args.join(' '),
      block: location.block ?? [],
      passes: directives(location.block, 'proxy_pass')[0]?.args[0],
    }));
    // Where `location /` sends requests, its variables filled in.
    const root = locations.find((location) => location.match === '/')?.passes ?? '';
    const upstream = root.replace(/\$(\w+)/g, (variable) => variables[variable] ?? variable);
    return { listen: directives(server.block, 'listen')[0]?.args[0], server, locations, upstream };
  });
  const apps = ['menu', 'driver'] as const;
  const portOf = (app: string) => services[app]?.build?.args?.PORT;
  /** The compose services proxying to this app: those that mount the proxy's config, for each server of it pointing at the app. */
  const proxiesOf = (app: string) =>
    Object.keys(services).filter(
      (name) =>
        (services[name]?.volumes ?? []).includes(PROXY_MOUNT) &&
        servers.some(({ upstream }) => upstream === `http://${app}:${portOf(app)}`),
    );

  it('runs two of each: workers, notification services, menus and drivers; one payment service', () => {
    for (const name of ['worker', 'notifications', 'menu', 'driver']) {
      expect({ name, replicas: services[name]?.deploy?.replicas }).toEqual({ name, replicas: 2 });
    }
    // The payment service stands in for an external provider; its ledger is one SQLite file on a volume.
    expect(services.payments?.deploy?.replicas ?? 1).toBe(1);
    expect(services.payments?.volumes).toEqual([expect.stringMatching(/^payments-data:\/data(:rw)?$/)]);
  });

  it('publishes each app only through the proxy, whose server on that port passes to the app’s replicas', () => {
    for (const app of apps) {
      const port = portOf(app);
      const publishers = Object.keys(services).filter((name) =>
        (services[name]?.ports ?? []).includes(`127.0.0.1:${port}:${port}/tcp`),
      );
      expect({ app, publishers }).toEqual({ app, publishers: ['proxy'] });
      expect(services.proxy?.volumes).toContain(PROXY_MOUNT);
      const onPort = servers.filter(({ listen }) => listen === port);
      expect({ app, upstreams: onPort.map(({ upstream }) => upstream) }).toEqual({
        app,
        upstreams: [`http://${app}:${port}`],
      });
    }
    // Every server of the config is one of the apps' ports, and every location passes to its own app or answers itself.
    expect(servers.map(({ listen }) => listen).sort()).toEqual(apps.map(portOf).sort());
    for (const { locations, upstream, server } of servers) {
      for (const location of locations) {
        const passes = location.passes?.replace(/\$(\w+)/g, (variable) =>
          String(directives(server.block, 'set').find(({ args }) => args[0] === variable)?.args[1]),
        );
        expect({ location: location.match, passes: passes ?? 'answers itself' }).toEqual({
          location: location.match,
          passes: passes === undefined ? 'answers itself' : upstream,
        });
        if (passes === undefined) expect(directives(location.block, 'return')).toHaveLength(1);
      }
    }
  });

  it('looks the replicas up in Docker’s DNS for each request, so a restarted or added replica is found again', () => {
    const resolver = directives(http, 'resolver')[0]?.args ?? [];
    expect(resolver[0]).toBe('127.0.0.11');
    const valid = resolver.find((arg) => arg.startsWith('valid='));
    expect(seconds(valid?.slice('valid='.length))).toBeLessThanOrEqual(30);
    // nginx resolves a name written literally in proxy_pass once, at start; through a variable, at request time.
    for (const { locations } of servers) {
      for (const { passes } of locations) if (passes !== undefined) expect(passes).toMatch(/^http:\/\/\$\w+$/);
    }
  });

  it('passes Host through and appends the address it saw to X-Forwarded-For, for every location', () => {
    const headers = Object.fromEntries(
      directives(http, 'proxy_set_header').map(({ args: [name = '', value = ''] }) => [name.toLowerCase(), value]),
    );
    expect(headers).toMatchObject({ host: '$http_host', 'x-forwarded-for': '$proxy_add_x_forwarded_for' });
    // A server or location that sets any header of its own drops every inherited one (nginx's rule): none does.
    for (const { server, locations } of servers) {
      expect(directives(server.block, 'proxy_set_header')).toEqual([]);
      for (const location of locations) expect(directives(location.block, 'proxy_set_header')).toEqual([]);
    }
  });

  it('lets the apps answer an oversized body themselves: nginx takes more than their limits', () => {
    const [limit] = directives(http, 'client_max_body_size').map(({ args: [value = ''] }) => value);
    // nginx answers bodies over its default 1 MiB with its own HTML page; the apps' proxy buffers 1 MiB.
    expect(limit).toMatch(/^\d+m$/);
    expect(Number.parseInt(limit!, 10)).toBeGreaterThan(1);
  });

  it('streams the menu’s live notifications (server-sent events) unbuffered, and lets an idle stream stay open', () => {
    expect(existsSync(join(REPO, 'apps/menu/src/app/api/notifications/route.ts'))).toBe(true);
    const menu = servers.find(({ listen }) => listen === portOf('menu'))!;
    const stream = menu.locations.find(({ match }) => match === '= /api/notifications');
    expect(stream?.passes).toBeDefined();
    expect(directives(stream?.block, 'proxy_buffering')[0]?.args).toEqual(['off']);
    // Longer than nginx's default 60 s, and than the notification service's 15 s heartbeat many times over.
    expect(seconds(directives(stream?.block, 'proxy_read_timeout')[0]?.args[0])).toBeGreaterThanOrEqual(600);
  });

  it('sets TRUST_PROXY to the number of proxies in front of each app, as the app reads it', () => {
    for (const app of apps) {
      const proxies = proxiesOf(app);
      expect({ app, proxies }).toEqual({ app, proxies: ['proxy'] });
      const env = services[app]?.environment;
      expect({ app, trustProxy: String(env?.TRUST_PROXY) }).toEqual({ app, trustProxy: String(proxies.length) });
      expect(loadAppConfig(appEnvironment(app)).trustProxy).toBe(proxies.length);
    }
  });

  it('health-checks the proxy through itself on each app’s port, once the apps are healthy', () => {
    const test = [services.proxy?.healthcheck?.test ?? []].flat().join(' ');
    for (const app of apps) {
      expect(test).toContain(`http://127.0.0.1:${portOf(app)}/api/healthz`);
      expect(existsSync(join(REPO, `apps/${app}/src/app/api/healthz/route.ts`))).toBe(true);
      expect(services.proxy?.depends_on?.[app]?.condition).toBe('service_healthy');
    }
  });

  it('counts each app’s rate limits across its replicas in PostgreSQL, in a database of the app’s own', () => {
    const creator = services['app-databases']!;
    const created = String(creator.environment?.DATABASES).split(/\s+/);
    const taken = [
      services.temporal?.environment?.DBNAME,
      services.temporal?.environment?.VISIBILITY_DBNAME,
      new URL(String(services.driver?.environment?.ACCOUNTS_DATABASE_URL)).pathname.slice(1),
      new URL(String(services.notifications?.environment?.NOTIFICATIONS_DATABASE_URL)).pathname.slice(1),
    ];
    const databases: string[] = [];
    for (const app of apps) {
      const env = services[app]!.environment!;
      expect(env.RATE_LIMIT_STORE).toBe('postgres');
      const url = new URL(String(env.RATE_LIMIT_DATABASE_URL));
      expect({ protocol: url.protocol, host: url.hostname, user: url.username }).toEqual({
        protocol: 'postgres:',
        host: 'postgres',
        user: services.postgres?.environment?.POSTGRES_USER,
      });
      // The password comes from the environment (PGPASSWORD), never written into the URL.
      expect(url.password).toBe('');
      expect(env.PGPASSWORD).toBe(secrets.POSTGRES_PASSWORD);
      const database = url.pathname.slice(1);
      databases.push(database);
      expect(created).toContain(database);
      expect(taken).not.toContain(database);
      expect(services[app]?.depends_on?.['app-databases']?.condition).toBe('service_completed_successfully');
      expect(loadAppConfig(appEnvironment(app)).rateLimits.store).toEqual({
        kind: 'postgres',
        url: env.RATE_LIMIT_DATABASE_URL,
      });
    }
    expect(new Set(databases).size).toBe(apps.length);
    // The job that makes them: the script scripts.test.ts runs against a real PostgreSQL, on compose's server.
    expect(creator.image).toBe(services.postgres?.image);
    expect(creator.entrypoint).toEqual(['/bin/sh', '/deploy/postgres/create-databases.sh']);
    expect(creator.volumes).toContain(`${join(REPO, 'deploy/postgres')}:/deploy/postgres:ro`);
    expect(creator.environment).toMatchObject({
      PGHOST: 'postgres',
      PGUSER: services.postgres?.environment?.POSTGRES_USER,
      PGPASSWORD: secrets.POSTGRES_PASSWORD,
    });
    expect(creator.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('scrapes each replica of every replicated service, not whichever one its name answers with', () => {
    const prometheus = parse(readFileSync(join(REPO, 'deploy/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; type: string }[] }[];
    };
    for (const job of prometheus.scrape_configs) {
      if ((services[job.job_name]?.deploy?.replicas ?? 1) < 2) continue;
      expect({ job: job.job_name, sd: job.dns_sd_configs?.[0] }).toMatchObject({
        job: job.job_name,
        sd: { names: [job.job_name], type: 'A' },
      });
    }
  });
});

/** The environment an app's container starts with: its image's, then compose's (as strings, as a process sees them). */
function appEnvironment(app: string): NodeJS.ProcessEnv {
  const service = services[app]!;
  return Object.fromEntries(
    Object.entries({ ...imageOf(service).env, ...service.environment }).map(([name, value]) => [name, String(value)]),
  );
}
