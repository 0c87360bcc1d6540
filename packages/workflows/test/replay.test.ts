/**
 * Replays the recorded histories in test/histories against the current workflow code: orders, loyalty runs and
 * delivery passes. Every workflow running on this build is one of these paths (or a prefix of one); a change that
 * makes a replay fail would make those workflows fail on the next worker deploy. For loyalty and passes, which move
 * to each new build, such a change needs `patched()`, never a re-recording; orders finish on the build they started
 * on, so a build that changes the order's steps records its own order paths: see test/histories/README.md.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { temporalWorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import {
  LOYALTY_WORKFLOW_TYPE,
  ORDER_WORKFLOW_TYPE,
  SUBSCRIPTION_WORKFLOW_TYPE,
  loyaltyWorkflowId,
  orderWorkflowId,
  subscriptionWorkflowId,
  type LoyaltyInput,
  type OrderInput,
  type SubscriptionInput,
} from '../src';

const HISTORIES_DIR = join(__dirname, 'histories');

/** Every path scripts/record-histories.ts records: a fixture deleted by mistake fails the test below. */
const EXPECTED_PATHS = [
  'card-declined',
  'cancelled-before-pickup',
  'cancelled-while-charging',
  'delivered-and-rated',
  'delivered-rating-prompt',
  'invalid-input',
  'not-delivered',
  'not-picked-up',
  'operator-cancelled',
  'operator-marked-delivered',
  'operator-refund-and-close',
  'payment-retried',
  'rejected-updates',
  'signals-from-cli',
  'delivered-with-perks',
  'reward-returned-after-decline',
  'reward-unavailable',
  'loyalty-points-and-rewards',
  'loyalty-carried-run',
  'subscription-renewed-after-decline',
  'subscription-carried-run',
  'subscription-renewal-failed',
];

/** Every fixture on disk is replayed, listed or not, so a newly recorded path is covered at once. */
const recorded = readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

function loadHistory(name: string): unknown {
  return JSON.parse(readFileSync(join(HISTORIES_DIR, `${name}.json`), 'utf8'));
}

/**
 * The workflow id the history ran under. A history file does not carry it, and it matters: each workflow checks that
 * its id is the one its input names (`order-<orderId>`, `loyalty-<customerId>`, `subscription-<customerId>`), so
 * replaying under any other id takes the invalid-input branch and diverges. It is derived from the recorded type and
 * input, so a history downloaded from a real server (`temporal workflow show -o json`) can be dropped in as it is.
 */
function workflowIdOf(history: History): string {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!payload) throw new Error('the history does not start with a WorkflowExecutionStarted event carrying the input');
  switch (started.workflowType?.name) {
    case ORDER_WORKFLOW_TYPE:
      return orderWorkflowId(defaultPayloadConverter.fromPayload<OrderInput>(payload).orderId);
    case LOYALTY_WORKFLOW_TYPE:
      return loyaltyWorkflowId(defaultPayloadConverter.fromPayload<LoyaltyInput>(payload).customerId);
    case SUBSCRIPTION_WORKFLOW_TYPE:
      return subscriptionWorkflowId(defaultPayloadConverter.fromPayload<SubscriptionInput>(payload).customerId);
    default:
      throw new Error(`no workflow id rule for workflow type ${started.workflowType?.name}`);
  }
}

/** Replays against the workflow code as the worker bundles it, tracing interceptors included (see global-setup.js). */
function replay(history: History): Promise<void> {
  const codePath = process.env.ORDER_WORKFLOW_BUNDLE;
  if (!codePath)
    throw new Error('the workflow bundle is not built: run these tests through jest (see global-setup.js)');
  return Worker.runReplayHistory(
    { workflowBundle: { codePath }, ...temporalWorkerTelemetry() },
    history,
    workflowIdOf(history),
  );
}

beforeAll(() => {
  // A replay that diverges is logged by the SDK as well as thrown; the test below provokes one on purpose.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
});

it('has a recorded history for every path', () => {
  expect(recorded).toEqual(expect.arrayContaining(EXPECTED_PATHS));
});

/**
 * An order is pinned to the worker build it started on, so its changes ship as new builds, not as `patched()`
 * branches: each patch cost every order a marker and a `TemporalChangeVersion` search-attribute write.
 */
it('records no patch in any order history', () => {
  const orders = recorded
    .map((name) => ({ name, events: (loadHistory(name) as { events: Record<string, unknown>[] }).events }))
    .filter(({ events }) => JSON.stringify(events[0]).includes(`"name":"${ORDER_WORKFLOW_TYPE}"`));
  expect(orders.length).toBeGreaterThanOrEqual(17);
  const patches = orders.flatMap(({ name, events }) =>
    events
      .filter((event) => JSON.stringify(event).match(/core_patch|TemporalChangeVersion/))
      .map((event) => `${name}: event ${String(event.eventId)} ${String(event.eventType)}`),
  );
  expect(patches).toEqual([]);
});

/**
 * What a delivered order costs the server: two activity tasks, the charge and the loyalty points. The checkout perks
 * and the pushes run inline (local activities, one marker each), so the customer at checkout waits for one activity
 * round trip, and their results take no workflow task of their own.
 */
it('schedules two activity tasks for a delivered order, the charge and the points; perks and pushes are markers', () => {
  type Event = {
    eventType: string;
    activityTaskScheduledEventAttributes?: { activityType: { name: string } };
  };
  const { events } = loadHistory('delivered-rating-prompt') as { events: Event[] };
  const scheduled = events
    .filter((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType.name);
  expect(scheduled).toEqual(['chargeCustomer', 'earnPoints']);
  const markers = events.filter((event) => event.eventType === 'EVENT_TYPE_MARKER_RECORDED');
  // applyCheckoutPerks, then the pickedUp, delivered and ratePrompt pushes.
  expect(markers).toHaveLength(4);
});

it.each(recorded)('replays the recorded "%s" history without non-determinism', async (name) => {
  await expect(replay(historyFromJSON(loadHistory(name)))).resolves.toBeUndefined();
});

/**
 * Proves the guard can fail: the same history, with the activity type of its first ActivityTaskScheduled event
 * renamed, as if the workflow had scheduled a different activity there when the order ran. On replay the code
 * schedules `chargeCustomer` where the history says another type was scheduled, and the SDK's core checks the
 * command against the event's activity type: a nondeterminism error, just as when the code changes under a running
 * order. (Renaming is more reliable than dropping an event: a gap in the event ids is rejected as a malformed
 * history, a ReplayError, before any workflow code runs.)
 */
it('fails with a DeterminismViolationError when the history and the code disagree', async () => {
  const json = loadHistory('delivered-and-rated') as { events: Record<string, unknown>[] };
  const scheduled = json.events.find((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') as
    { activityTaskScheduledEventAttributes: { activityType: { name: string } } } | undefined;
  expect(scheduled?.activityTaskScheduledEventAttributes.activityType.name).toBe('chargeCustomer');
  scheduled!.activityTaskScheduledEventAttributes.activityType.name = 'chargeCustomerV0';

  const failure = replay(historyFromJSON(json));
  await expect(failure).rejects.toBeInstanceOf(DeterminismViolationError);
  await expect(failure).rejects.toThrow(/chargeCustomerV0/);
});
