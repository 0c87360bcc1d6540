import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { parseServerKind, startProjectTemporal, type ProjectTemporal } from '@durable-delivery/temporal-cluster';
import { eventually } from '@durable-delivery/temporal-server';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawnWorker, type WorkerProcess } from './processes';
import { finishSignal, type Report } from './versioning/workflows';

// Worker Versioning on a real Temporal server (the dev server, and the full server on PostgreSQL): real worker
// processes (dist/main.js), two builds of one deployment running the test's own PINNED and AUTO_UPGRADE workflows
// (test/versioning/workflows.ts), told only by TEMPORAL_WORKER_* which build they are.
const kind = parseServerKind(process.env.TEST_TEMPORAL_SERVER);
const REPO = resolve(__dirname, '../../..');
const DEPLOYMENT = 'versioning-test';
const TASK_QUEUE = 'versioning-test';
const { VersioningBehavior } = temporal.api.enums.v1;
let server: ProjectTemporal;
let connection: Connection;
let client: Client;
let bundlePath: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  const dir = tempDir('versioning-it-');
  const [started, { code }] = await Promise.all([
    startProjectTemporal({ kind, dir, namespace: 'versioning' }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./versioning/workflows'), logger: silent() }),
  ]);
  server = started;
  bundlePath = join(dir, 'versioning-bundle.js');
  writeFileSync(bundlePath, code);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
});

afterAll(async () => {
  for (const worker of workers) worker.process.signal('SIGKILL');
  await connection?.close();
  await server?.stop();
});

interface Probe {
  readonly status: number;
  readonly body: {
    ready: boolean;
    reason: string;
    version?: { deploymentName: string; buildId: string };
    promotion?: { state: string; reason?: string };
  };
}

async function startBuild(
  buildId: string | undefined,
  promote: boolean,
  { taskQueue = TASK_QUEUE, deployment = DEPLOYMENT } = {},
) {
  const worker = spawnWorker({
    ...server.env,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    TEMPORAL_WORKER_DEPLOYMENT: deployment,
    ...(buildId ? { TEMPORAL_WORKER_BUILD_ID: buildId, TEMPORAL_WORKER_PROMOTE: String(promote) } : {}),
  });
  workers.push(worker);
  const { address } = (await worker.waitForLog('health endpoints listening')) as unknown as { address: string };
  const readyz = async (): Promise<Probe> => {
    const response = await fetch(`http://${address}/readyz`);
    return { status: response.status, body: (await response.json()) as Probe['body'] };
  };
  const ready = await eventually(async () => {
    const probe = await readyz().catch(() => undefined);
    return probe?.status === 200 ? probe : undefined;
  }, 300);
  return { worker, ready };
}

async function currentBuild(deploymentName = DEPLOYMENT): Promise<string | undefined> {
  const { workerDeploymentInfo } = await connection.workflowService.describeWorkerDeployment({
    namespace: server.namespace,
    deploymentName,
  });
  return workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
}

/** The run's versioning as the server records it, once its first workflow task has completed. */
async function versioningOf(handle: WorkflowHandle) {
  return eventually(async () => {
    const { raw } = await handle.describe();
    const info = raw.workflowExecutionInfo?.versioningInfo;
    return info?.deploymentVersion?.buildId
      ? { behavior: info.behavior, buildId: info.deploymentVersion.buildId }
      : undefined;
  });
}

/** The project's Temporal CLI wrapper (`pnpm temporal …`), as an operator runs it, against the test's server. */
async function temporalCli(...args: string[]): Promise<void> {
  await promisify(execFile)(process.execPath, [
    join(REPO, 'tooling/temporal-server/dist/cli.js'),
    'temporal',
    ...args,
    '--address',
    server.address,
    '--namespace',
    server.namespace,
  ]);
}

let runs = 0;
function start(workflowType: 'pinnedOrder' | 'upgradingCustomer', taskQueue = TASK_QUEUE) {
  return client.workflow.start(workflowType, { taskQueue, workflowId: `${workflowType}-${++runs}` });
}

async function finish(handle: WorkflowHandle): Promise<Report> {
  await handle.signal(finishSignal);
  return (await handle.result()) as Report;
}

