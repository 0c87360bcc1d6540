/**
 * Records the replay fixtures in test/histories: runs the order workflow through each of its paths on the
 * time-skipping test server, with in-process fake activities, and writes each workflow's history as JSON.
 * test/replay.test.ts replays every one of them against the current workflow code, so a change that would break
 * orders already running fails CI with a non-determinism error instead of failing in production.
 *
 *   pnpm --filter @durable-delivery/workflows run record-histories            # records only paths with no file yet
 *   pnpm --filter @durable-delivery/workflows run record-histories --force    # re-records every path
 *   pnpm --filter @durable-delivery/workflows run record-histories --force not-picked-up   # ...or just these
 *   pnpm --filter @durable-delivery/workflows run record-histories --out /tmp/histories     # elsewhere, e.g. to compare
 *
 * Existing files are kept unless --force is given: they are recorded by *older* code on purpose (see
 * test/histories/README.md), and re-recording them with the code under test would make the replay test prove nothing.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { OrderActivities } from '@durable-delivery/activities';
import { bundleWorkflowsToTempFile } from '@durable-delivery/telemetry/workflow-bundle';
import { terminateWhenIdle } from '@durable-delivery/temporal-server';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
// Not re-exported from the package root; the environment's own client is this class, with a host-specific identity.
import { TimeSkippingClient } from '@temporalio/testing/lib/client';
import {
  ORDER_TASK_QUEUE,
  ORDER_WORKFLOW_TYPE,
  cancelUpdate,
  checkout,
  deliverUpdate,
  deliveredSignal,
  getStatusQuery,
  markDeliveredUpdate,
  orderStartOptions,
  orderWorkflowId,
  pickUpUpdate,
  pickedUpSignal,
  rateUpdate,
  refundAndCloseUpdate,
  waitForPaymentUpdate,
  cancelPassUpdate,
  continueAsNewUpdate,
  earnPoints,
  getPassQuery,
  loyaltyWorkflowId,
  redeemReward,
  resumePassUpdate,
  returnReward,
  subscribe,
  subscriptionWorkflowId,
  type SubscriptionInput,
  type SubscriptionWorkflow,
  type OrderInput,
  type OrderState,
  type OrderStatus,
  type OrderWorkflow,
} from '../src';
import { OrderTestHarness, declined, failureOf, gate } from '../test/harness';
import { sampleOrder } from '../test/sample-order';

const HISTORIES_DIR = join(__dirname, '..', 'test', 'histories');
const INSUFFICIENT_FUNDS = 'Your card has insufficient funds.';
/** Fixed identities, so the files name no machine or process and a re-recording diffs only where behaviour did. */
const IDENTITY = 'record-histories';

type OrderHandle = WorkflowHandle<OrderWorkflow>;
type Fakes = Partial<OrderActivities>;

/** What a path gets to drive its order with. */
interface Recorder {
  readonly client: Client;
  /** The path's name, for ids of its customer, pass and orders (`replay-<name>`). */
  readonly name: string;
  /** Skips the test server's clock. */
  readonly sleep: (millis: number) => Promise<void>;
  /** The test server's clock, as an ISO-8601 time (ahead of the wall clock once earlier paths skipped it). */
  readonly now: () => Promise<string>;
  /** Routes the activities of an order, pass (by subscription id) or loyalty customer to these fakes. */
  readonly useFakes: (key: string, fakes: Fakes) => void;
  /** The path's order: a valid one, with an id made from the path's name (workflow id `order-replay-<name>`). */
  readonly order: (overrides?: Partial<OrderInput>) => OrderInput;
  /** Starts an order the way the API does (orderStartOptions), with these fakes in place of the healthy ones. */
  readonly start: (input: OrderInput, fakes?: Fakes) => Promise<OrderHandle>;
  /** Starts an order as the Temporal CLI does: only a workflow id and the input, no search attributes. */
  readonly startBare: (input: OrderInput, fakes?: Fakes) => Promise<OrderHandle>;
}

interface OrderPath {
  readonly name: string;
  /**
   * Drives one workflow run to its end (or to the point the fixture should stand for) and returns a handle to
   * that run; throws if it did not take the path it is named after.
   */
  record(recorder: Recorder): Promise<WorkflowHandle>;
}

