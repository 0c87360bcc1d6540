/**
 * How each workflow moves between worker builds when the worker is versioned (docs/versioning.md): an order stays on
 * the build it started on, so a new build may change its steps without `patched()`; the workflows that run for ever
 * move to each new build, so their changes still need `patched()` and the replay tests. If the order lost PINNED, a
 * deploy that changes its steps would break every order in flight. On an unversioned worker nothing is declared: a
 * real server refuses a versioning behavior from one.
 */
import type { WorkflowDefinitionOptions } from '@temporalio/common';

const info: { currentDeploymentVersion?: { deploymentName: string; buildId: string } | undefined } = {};
jest.mock('@temporalio/workflow', () => ({
  ...jest.requireActual<object>('@temporalio/workflow'),
  workflowInfo: () => info,
}));
import * as workflows from '../src/workflows';

/** What a workflow declares at its start, as the SDK asks it (the getter runs in the workflow's context). */
function declared(name: keyof typeof workflows): WorkflowDefinitionOptions {
  const options = (workflows[name] as unknown as { workflowDefinitionOptions?: unknown }).workflowDefinitionOptions;
  if (typeof options !== 'function') throw new Error(`${name} declares no versioning behavior getter`);
  return (options as () => WorkflowDefinitionOptions)();
}

describe('on a versioned worker', () => {
  beforeEach(() => {
    info.currentDeploymentVersion = { deploymentName: 'durable-delivery', buildId: 'b1' };
  });
  afterEach(() => {
    delete info.currentDeploymentVersion;
  });

  it.each([
    ['order', 'PINNED'],
    ['loyalty', 'AUTO_UPGRADE'],
    ['subscription', 'AUTO_UPGRADE'],
  ] as const)('the %s workflow is %s', (name, behavior) => {
    expect(declared(name).versioningBehavior).toBe(behavior);
  });

  it('every workflow the worker runs declares a behavior', () => {
    const names = Object.keys(workflows) as (keyof typeof workflows)[];
    expect(names.filter((name) => declared(name).versioningBehavior === undefined)).toEqual([]);
  });
});

it.each([
  ['no version', undefined],
  ["the SDK's own build id and no deployment", { deploymentName: '', buildId: '@temporalio/worker@1.24.0' }],
])('declares nothing on an unversioned worker (%s)', (_, version) => {
  info.currentDeploymentVersion = version;
  for (const name of ['order', 'loyalty', 'subscription'] as const) expect(declared(name)).toEqual({});
});