describe(`Worker Versioning on a real Temporal ${kind === 'dev' ? 'dev server' : 'server on PostgreSQL'}`, () => {
  let build1: WorkerProcess;
  /** A run pinned to build 1 that is still open when build 1's workers are gone. */
  let stranded: WorkflowHandle;
  let pinned: WorkflowHandle;
  let upgrading: WorkflowHandle;

  it('a build started with TEMPORAL_WORKER_PROMOTE makes itself current once it polls, and only then is ready', async () => {
    const { worker, ready } = await startBuild('build-1', true);
    build1 = worker;
    expect(ready.body).toMatchObject({
      ready: true,
      version: { deploymentName: DEPLOYMENT, buildId: 'build-1' },
      promotion: { state: 'current' },
    });
    expect(await currentBuild()).toBe('build-1');

    pinned = await start('pinnedOrder');
    upgrading = await start('upgradingCustomer');
    expect(await versioningOf(pinned)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
      buildId: 'build-1',
    });
    expect(await versioningOf(upgrading)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
      buildId: 'build-1',
    });
  });

  it('a new build without the opt-in polls and is ready, but takes no new runs until an operator makes it current', async () => {
    const { ready } = await startBuild('build-2', false);
    expect(ready.body).toMatchObject({ ready: true, version: { deploymentName: DEPLOYMENT, buildId: 'build-2' } });
    expect(ready.body.promotion).toBeUndefined();
    expect(await currentBuild()).toBe('build-1');
    stranded = await start('pinnedOrder');
    expect(await versioningOf(stranded)).toMatchObject({ buildId: 'build-1' });

    // The documented deploy step, through the project's CLI wrapper (`pnpm temporal …`).
    await temporalCli(
      'worker',
      'deployment',
      'set-current-version',
      '--deployment-name',
      DEPLOYMENT,
      '--build-id',
      'build-2',
      '--yes',
    );
    expect(await currentBuild()).toBe('build-2');
  });

  it('a pinned run finishes on the build it started on; an auto-upgrade run and new runs go to the current build', async () => {
    const later = await start('pinnedOrder');
    expect(await versioningOf(later)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
      buildId: 'build-2',
    });
    // What an operator lists to see what build 1 still runs (docs/versioning.md).
    const onBuild1 = await eventually(async () => {
      const ids: string[] = [];
      for await (const run of client.workflow.list({
        query: `TemporalWorkerDeploymentVersion = '${DEPLOYMENT}:build-1' AND TemporalWorkflowVersioningBehavior = 'Pinned' AND ExecutionStatus = 'Running'`,
      })) {
        ids.push(run.workflowId);
      }
      return ids.includes(pinned.workflowId) ? ids : undefined;
    });
    expect(onBuild1).not.toContain(upgrading.workflowId);
    expect(await finish(pinned)).toEqual({ startedOn: 'build-1', finishedOn: 'build-1' });
    expect(await finish(upgrading)).toEqual({ startedOn: 'build-1', finishedOn: 'build-2' });
    expect(await finish(later)).toEqual({ startedOn: 'build-2', finishedOn: 'build-2' });
    expect(await versioningOf(pinned)).toMatchObject({ buildId: 'build-1' });
    expect(await versioningOf(upgrading)).toMatchObject({ buildId: 'build-2' });

    // Build 1 is no longer current: it drains (its pinned runs) and says so.
    const { workerDeploymentVersionInfo } = await connection.workflowService.describeWorkerDeploymentVersion({
      namespace: server.namespace,
      deploymentVersion: { deploymentName: DEPLOYMENT, buildId: 'build-1' },
    });
    expect(workerDeploymentVersionInfo?.status).toBe(
      temporal.api.enums.v1.WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING,
    );
  });

  it('an old build restarted with TEMPORAL_WORKER_PROMOTE does not roll the deployment back', async () => {
    build1.process.signal('SIGTERM');
    expect(await build1.exited).toBe(0);
    const restarted = await startBuild('build-1', true);
    build1 = restarted.worker;
    expect(restarted.ready.body).toMatchObject({
      ready: true,
      version: { buildId: 'build-1' },
      promotion: { state: 'declined', reason: expect.stringContaining('was current or ramping before') },
    });
    expect(await currentBuild()).toBe('build-2');
  });

  it('an operator moves a pinned run whose build has no workers left to the current build (update-options)', async () => {
    build1.process.signal('SIGTERM');
    expect(await build1.exited).toBe(0);
    await temporalCli(
      'workflow',
      'update-options',
      '--workflow-id',
      stranded.workflowId,
      '--versioning-override-behavior',
      'pinned',
      '--versioning-override-deployment-name',
      DEPLOYMENT,
      '--versioning-override-build-id',
      'build-2',
    );
    expect(await finish(stranded)).toEqual({ startedOn: 'build-1', finishedOn: 'build-2' });
  });

  it('the first versioned build takes over the runs unversioned workers started, at their next task, as auto-upgrade runs', async () => {
    // Why the release that turns versioning on must not change the order's commands (docs/versioning.md).
    const firstDeploy = { taskQueue: 'versioning-first-deploy', deployment: 'versioning-first-deploy' };
    // The unversioned worker runs the same workflows, which declare their behavior on versioned workers only.
    await startBuild(undefined, false, firstDeploy);
    const started = await start('pinnedOrder', firstDeploy.taskQueue);
    await eventually(async () =>
      (await started.fetchHistory()).events?.some((event) => event.workflowTaskCompletedEventAttributes)
        ? true
        : undefined,
    );
    expect((await started.describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion).toBeFalsy();
    await startBuild('build-3', true, firstDeploy);
    expect(await currentBuild(firstDeploy.deployment)).toBe('build-3');
    // Even with the unversioned worker still polling: a versioned current build takes the unversioned runs.
    const report = await finish(started);
    expect(report.startedOn).toBeUndefined();
    expect(report.finishedOn).toBe('build-3');
    // Not pinned: the workflow decides its behavior from its first task's build, and that one had none. So these
    // runs would follow the next current build too, which is why that build waits until they are closed or pinned.
    expect(await versioningOf(started)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
      buildId: 'build-3',
    });
    // What an operator lists before making the next build current (docs/versioning.md).
    const autoUpgrading = await eventually(async () => {
      const ids: string[] = [];
      for await (const run of client.workflow.list({
        query: `WorkflowType = 'pinnedOrder' AND TemporalWorkerDeployment = '${firstDeploy.deployment}' AND TemporalWorkflowVersioningBehavior = 'AutoUpgrade'`,
      })) {
        ids.push(run.workflowId);
      }
      return ids.length > 0 ? ids : undefined;
    });
    expect(autoUpgrading).toEqual([started.workflowId]);
  });
});

function silent() {
  const nothing = () => undefined;
  return { trace: nothing, debug: nothing, info: nothing, warn: nothing, error: nothing, log: nothing };
}