const paths: readonly OrderPath[] = [
  {
    name: 'delivered-and-rated',
    // Checkout as the API does it (update-with-start), both driver updates, and a rating before the prompt.
    async record({ client, order }) {
      const input = order({ windows: { ratePrompt: '10 minutes', rating: '1 day' } });
      useFakes(input);
      const payment = await checkout(client, input);
      check(payment.outcome === 'paid', `checkout answered ${payment.outcome}`);
      const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 5, comment: 'Perfect burrata' }] });
      const final = await completed(handle, 'delivered');
      check(final.rating?.stars === 5, 'the rating was not kept');
      checkNotifications(final, ['pickedUp', 'delivered']);
      return handle;
    },
  },
  {
    name: 'delivered-rating-prompt',
    // No rating: the prompt goes out after its window and the workflow completes when the rating window closes.
    async record({ order, start }) {
      const handle = await start(order({ windows: { ratePrompt: '1 minute', rating: '1 hour' } }));
      await paid(handle);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      const final = await completed(handle, 'delivered');
      check(final.rating === undefined, 'the order was rated');
      checkNotifications(final, ['pickedUp', 'delivered', 'ratePrompt']);
      return handle;
    },
  },
  {
    name: 'card-declined',
    async record({ order, start }) {
      const handle = await start(order(), { chargeCustomer: () => Promise.reject(declined(INSUFFICIENT_FUNDS)) });
      const payment = await handle.executeUpdate(waitForPaymentUpdate);
      check(payment.outcome === 'declined', `checkout answered ${payment.outcome}`);
      await failed(handle, 'PaymentFailed', 'paymentFailed');
      return handle;
    },
  },
  {
    name: 'payment-retried',
    // Two transient failures, retried by Temporal with real backoff (1 s, then 2 s), then paid and delivered.
    async record({ order, start }) {
      let attempts = 0;
      const handle = await start(order({ windows: { ratePrompt: '10 minutes', rating: '1 day' } }), {
        chargeCustomer: (input) => {
          attempts += 1;
          if (attempts === 1) return Promise.reject(new Error('503 Service Unavailable'));
          if (attempts === 2) return Promise.reject(new Error('connection reset'));
          return Promise.resolve({ chargeId: `ch_${input.orderId}`, amountCents: input.amountCents });
        },
      });
      await paid(handle);
      check(attempts === 3, `charged in ${attempts} attempts, not 3`);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 4 }] });
      await completed(handle, 'delivered');
      return handle;
    },
  },
  {
    name: 'not-picked-up',
    async record({ order, start }) {
      const handle = await start(order());
      await paid(handle);
      const final = await failed(handle, 'NotPickedUpInTime', 'refunded');
      checkNotifications(final, ['notPickedUpInTime']);
      return handle;
    },
  },
  {
    name: 'not-delivered',
    async record({ order, start }) {
      const handle = await start(order());
      await paid(handle);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      const final = await failed(handle, 'NotDeliveredInTime', 'refunded');
      checkNotifications(final, ['pickedUp', 'notDeliveredInTime']);
      return handle;
    },
  },
  {
    name: 'cancelled-before-pickup',
    async record({ order, start }) {
      const handle = await start(order());
      await paid(handle);
      const afterCancel = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'changed my mind' }] });
      check(afterCancel.state === 'refunding', `cancelled into ${afterCancel.state}`);
      const final = await completed(handle, 'cancelled');
      checkNotifications(final, ['cancelled']);
      return handle;
    },
  },
  {
    name: 'cancelled-while-charging',
    // The cancel is accepted while the charge is in flight; the charge then goes through and is refunded.
    async record({ order, start }) {
      const charge = gate();
      const handle = await start(order(), {
        chargeCustomer: async (input) => {
          charge.started();
          await charge.promise;
          return { chargeId: `ch_${input.orderId}`, amountCents: input.amountCents };
        },
      });
      await charge.inFlight;
      const afterCancel = await handle.executeUpdate(cancelUpdate, { args: [{}] });
      check(afterCancel.state === 'charging', `cancelled into ${afterCancel.state}`);
      charge.open();
      const final = await completed(handle, 'cancelled');
      check(final.refundedCents === final.totalCents, 'the charge was not refunded');
      return handle;
    },
  },
  {
    name: 'signals-from-cli',
    // Started without search attributes, then moved on by the seed's signals instead of the updates.
    async record({ order, startBare }) {
      const handle = await startBare(order());
      await waitForState(handle, 'paid');
      await handle.signal(pickedUpSignal);
      await handle.signal(deliveredSignal);
      const final = await completed(handle, 'delivered');
      check(final.driverId === undefined, 'a driver was recorded');
      checkNotifications(final, ['pickedUp', 'delivered', 'ratePrompt']);
      return handle;
    },
  },
  {
    name: 'operator-cancelled',
    // `temporal workflow cancel` after payment: the workflow refunds in a non-cancellable scope and ends cancelled.
    async record({ order, start }) {
      const handle = await start(order());
      await paid(handle);
      await handle.cancel();
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      check(
        error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure,
        `ended with ${String(error)}`,
      );
      const final = await handle.query(getStatusQuery);
      check(final.state === 'cancelled', `ended ${final.state}`);
      checkNotifications(final, ['cancelled']);
      return handle;
    },
  },
  {
    name: 'operator-refund-and-close',
    // Stuck out for delivery: an operator's refundAndClose update refunds it from wherever the order waits.
    async record({ order, start }) {
      const handle = await start(order());
      await paid(handle);
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      const answer = await handle.executeUpdate(refundAndCloseUpdate, {
        args: [{ operator: 'ops@durable.delivery', reason: 'driver unreachable' }],
      });
      check(answer.state === 'refunded', `refundAndClose answered ${answer.state}`);
      const final = await failed(handle, 'RefundedByOperator', 'refunded');
      checkNotifications(final, ['pickedUp', 'refundedByOperator']);
      return handle;
    },
  },
  {
    name: 'operator-marked-delivered',
    // Never picked up in the app: an operator's markDelivered closes it as delivered; then it is rated.
    async record({ order, start }) {
      const handle = await start(order({ windows: { ratePrompt: '10 minutes', rating: '1 day' } }));
      await paid(handle);
      await handle.executeUpdate(markDeliveredUpdate, {
        args: [{ operator: 'ops@durable.delivery', reason: 'restaurant delivered it', driverId: 'restaurant-7' }],
      });
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 4 }] });
      const final = await completed(handle, 'delivered');
      checkNotifications(final, ['delivered']);
      return handle;
    },
  },
  {
    name: 'rejected-updates',
    // Rejected updates leave no events, but they run the validators on replay too: a validator that changed state
    // (it must not) would show up here. The accepted ones around them are recorded as usual.
    async record({ order, start }) {
      const charge = gate();
      const handle = await start(order({ windows: { ratePrompt: '10 minutes', rating: '1 day' } }), {
        chargeCustomer: async (input) => {
          charge.started();
          await charge.promise;
          return { chargeId: `ch_${input.orderId}`, amountCents: input.amountCents };
        },
      });
      await charge.inFlight;
      await rejected(handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] }), 'OrderStateConflict');
      charge.open();
      await paid(handle);
      const race = await Promise.allSettled([
        handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-a' }] }),
        handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-b' }] }),
      ]);
      const winner = race.find((result) => result.status === 'fulfilled')?.value.driverId;
      check(winner !== undefined && race.filter((r) => r.status === 'rejected').length === 1, 'not exactly one winner');
      const loser = winner === 'driver-a' ? 'driver-b' : 'driver-a';
      await rejected(handle.executeUpdate(deliverUpdate, { args: [{ driverId: loser }] }), 'WrongDriver');
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: winner }] });
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 3 }] });
      await completed(handle, 'delivered');
      return handle;
    },
  },
  {
    name: 'invalid-input',
    // Started around the API's checks (orderStartOptions would refuse it): the workflow fails on its first task.
    async record({ order, startBare }) {
      const handle = await startBare(order({ items: [{ productId: 'unicorn-steak', quantity: 1 }] }));
      await rejected(handle.result(), 'InvalidOrderInput');
      return handle;
    },
  },
  // -------------------------------------------------------------------------------------------------------------
  // The order's checkout perks and loyalty points, and the two workflows that run forever.
  {
    name: 'delivered-with-perks',
    // The pass waives delivery, a reward takes $3 off, the adjusted total is charged, the points credited.
    async record({ client, order }) {
      const input = order({ rewardId: 'bronze-1', windows: { ratePrompt: '10 minutes', rating: '1 day' } });
      useFakes(input, {
        applyCheckoutPerks: () => Promise.resolve(BRONZE_PERKS),
        earnPoints: (credit) =>
          Promise.resolve({ pointsEarned: Math.floor(credit.amountCents / 100), points: 83, level: 'bronze' }),
      });
      const payment = await checkout(client, input);
      check(payment.outcome === 'paid', `checkout answered ${payment.outcome}`);
      check(payment.status.totalCents === 2800, `charged ${payment.status.totalCents}, not 3399 - 299 - 300`);
      const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
      await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-1' }] });
      await handle.executeUpdate(rateUpdate, { args: [{ stars: 5 }] });
      const final = await completed(handle, 'delivered');
      check(final.loyalty?.pointsEarned === 28, `earned ${final.loyalty?.pointsEarned} points, not 28`);
      return handle;
    },
  },
  {
    name: 'reward-returned-after-decline',
    // A reward redeemed at checkout, then the card declined: the reward goes back to the customer.
    async record({ order, start }) {
      let returned = 0;
      const handle = await start(order({ rewardId: 'bronze-1' }), {
        applyCheckoutPerks: () => Promise.resolve({ ...BRONZE_PERKS, deliveryFeeWaivedCents: 0 }),
        chargeCustomer: () => Promise.reject(declined(INSUFFICIENT_FUNDS)),
        returnReward: () => {
          returned += 1;
          return Promise.resolve({ returned: true });
        },
      });
      const payment = await handle.executeUpdate(waitForPaymentUpdate);
      check(payment.outcome === 'declined', `checkout answered ${payment.outcome}`);
      const final = await failed(handle, 'PaymentFailed', 'paymentFailed');
      check(returned === 1 && final.perks?.reward?.returned === true, 'the reward was not given back once');
      return handle;
    },
  },
  {
    name: 'reward-unavailable',
    // The loyalty workflow refuses the reward (another checkout took it): nothing charged, the reason answered.
    async record({ order, start }) {
      let charged = 0;
      const handle = await start(order({ rewardId: 'bronze-1' }), {
        applyCheckoutPerks: () =>
          Promise.reject(
            ApplicationFailure.create({
              type: 'RewardUnavailable',
              message: 'Your Bronze reward was already used on order 7f3a9c21.',
              nonRetryable: true,
            }),
          ),
        chargeCustomer: (input) => {
          charged += 1;
          return healthy.chargeCustomer(input);
        },
      });
      const payment = await handle.executeUpdate(waitForPaymentUpdate);
      check(payment.outcome === 'declined', `checkout answered ${payment.outcome}`);
      const final = await failed(handle, 'PaymentFailed', 'paymentFailed');
      check(final.failure?.code === 'rewardUnavailable' && charged === 0, 'the order was charged or failed otherwise');
      return handle;
    },
  },
  {
    name: 'loyalty-points-and-rewards',
    // One customer's first loyalty run: orders counted (one twice), Bronze reached and notified, the reward
    // redeemed, refused to a second order, given back, and an operator's continue-as-new to end the run.
    async record({ client, name, now }) {
      const customerId = `replay-${name}`;
      const at = await now();
      const earn = (orderId: string, amountCents: number) =>
        earnPoints(client, customerId, { orderId, amountCents, deliveredAt: at });
      await earn('replay-o-1', 3_000);
      const reached = await earn('replay-o-2', 2_500);
      check(reached.level === 'bronze' && reached.rewardsGranted.length === 1, `reached ${reached.level}`);
      check((await earn('replay-o-2', 2_500)).duplicate, 'a repeated order was counted twice');
      await redeemReward(client, customerId, { orderId: 'replay-o-3', rewardId: 'bronze-1', subtotalCents: 2_000 });
      const refused = await redeemReward(client, customerId, {
        orderId: 'replay-o-4',
        rewardId: 'bronze-1',
        subtotalCents: 2_000,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      check(
        refused instanceof ApplicationFailure && refused.type === 'RewardUnavailable',
        'a used reward was redeemed',
      );
      const back = await returnReward(client, customerId, { orderId: 'replay-o-3', rewardId: 'bronze-1' });
      check(back.returned, 'the reward was not given back');
      return continueAsNewNow(client, loyaltyWorkflowId(customerId));
    },
  },
  {
    name: 'loyalty-carried-run',
    // The run after a continue-as-new: it starts from the carried state, remembers the first run's orders, climbs
    // to Gold (rewards for each level and another Gold one), and continues as new in turn.
    async record({ client, name, now }) {
      const customerId = `replay-${name}`;
      const at = await now();
      const earn = (orderId: string, amountCents: number) =>
        earnPoints(client, customerId, { orderId, amountCents, deliveredAt: at });
      await earn('replay-o-1', 4_000);
      await continueAsNewNow(client, loyaltyWorkflowId(customerId));
      check((await earn('replay-o-1', 4_000)).duplicate, 'the carried run forgot a counted order');
      const climbed = await earn('replay-o-2', 70_000);
      check(
        climbed.level === 'gold' && climbed.rewardsGranted.length === 4,
        `granted ${climbed.rewardsGranted.length}`,
      );
      await redeemReward(client, customerId, { orderId: 'replay-o-3', rewardId: 'silver-1', subtotalCents: 2_500 });
      return continueAsNewNow(client, loyaltyWorkflowId(customerId));
    },
  },
  {
    name: 'subscription-renewed-after-decline',
    // Subscribed; period 2's first try declined (past due, notified), the next day's try paid (renewed, notified);
    // cancelled and resumed; an operator's continue-as-new between charges ends the run.
    async record({ client, name, sleep }) {
      const input = aPass(name);
      useFakes(input.subscriptionId, {
        chargeSubscription: (charge) =>
          charge.period === 2 && charge.attempt === 1
            ? Promise.reject(declined(INSUFFICIENT_FUNDS))
            : healthy.chargeSubscription(charge),
      });
      const answer = await subscribe(client, input);
      check(answer.state === 'active', `subscribe answered ${answer.state}`);
      const pass = client.workflow.getHandle<SubscriptionWorkflow>(subscriptionWorkflowId(input.customerId));
      await sleep(30 * DAY + 60_000);
      check((await pass.query(getPassQuery)).state === 'pastDue', 'the declined renewal did not make it past due');
      await sleep(DAY);
      const renewed = await pass.query(getPassQuery);
      check(renewed.state === 'active' && renewed.timesCharged === 2, `renewed: ${renewed.state}`);
      await pass.executeUpdate(cancelPassUpdate, { args: [{ reason: 'moving' }] });
      await pass.executeUpdate(resumePassUpdate);
      return continueAsNewNow(client, pass.workflowId);
    },
  },
  {
    name: 'subscription-carried-run',
    // The run after a continue-as-new: it waits out the carried period, renews on time, is cancelled and ends.
    async record({ client, name, sleep }) {
      const input = aPass(name);
      await subscribe(client, input);
      const pass = client.workflow.getHandle<SubscriptionWorkflow>(subscriptionWorkflowId(input.customerId));
      await continueAsNewNow(client, pass.workflowId);
      const run = client.workflow.getHandle<SubscriptionWorkflow>(pass.workflowId, (await pass.describe()).runId);
      await sleep(30 * DAY + 60_000);
      await run.executeUpdate(cancelPassUpdate, { args: [{}] });
      const final = await run.result();
      check(final.state === 'ended' && final.timesCharged === 2 && final.runs === 2, `ended: ${JSON.stringify(final)}`);
      return run;
    },
  },
  {
    name: 'subscription-renewal-failed',
    // Every renewal try declined: past due, retried, then the pass ends and the customer is told.
    async record({ client, name }) {
      const input = aPass(name, { renewalAttempts: 2 });
      useFakes(input.subscriptionId, {
        chargeSubscription: (charge) =>
          charge.period === 1 ? healthy.chargeSubscription(charge) : Promise.reject(declined(INSUFFICIENT_FUNDS)),
      });
      await subscribe(client, input);
      const pass = client.workflow.getHandle<SubscriptionWorkflow>(subscriptionWorkflowId(input.customerId));
      const final = await pass.result();
      check(final.state === 'ended' && final.endReason === 'renewalFailed', `ended: ${final.endReason}`);
      return pass;
    },
  },
];

const DAY = 24 * 60 * 60 * 1000;

const BRONZE_PERKS = {
  deliveryFeeWaivedCents: 299,
  discountCents: 300,
  reward: { rewardId: 'bronze-1', level: 'bronze' },
};

function aPass(name: string, settings: { renewalAttempts?: number } = {}): SubscriptionInput {
  return {
    customerId: `replay-${name}`,
    subscriptionId: `sub-${name}`,
    paymentMethod: 'tok_visa',
    settings: { billingPeriod: '30 days', renewalRetryDelay: '1 day', ...settings },
  };
}

/** Asks a workflow that runs forever to continue as new; answers a handle to the run that just ended. */
async function continueAsNewNow(client: Client, workflowId: string): Promise<WorkflowHandle> {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  const nextRun = await client.workflow.getHandle(workflowId, runId).executeUpdate(continueAsNewUpdate);
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await client.workflow.getHandle(workflowId).describe()).runId !== runId) {
      return client.workflow.getHandle(workflowId, runId);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new PathError(`${workflowId} did not start run ${nextRun}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Fake activities: a healthy payment and push service, unless a path registers its own for its order.

const fakesByOrder = new Map<string, Fakes>();

function useFakes(input: OrderInput | string, fakes: Fakes = {}): void {
  fakesByOrder.set(typeof input === 'string' ? input : input.orderId, fakes);
}

const healthy: OrderActivities = {
  chargeCustomer: (input) => Promise.resolve({ chargeId: `ch_${input.orderId}`, amountCents: input.amountCents }),
  refundOrder: (input) => Promise.resolve({ refundId: `re_${input.orderId}`, refundedCents: input.amountCents }),
  sendPushNotification: () => Promise.resolve(),
  applyCheckoutPerks: () => Promise.resolve({ deliveryFeeWaivedCents: 0, discountCents: 0 }),
  returnReward: () => Promise.resolve({ returned: true }),
  earnPoints: (input) =>
    Promise.resolve({ pointsEarned: Math.floor(input.amountCents / 100), points: 0, level: 'member' }),
  chargeSubscription: (input) =>
    Promise.resolve({ chargeId: `ch_pass_${input.period}_${input.attempt}`, amountCents: input.amountCents }),
  refundSubscriptionCharge: (input) =>
    Promise.resolve({ refundId: `re_pass_${input.period}`, refundedCents: input.amountCents }),
};

/**
 * One set of activities for the one worker, each call routed to the fakes of the path it belongs to: by order id,
 * or for a pass (which has no order) by its subscription id, or for a loyalty workflow by its customer id.
 */
type RoutedInput = { orderId?: string; subscriptionId?: string; customerId?: string };
type Implementations = Partial<Record<string, (input: RoutedInput) => Promise<unknown>>>;
const activities = Object.fromEntries(
  Object.keys(healthy).map((name) => [
    name,
    (input: RoutedInput) => {
      const fakes = fakesByOrder.get(input.orderId ?? input.subscriptionId ?? input.customerId ?? '') as
        Implementations | undefined;
      const implementation = fakes?.[name] ?? (healthy as unknown as Implementations)[name]!;
      return implementation(input);
    },
  ]),
) as unknown as OrderActivities;

// ---------------------------------------------------------------------------------------------------------------
// Checks: a recording that did not take its path would be a misleading fixture, so each path verifies its outcome.

class PathError extends Error {}
class UsageError extends Error {}

function check(condition: boolean, problem: string): asserts condition {
  if (!condition) throw new PathError(problem);
}

function checkNotifications(status: OrderStatus, kinds: readonly string[]): void {
  const sent = status.notifications.map((n) => n.kind);
  check(sent.join() === kinds.join(), `notified [${sent.join(', ')}], expected [${kinds.join(', ')}]`);
  check(
    status.notifications.every((n) => n.sentAt !== undefined),
    'a notification was not sent',
  );
}

async function paid(handle: OrderHandle): Promise<void> {
  const payment = await handle.executeUpdate(waitForPaymentUpdate);
  check(payment.outcome === 'paid', `payment answered ${payment.outcome}`);
}

/** Awaits the result, which lets the test server skip through the order's remaining windows. */
async function completed(handle: OrderHandle, state: OrderState): Promise<OrderStatus> {
  const final = await handle.result();
  check(final.state === state, `completed ${final.state}, expected ${state}`);
  return final;
}

async function failed(handle: OrderHandle, type: string, state: OrderState): Promise<OrderStatus> {
  await rejected(handle.result(), type);
  const final = await handle.query(getStatusQuery);
  check(final.state === state, `failed in ${final.state}, expected ${state}`);
  return final;
}

/** A workflow or update that failed with an application failure of `type`. */
async function rejected(promise: Promise<unknown>, type: string): Promise<void> {
  const failure = await failureOf(promise).catch((error: unknown) => new PathError(String(error)));
  if (failure instanceof PathError) throw failure;
  check(failure.type === type, `ended with ${failure.type}: ${failure.message}, expected ${type}`);
}

async function waitForState(handle: OrderHandle, state: OrderState): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await handle.query(getStatusQuery)).state === state) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new PathError(`the order never reached ${state}`);
}

// ---------------------------------------------------------------------------------------------------------------

function parseArgs(args: readonly string[]): { force: boolean; names: Set<string>; dir: string } {
  const force = args.includes('--force');
  const out = args.indexOf('--out');
  const dir = out < 0 ? HISTORIES_DIR : args[out + 1];
  if (dir === undefined || dir.startsWith('-')) throw new UsageError('--out takes a directory');
  const names = new Set(args.filter((arg, index) => !arg.startsWith('-') && (out < 0 || index !== out + 1)));
  const known = new Set(paths.map((path) => path.name));
  const unknown = [...names].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown path(s): ${unknown.join(', ')}; the paths are: ${[...known].join(', ')}`);
  }
  return { force, names, dir: resolve(dir) };
}

