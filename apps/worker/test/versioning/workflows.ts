// The test's own two workflows for Worker Versioning, standing in for the order (PINNED) and the forever loyalty
// and subscription workflows (AUTO_UPGRADE), declared the same way packages/workflows declares them.
import { condition, defineSignal, setHandler, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

export const finishSignal = defineSignal('finish');

export interface Report {
  /** The build of the worker that ran the first workflow task, and the one that ran the last. */
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

async function waitToFinish(): Promise<Report> {
  const startedOn = workflowInfo().currentDeploymentVersion?.buildId;
  let finish = false;
  setHandler(finishSignal, () => {
    finish = true;
  });
  await condition(() => finish);
  return { ...(startedOn ? { startedOn } : {}), finishedOn: workflowInfo().currentDeploymentVersion?.buildId };
}

export async function pinnedOrder(): Promise<Report> {
  return waitToFinish();
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, pinnedOrder);

export async function upgradingCustomer(): Promise<Report> {
  return waitToFinish();
}
setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, upgradingCustomer);
