// The test's own two workflows for Worker Versioning, standing in for the order (PINNED) and the forever loyalty
// and subscription workflows (AUTO_UPGRADE). They declare their behavior with the order's own getter, so the test
// exercises the rule the order ships with.
import { onVersionedWorkers } from '@durable-delivery/workflows/versioning';
import { condition, defineSignal, setHandler, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

export const finishSignal = defineSignal('finish');

export interface Report {
  /** The build of the worker that ran the first workflow task, and the one that ran the last. */
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

/**
 * The build of the worker running this task, if it is versioned. An unversioned worker reports a build id too (the
 * SDK's own) but no deployment name.
 */
function versionedBuild(): string | undefined {
  const version = workflowInfo().currentDeploymentVersion;
  return version?.deploymentName ? version.buildId : undefined;
}

async function waitToFinish(): Promise<Report> {
  const startedOn = versionedBuild();
  let finish = false;
  setHandler(finishSignal, () => {
    finish = true;
  });
  await condition(() => finish);
  return { ...(startedOn ? { startedOn } : {}), finishedOn: versionedBuild() };
}

export async function pinnedOrder(): Promise<Report> {
  return waitToFinish();
}
setWorkflowOptions(onVersionedWorkers('PINNED'), pinnedOrder);

export async function upgradingCustomer(): Promise<Report> {
  return waitToFinish();
}
setWorkflowOptions(onVersionedWorkers('AUTO_UPGRADE'), upgradingCustomer);
