import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@durable-delivery/jest-config/temp-dir';
import { freePort } from '@durable-delivery/temporal-server';

export interface ScrapeTarget {
  readonly job: string;
  /** host:port */
  readonly target: string;
  readonly path: string;
  /** The bearer token the target wants (METRICS_TOKEN). */
  readonly token: string;
}

export interface Prometheus {
  readonly url: string;
  /** An instant PromQL query's value: the sum of every series it returns (0 when it returns none). */
  query(promql: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus server (Debian's package, installed by the bootstrap; PROMETHEUS_PATH to use another) on a free
 * loopback port, with a generated configuration that scrapes `targets` every second (with each one's bearer token,
 * as deploy/prometheus.yml does) and its data in a temporary directory, removed by `stop()`. Resolves once every
 * target has been scraped successfully.
 */
export async function startPrometheus(targets: readonly ScrapeTarget[]): Promise<Prometheus> {
  const binary = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
  if (!existsSync(binary)) {
    throw new Error(`No Prometheus at ${binary}: \`npm test\` installs Debian's prometheus (or set PROMETHEUS_PATH).`);
  }
  const data = makeTempDir('e2e-prometheus-');
  const dir = data.path;
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    ...targets.flatMap(({ job, target, path, token }) => [
      `  - job_name: ${job}`,
      `    metrics_path: ${path}`,
      '    authorization:',
      `      credentials: '${token}'`,
      '    static_configs:',
      `      - targets: ['${target}']`,
    ]),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    data.remove();
  };

  const api = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) throw new Error(`Prometheus answered ${response.status} to ${path}`);
    return ((await response.json()) as { data: unknown }).data;
  };
  try {
    // Bounded: a Prometheus that never comes up, or a target that never answers, fails the run.
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`Prometheus exited (${child.exitCode}):\n${stderr.join('')}`);
      const data = (await api('/api/v1/targets').catch(() => undefined)) as
        { activeTargets: { health: string; labels: { job: string }; lastError: string }[] } | undefined;
      const up = data?.activeTargets.filter((target) => target.health === 'up').length ?? 0;
      if (data && up === targets.length) break;
      if (attempt >= 120) {
        throw new Error(`Prometheus targets not all up: ${JSON.stringify(data?.activeTargets ?? stderr.join(''))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(promql) {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
        result: { value: [number, string] }[];
      };
      return data.result.reduce((sum, series) => sum + Number(series.value[1]), 0);
    },
    stop,
  };
}