async function main(): Promise<void> {
  const { force, names, dir } = parseArgs(process.argv.slice(2));
  const fileOf = (name: string) => join(dir, `${name}.json`);
  const selected = paths.filter((path) => names.size === 0 || names.has(path.name));
  const toRecord = selected.filter((path) => force || !existsSync(fileOf(path.name)));
  for (const path of selected.filter((p) => !toRecord.includes(p))) {
    console.log(`kept     ${relative(process.cwd(), fileOf(path.name))} (re-record with --force ${path.name})`);
  }
  if (toRecord.length === 0) return;

  const began = Date.now();
  // Recorded as production runs: the workflow code bundled as the worker bundles it, tracing interceptors included.
  const bundle = await bundleWorkflowsToTempFile(require.resolve('../src/workflows'), 'record-histories-');
  const removeBundle = () => rmSync(bundle.folder, { recursive: true, force: true });
  // The tests' time-skipping server (search attributes registered, output kept to real errors) and their worker.
  const harness = await OrderTestHarness.create(bundle.codePath).catch((error: unknown) => {
    removeBundle();
    throw error;
  });
  try {
    const { env, namespace } = harness;
    const client = new TimeSkippingClient({ connection: env.connection, namespace, identity: IDENTITY });
    const worker = await harness.createWorker({ taskQueue: ORDER_TASK_QUEUE, identity: IDENTITY, activities });
    mkdirSync(dir, { recursive: true });

    await worker.runUntil(async () => {
      // One at a time: the test server's clock is shared, and skipping it for one order would skip it for all.
      for (const path of toRecord) {
        const recorder: Recorder = {
          client,
          name: path.name,
          sleep: (duration) => env.sleep(duration),
          now: async () => new Date(await env.currentTimeMs()).toISOString(),
          useFakes,
          order: (overrides = {}) => sampleOrder(`replay-${path.name}`, overrides),
          start: (input, fakes) => {
            useFakes(input, fakes);
            return client.workflow.start<OrderWorkflow>(ORDER_WORKFLOW_TYPE, { ...orderStartOptions(input) });
          },
          startBare: (input, fakes) => {
            useFakes(input, fakes);
            return client.workflow.start<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
              workflowId: orderWorkflowId(input.orderId),
              taskQueue: ORDER_TASK_QUEUE,
              args: [input],
            });
          },
        };
        const startedAt = Date.now();
        let handle: WorkflowHandle;
        try {
          handle = await path.record(recorder);
        } catch (error) {
          throw new Error(`path "${path.name}" did not go as scripted: ${String(error)}`, { cause: error });
        }
        const history = await handle.fetchHistory();
        // A workflow that runs forever (loyalty, pass) is stopped once its run is recorded: the clock is shared.
        await terminateWhenIdle(client.workflow.getHandle(handle.workflowId));
        const file = fileOf(path.name);
        writeFileSync(file, `${historyToJSON(history)}\n`);
        const size = Buffer.byteLength(readFileSync(file));
        console.log(
          `recorded ${relative(process.cwd(), file)}: ${history.events?.length ?? 0} events, ` +
            `${(size / 1024).toFixed(1)} KB, ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
        );
      }
    });
  } finally {
    await harness.teardown();
    removeBundle();
  }
  const count = toRecord.length === 1 ? '1 history' : `${toRecord.length} histories`;
  console.log(`recorded ${count} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`record-histories: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
