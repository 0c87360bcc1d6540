// `npm run replay -- <order id | workflow id>`: downloads a workflow's history (an order's, or a loyalty or pass
// workflow's current run) from the configured Temporal server and replays it against the current workflow code. A clean replay proves a code change is compatible with that order; a
// non-determinism error names the event where the new code diverges. Under a debugger (see docs/operations.md), breakpoints
// in packages/workflows/src are hit as the history replays, with workflow time frozen at each event.
import inspector from 'node:inspector';
import { workerDataConverter } from '@durable-delivery/codec';
import { orderWorkflowId } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { temporalWorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { workflowBundleOptions } from '@durable-delivery/telemetry/workflow-bundle';
import { ConfigError, loadWorkerConfig } from './config';

async function main(args: string[]): Promise<number> {
  const id = args.find((arg) => !arg.startsWith('-'));
  if (!id) {
    console.error('usage: npm run replay -- <order id | workflow id>');
    return 2;
  }
  // A bare order id, or a workflow id as it is: order-…, loyalty-<customer>, subscription-<customer>.
  const workflowId = /^(order|loyalty|subscription)-/.test(id) ? id : orderWorkflowId(id);
  const config = loadWorkerConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await Connection.connect(config.connection.connectionOptions);
  try {
    const client = new Client({ connection, namespace: config.connection.namespace });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    if (inspector.url()) console.log('Debugger attached: breakpoints in packages/workflows/src are live.');
    console.log(
      `Replaying ${workflowId}: ${history.events?.length ?? 0} events from ${config.connection.connectionOptions.address}`,
    );
    const telemetry = temporalWorkerTelemetry();
    const { workflowInterceptorModules, ...bundlerOptions } = workflowBundleOptions();
    await Worker.runReplayHistory(
      {
        // Source, not the prebuilt bundle, so a debugger maps breakpoints to the TypeScript files; with the same
        // tracing interceptors the bundle has, so it replays exactly as the worker runs it.
        workflowsPath: require.resolve('@durable-delivery/workflows/workflows'),
        ...telemetry,
        interceptors: { ...telemetry.interceptors, workflowModules: workflowInterceptorModules },
        bundlerOptions,
        // The history is fetched as stored: encrypted payloads are decoded here, with the worker's own keys.
        dataConverter: workerDataConverter(config.encryption),
      },
      history,
      // The real id: the order workflow checks that its id matches its order id, and replays as it ran.
      workflowId,
    );
    console.log(`OK: ${workflowId} replays against the current workflow code without non-determinism.`);
    return 0;
  } finally {
    await connection.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof Error && error.name === 'DeterminismViolationError') {
      console.error(`NON-DETERMINISM: ${error.message}`);
    } else console.error(error);
    process.exitCode = 1;
  },
);
