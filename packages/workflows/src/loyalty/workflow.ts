/**
 * The loyalty program of one customer: a function that runs for as long as the customer does. Orders earn points,
 * redeem rewards and give them back through updates (./handlers.ts) that change one record, the account
 * (./state.ts); this function keeps its search attributes current and, before the history grows large, continues as
 * new, handing all of it to the next run. No database holds any of it.
 */
import type { OrderActivities } from '@durable-delivery/activities';
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { isRecord } from '../order/input';
import { historyIsLong, onVersionedWorkers, retriedForAnHour, settled, track } from '../shared/helpers';
import {
  LOYALTY_MAX_HISTORY_EVENTS,
  LOYALTY_PROGRAM,
  LoyaltyErrorType,
  loyaltyWorkflowId,
  type LoyaltyCarriedState,
  type LoyaltyInput,
  type LoyaltyProgram,
  type LoyaltyWorkflow,
} from './definitions';
import { registerHandlers } from './handlers';
import { rewardMessage } from './messages';
import { LoyaltyAccount, type Grant } from './state';

export async function loyalty(input: LoyaltyInput): Promise<never> {
  const account = new LoyaltyAccount(validateStart(input));
  const { customerId } = account;
  const pending = new Set<Promise<unknown>>();
  registerHandlers(account, rewardNotifier(account, pending));
  account.describe();

  // 1. Keep the search attributes current: one write per workflow task that changed points (not one per order),
  // for fewer history events. Only once every update handler has answered: the write then always follows the
  // answers in the history, however many steps a handler takes to answer (the tracing interceptors add some), so
  // workers with and without them replay each other's histories.
  for (;;) {
    await condition(
      () =>
        allHandlersFinished() &&
        (account.attributesStale || account.continueRequested || historyIsLong(LOYALTY_MAX_HISTORY_EVENTS)),
    );
    if (!account.attributesStale) break;
    account.attributesStale = false;
    upsertSearchAttributes(account.attributes());
    account.describe();
  }

  // 2. Continue as new: every update answered and every notification settled (an unsent one would otherwise be
  // abandoned), then the next run starts with all of the state: same workflow id, fresh history.
  await settled(pending);
  log.info('loyalty continues as new', { customerId, runs: account.runs, historyLength: workflowInfo().historyLength });
  // Search attributes passed explicitly, so visibility shows the current level from the next run's first moment.
  return makeContinueAsNewFunc<LoyaltyWorkflow>({ typedSearchAttributes: account.attributes() })({
    customerId,
    carried: account.carry(),
  });
}

/**
 * A customer's loyalty runs for ever, so it cannot stay on one worker build as an order does: it moves to each new
 * build at its next task, and a change to its steps still goes behind `patched()` (docs/versioning.md).
 */
setWorkflowOptions(onVersionedWorkers('AUTO_UPGRADE'), loyalty);

/** Tells the customer of a reward, in the background; settled before the run hands over. */
function rewardNotifier(account: LoyaltyAccount, pending: Set<Promise<unknown>>) {
  // A message about a reward matters for an hour; after that the Rewards page shows it anyway.
  const push = proxyActivities<OrderActivities>(retriedForAnHour);
  const { customerId } = account;
  return ({ reward, levelReached }: Grant, orderId: string): void => {
    const notification = {
      customerId,
      orderId,
      kind: levelReached ? 'levelReached' : 'rewardEarned',
      // One notification per reward for the customer's lifetime: the key survives continue-as-new (same workflow id).
      key: `reward:${reward.rewardId}`,
      message: rewardMessage(reward, account.points, levelReached),
    };
    track(
      pending,
      push.sendPushNotification(notification).catch((error: unknown) => {
        log.warn('reward notification was not delivered', {
          customerId,
          rewardId: reward.rewardId,
          error: String(error),
        });
      }),
    );
  };
}

/** Create/start validation: a bad input fails the workflow at once, naming the problem. */
function validateStart(input: unknown): { customerId: string; program: LoyaltyProgram; carried?: LoyaltyCarriedState } {
  try {
    if (!isRecord(input)) throw new Error('input: expected an object');
    const { customerId } = input;
    if (typeof customerId !== 'string' || customerId.trim() === '' || customerId.length > 128) {
      throw new Error('customerId: must be 1-128 characters');
    }
    const expectedId = loyaltyWorkflowId(customerId);
    if (workflowInfo().workflowId !== expectedId) {
      throw new Error(`the workflow id must be "${expectedId}" for customer ${customerId}`);
    }
    const carried = input.carried as LoyaltyCarriedState | undefined;
    const program = checkProgram(carried?.program ?? input.program ?? LOYALTY_PROGRAM);
    return { customerId, program, ...(carried ? { carried } : {}) };
  } catch (error) {
    throw ApplicationFailure.create({
      type: LoyaltyErrorType.invalidInput,
      message: `Invalid loyalty input: ${error instanceof Error ? error.message : String(error)}`,
      nonRetryable: true,
    });
  }
}

/** A program from the CLI is checked like any input. */
function checkProgram(program: unknown): LoyaltyProgram {
  const problem = (message: string): never => {
    throw new Error(`program: ${message}`);
  };
  if (!isRecord(program)) return problem('expected an object');
  const positive = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0;
  if (!positive(program.pointsPerDollar)) problem('pointsPerDollar must be a whole number above 0');
  if (!positive(program.topRewardEvery)) problem('topRewardEvery must be a whole number above 0');
  if (!Array.isArray(program.levels) || program.levels.length === 0) return problem('levels must be a list');
  let previous = 0;
  for (const terms of program.levels as unknown[]) {
    const ok =
      isRecord(terms) &&
      (terms.level === 'bronze' || terms.level === 'silver' || terms.level === 'gold') &&
      positive(terms.points) &&
      (terms.points as number) > previous &&
      isRecord(terms.reward) &&
      positive(terms.reward.amountCents) &&
      positive(terms.reward.minimumSubtotalCents) &&
      (terms.reward.minimumSubtotalCents as number) > (terms.reward.amountCents as number);
    if (!ok) problem('each level needs a level name, ascending points and a reward smaller than its minimum subtotal');
    previous = (terms as { points: number }).points;
  }
  return program as unknown as LoyaltyProgram;
}
