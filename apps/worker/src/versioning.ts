import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { WorkerVersioning } from './config';
import type { Readiness } from './health';

/**
 * The worker's part of Worker Versioning (docs/versioning.md). A versioned worker polls as one build of its Worker
 * Deployment; each workflow type says whether its runs stay on the build they started on (`order`: PINNED, via
 * setWorkflowOptions) or move to each new current build (the forever workflows: AUTO_UPGRADE, kept replay-safe with
 * patches). A workflow type that says nothing auto-upgrades, which is what every workflow did before versioning.
 */
export function workerDeploymentOptions(
  versioning: WorkerVersioning | undefined,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!versioning) return {};
  return {
    workerDeploymentOptions: {
      version: { deploymentName: versioning.deploymentName, buildId: versioning.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  };
}

export type Promotion =
  /** Still trying: the server has not seen this build poll yet, or refused the change (`lastError`). */
  | { readonly state: 'pending'; readonly lastError?: string }
  /** This build is the deployment's current version (made so now, or it already was). */
  | { readonly state: 'current' }
  /** Left alone on purpose (`reason`): making this build current would roll the deployment back. */
  | { readonly state: 'declined'; readonly reason: string };

export interface PromotionOptions {
  readonly namespace: string;
  /** Who asks, as the server records it (the worker's identity). */
  readonly identity: string;
  readonly log: Logger;
  /** Aborted when the worker shuts down. */
  readonly signal: AbortSignal;
  /** Wait between attempts; default 1 s. */
  readonly retryDelayMs?: number;
}

/**
 * TEMPORAL_WORKER_PROMOTE: makes this build its deployment's current version once the server sees it polling, for one
 * machine and docker compose, where no deploy pipeline runs `temporal worker deployment set-current-version`.
 *
 * It never rolls back: a build that was current or ramping before (an old worker restarted after a newer build took
 * over), or one older than the current version, is left alone; a rollback is an operator's explicit
 * set-current-version. The change is conditional on the deployment being as described (its conflict token), so two
 * builds starting at once cannot undo each other's decision.
 *
 * The server refuses a version it has not seen poll every task queue of the current one, and knows no deployment
 * before its first poll: until then this retries, so start it once the worker runs. `current()` is the state now,
 * for readiness.
 */
export function promoteWhenPolling(
  connection: NativeConnection,
  versioning: WorkerVersioning,
  options: PromotionOptions,
): { readonly current: () => Promotion; readonly settled: Promise<Promotion> } {
  const { deploymentName, buildId } = versioning;
  const { namespace, identity, log, signal } = options;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  let state: Promotion = { state: 'pending' };

  const attempt = async (): Promise<Promotion | undefined> => {
    const described = await connection.workflowService.describeWorkerDeployment({ namespace, deploymentName });
    const info = described.workerDeploymentInfo;
    const current = info?.routingConfig?.currentDeploymentVersion;
    if (current?.buildId === buildId) return { state: 'current' };
    const versions = info?.versionSummaries ?? [];
    const mine = versions.find((summary) => summary.deploymentVersion?.buildId === buildId);
    // Not registered yet: the server records a version at its first poll.
    if (!mine) return undefined;
    if (mine.firstActivationTime) {
      return {
        state: 'declined',
        reason: `build ${buildId} was current or ramping before; a worker never makes its build current again (roll back with set-current-version)`,
      };
    }
    const currentSummary = versions.find((summary) => summary.deploymentVersion?.buildId === current?.buildId);
    if (millis(currentSummary?.createTime) > millis(mine.createTime)) {
      return {
        state: 'declined',
        reason: `the current build ${current?.buildId} is newer than ${buildId}`,
      };
    }
    await connection.workflowService.setWorkerDeploymentCurrentVersion({
      namespace,
      deploymentName,
      buildId,
      identity,
      ...(described.conflictToken?.length ? { conflictToken: described.conflictToken } : {}),
    });
    log.info('made this build the current version of its deployment', {
      deploymentName,
      buildId,
      previousBuildId: current?.buildId ?? null,
    });
    return { state: 'current' };
  };

  const settled = (async (): Promise<Promotion> => {
    for (let tries = 1; !signal.aborted; tries++) {
      try {
        const outcome = await attempt();
        if (outcome) {
          if (outcome.state === 'declined') log.warn('left the current version alone', { reason: outcome.reason });
          state = outcome;
          return outcome;
        }
        state = { state: 'pending', lastError: `the server has not seen build ${buildId} poll yet` };
      } catch (error) {
        state = { state: 'pending', lastError: String(error) };
        if (tries % 30 === 10) {
          log.warn('cannot make this build current yet; retrying', { deploymentName, buildId, error: String(error) });
        }
      }
      await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
    return state;
  })();
  return { current: () => state, settled };
}

/** A protobuf Timestamp as the SDK decodes it (seconds a Long). */
type Timestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null };

function millis(timestamp: Timestamp | null | undefined): number {
  const seconds = timestamp?.seconds ?? 0;
  return (typeof seconds === 'number' ? seconds : seconds.toNumber()) * 1000 + (timestamp?.nanos ?? 0) / 1e6;
}

/**
 * Readiness of a versioned worker: polling (the check), and with TEMPORAL_WORKER_PROMOTE also done promoting, so that
 * a container reported healthy is one whose build takes new work. The answer names the build either way.
 */
export function versionedReadiness(
  polling: () => Promise<Readiness>,
  versioning: WorkerVersioning | undefined,
  promotion?: () => Promotion,
): () => Promise<Readiness> {
  if (!versioning) return polling;
  const version = { deploymentName: versioning.deploymentName, buildId: versioning.buildId };
  return async () => {
    const report = await polling();
    if (!promotion) return { ...report, version };
    const promoted = promotion();
    if (!report.ready || promoted.state !== 'pending') return { ...report, version, promotion: promoted };
    return {
      ...report,
      ready: false,
      reason: `polling, but build ${versioning.buildId} is not the current version yet (${promoted.lastError ?? 'making it current'})`,
      version,
      promotion: promoted,
    };
  };
}
