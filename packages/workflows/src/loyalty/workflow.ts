/**
 * The loyalty program of one customer: a function that runs for as long as the customer does. Its points, level,
 * rewards and the orders it has counted are plain variables; Temporal persists every change, and before the history
 * grows large the function continues as new, handing all of it to the next run. No database holds any of it.
 */
import type { OrderActivities } from '@durable-delivery/activities';
import { REWARD_LEVEL_NAMES, formatCents } from '@durable-delivery/catalog';
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { CustomerIdAttribute } from '../order/definitions';
import { ORDER_ID_PATTERN, isRecord } from '../order/input';
import { continueAsNewUpdate } from '../shared/definitions';
import { historyIsLong, iso, retriedForAnHour, settled, track } from '../shared/helpers';
import {
  HISTORY_LIMIT,
  LOYALTY_MAX_HISTORY_EVENTS,
  LOYALTY_PROGRAM,
  LoyaltyErrorType,
  REWARD_ID_PATTERN,
  LoyaltyLevelAttribute,
  LoyaltyPointsAttribute,
  ORDER_MEMORY_MS,
  earnPointsUpdate,
  getLoyaltyQuery,
  levelFor,
  loyaltyWorkflowId,
  nextLevelFor,
  pointsFor,
  redeemRewardUpdate,
  returnRewardUpdate,
  type EarnPointsArgs,
  type EarnPointsResult,
  type LoyaltyCarriedState,
  type LoyaltyInput,
  type LevelTerms,
  type LoyaltyLevel,
  type LoyaltyProgram,
  type LoyaltySummary,
  type LoyaltyWorkflow,
  type PointChange,
  type RedeemRewardArgs,
  type Redemption,
  type ReturnRewardArgs,
  type ReturnRewardResult,
  type Reward,
  type RewardLevel,
} from './definitions';
import { rewardMessage } from './messages';

/** Redeemed rewards kept for the Rewards page (available ones are all kept). */
const REDEEMED_KEPT = 20;
const MAX_AMOUNT_CENTS = 10_000_000;

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function invalidArgument(message: string): never {
  return refuse(LoyaltyErrorType.invalidArgument, `Invalid argument: ${message}`);
}

function orderIdOf(args: Record<string, unknown>): string {
  const { orderId } = args;
  if (typeof orderId !== 'string' || !ORDER_ID_PATTERN.test(orderId)) {
    return invalidArgument('orderId must be 1-64 letters, digits, "-" or "_"');
  }
  return orderId;
}

function centsOf(args: Record<string, unknown>, name: string): number {
  const value = args[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_AMOUNT_CENTS) {
    return invalidArgument(`${name} must be a whole number of cents from 0 to ${MAX_AMOUNT_CENTS}`);
  }
  return value;
}

function parseEarn(args: unknown): { orderId: string; amountCents: number; deliveredAt: number } {
  if (!isRecord(args)) return invalidArgument('expected {"orderId", "amountCents", "deliveredAt"}');
  const deliveredAt = typeof args.deliveredAt === 'string' ? Date.parse(args.deliveredAt) : NaN;
  if (!Number.isFinite(deliveredAt)) return invalidArgument('deliveredAt must be an ISO-8601 time');
  return { orderId: orderIdOf(args), amountCents: centsOf(args, 'amountCents'), deliveredAt };
}

function parseRewardRef(args: unknown): { orderId: string; rewardId: string } {
  if (!isRecord(args)) return invalidArgument('expected {"orderId", "rewardId"}');
  const { rewardId } = args;
  if (typeof rewardId !== 'string' || !REWARD_ID_PATTERN.test(rewardId)) {
    return invalidArgument('rewardId must look like "bronze-1"');
  }
  return { orderId: orderIdOf(args), rewardId };
}

function parseRedeem(args: unknown): { orderId: string; rewardId: string; subtotalCents: number } {
  const ref = parseRewardRef(args);
  return { ...ref, subtotalCents: centsOf(args as Record<string, unknown>, 'subtotalCents') };
}

/** A program from the CLI is checked like any input: a bad one fails the workflow at once, naming the problem. */
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

function checkInput(input: unknown): { customerId: string; program: LoyaltyProgram; carried?: LoyaltyCarriedState } {
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

export async function loyalty(input: LoyaltyInput): Promise<never> {
  const { customerId, program, carried } = checkInput(input);

  // A message about a reward matters for an hour; after that the Rewards page shows it anyway.
  const push = proxyActivities<OrderActivities>(retriedForAnHour);

  const runs = (carried?.runs ?? 0) + 1;
  let points = carried?.points ?? 0;
  let ordersCounted = carried?.ordersCounted ?? 0;
  const memberSince = carried?.memberSince ?? iso(Date.now());
  const rewards: Reward[] = [...(carried?.rewards ?? [])];
  // Reward ids count per level for the customer's lifetime (redeemed rewards are dropped from the list in time, so
  // the list cannot be counted): an id, and the notification keyed by it, is never used twice.
  const grantedPerLevel: Partial<Record<RewardLevel, number>> = {
    ...(carried?.grantedPerLevel ?? countByLevel(rewards)),
  };
  const history: PointChange[] = [...(carried?.history ?? [])];
  // The dedupe keys: a retried or replayed order, in this run or a later one, is answered, never counted again.
  const counted = new Map<string, readonly [number, number]>(Object.entries(carried?.counted ?? {}));
  const returned = new Map<string, number>(Object.entries(carried?.returned ?? {}));
  const pending = new Set<Promise<unknown>>();
  let level: LoyaltyLevel = levelFor(points, program);
  // Started from the Temporal CLI, it has no search attributes yet; the order's activity sets them at start.
  let attributesStale = workflowInfo().typedSearchAttributes.get(LoyaltyLevelAttribute) === undefined;
  let continueRequested = false;

  const summary = (): LoyaltySummary => {
    const available = rewards.filter((reward) => reward.state === 'available');
    const redeemed = rewards.filter((reward) => reward.state === 'redeemed').reverse();
    return {
      customerId,
      member: true,
      points,
      level,
      nextLevel: nextLevelFor(points, program),
      program,
      rewards: [...available, ...redeemed],
      history: [...history],
      ordersCounted,
      memberSince,
      runs,
    };
  };

  const carry = (): LoyaltyCarriedState => {
    // Ids older than the memory window can be forgotten: earnPoints refuses orders delivered before it.
    const horizon = Date.now() - ORDER_MEMORY_MS;
    return {
      program,
      points,
      ordersCounted,
      memberSince,
      runs,
      grantedPerLevel: { ...grantedPerLevel },
      rewards: keptRewards(),
      history: [...history],
      counted: Object.fromEntries([...counted].filter(([, [at]]) => at >= horizon)),
      returned: Object.fromEntries([...returned].filter(([, at]) => at >= horizon)),
    };
  };

  function keptRewards(): Reward[] {
    const redeemed = rewards.filter((reward) => reward.state === 'redeemed');
    const dropped = new Set(redeemed.slice(0, Math.max(0, redeemed.length - REDEEMED_KEPT)));
    return rewards.filter((reward) => !dropped.has(reward));
  }

  function notify(reward: Reward, levelReached: boolean, orderId: string): void {
    const notification = {
      customerId,
      orderId,
      kind: levelReached ? 'levelReached' : 'rewardEarned',
      // One notification per reward for the customer's lifetime: the key survives continue-as-new (same workflow id).
      key: `reward:${reward.rewardId}`,
      message: rewardMessage(reward, points, levelReached),
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
  }

  function grant(terms: LevelTerms, orderId: string): Reward {
    const count = (grantedPerLevel[terms.level] ?? 0) + 1;
    grantedPerLevel[terms.level] = count;
    const reward: Reward = {
      rewardId: `${terms.level}-${count}`,
      level: terms.level,
      amountCents: terms.reward.amountCents,
      minimumSubtotalCents: terms.reward.minimumSubtotalCents,
      grantedAt: iso(Date.now()),
      grantedFor: orderId,
      state: 'available',
    };
    rewards.push(reward);
    return reward;
  }

  /** Rewards for every level the new balance crossed, and for each further top-level step. */
  function grantRewards(before: number, orderId: string): Reward[] {
    const granted: Reward[] = [];
    for (const terms of program.levels) {
      if (before < terms.points && points >= terms.points) {
        const reward = grant(terms, orderId);
        granted.push(reward);
        notify(reward, true, orderId);
      }
    }
    const top = program.levels[program.levels.length - 1]!;
    const steps = (balance: number) =>
      balance < top.points ? 0 : Math.floor((balance - top.points) / program.topRewardEvery);
    for (let step = steps(before) + 1; step <= steps(points); step++) {
      const reward = grant(top, orderId);
      granted.push(reward);
      notify(reward, false, orderId);
    }
    return granted;
  }

  setHandler(getLoyaltyQuery, summary);

  // earnPoints: the order id is the key. The validator refuses what can never count; a repeat is answered.
  const checkEarn = (args: EarnPointsArgs) => {
    const parsed = parseEarn(args);
    if (!counted.has(parsed.orderId) && parsed.deliveredAt < Date.now() - ORDER_MEMORY_MS) {
      refuse(
        LoyaltyErrorType.tooLate,
        `Order ${parsed.orderId} was delivered on ${iso(parsed.deliveredAt)}: points are counted only within ${
          ORDER_MEMORY_MS / 86_400_000
        } days of delivery.`,
      );
    }
    return parsed;
  };
  setHandler(
    earnPointsUpdate,
    (args: EarnPointsArgs): EarnPointsResult => {
      const { orderId, amountCents, deliveredAt } = checkEarn(args);
      const known = counted.get(orderId);
      if (known) {
        return { orderId, pointsEarned: known[1], points, level, duplicate: true, rewardsGranted: [] };
      }
      const earned = pointsFor(amountCents, program);
      const before = points;
      points += earned;
      ordersCounted += 1;
      counted.set(orderId, [deliveredAt, earned]);
      history.unshift({ orderId, points: earned, balance: points, at: iso(Date.now()), reason: 'orderDelivered' });
      history.splice(HISTORY_LIMIT);
      const rewardsGrantedNow = grantRewards(before, orderId);
      const newLevel = levelFor(points, program);
      if (newLevel !== level) log.info('loyalty level reached', { customerId, level: newLevel, points });
      level = newLevel;
      attributesStale = true;
      return { orderId, pointsEarned: earned, points, level, duplicate: false, rewardsGranted: rewardsGrantedNow };
    },
    { validator: checkEarn },
  );

  // redeemReward: validator and handler run back to back for each update, so of two checkouts racing for one
  // reward the second sees it taken. The order id is the key: a retried redeem of the same order gets the same answer.
  const checkRedeem = (args: RedeemRewardArgs): { reward: Reward; orderId: string } => {
    const { orderId, rewardId, subtotalCents } = parseRedeem(args);
    const reward = rewards.find((candidate) => candidate.rewardId === rewardId);
    if (!reward) return refuse(LoyaltyErrorType.rewardUnavailable, `You have no reward "${rewardId}".`);
    if (reward.redeemedBy === orderId) return { reward, orderId };
    const name = REWARD_LEVEL_NAMES[reward.level];
    if (returned.has(orderId)) {
      refuse(LoyaltyErrorType.rewardUnavailable, `Order ${orderId} has already ended; its reward was given back.`);
    }
    if (reward.state === 'redeemed') {
      refuse(
        LoyaltyErrorType.rewardUnavailable,
        `Your ${name} reward was already used on order ${reward.redeemedBy?.slice(0, 8) ?? 'another order'}.`,
      );
    }
    if (subtotalCents < reward.minimumSubtotalCents) {
      refuse(
        LoyaltyErrorType.rewardUnavailable,
        `Your ${name} reward needs a subtotal of at least ${formatCents(reward.minimumSubtotalCents)}; this order's is ${formatCents(subtotalCents)}.`,
      );
    }
    return { reward, orderId };
  };
  setHandler(
    redeemRewardUpdate,
    (args: RedeemRewardArgs): Redemption => {
      const { reward, orderId } = checkRedeem(args);
      if (reward.state === 'available') {
        replaceReward(reward, { ...reward, state: 'redeemed', redeemedBy: orderId, redeemedAt: iso(Date.now()) });
      }
      return { orderId, rewardId: reward.rewardId, level: reward.level, discountCents: reward.amountCents };
    },
    { validator: checkRedeem },
  );

  // returnReward: idempotent. It also remembers the order, so a redeem from that order arriving late (a timed-out
  // activity attempt still in flight) cannot take the reward again.
  setHandler(
    returnRewardUpdate,
    (args: ReturnRewardArgs): ReturnRewardResult => {
      const { orderId, rewardId } = parseRewardRef(args);
      returned.set(orderId, returned.get(orderId) ?? Date.now());
      const reward = rewards.find((candidate) => candidate.rewardId === rewardId);
      if (!reward || reward.redeemedBy !== orderId) return { rewardId, returned: false };
      const { redeemedBy: _by, redeemedAt: _at, ...unredeemed } = reward;
      replaceReward(reward, { ...unredeemed, state: 'available' });
      log.info('reward given back', { customerId, rewardId, orderId });
      return { rewardId, returned: true };
    },
    { validator: parseRewardRef },
  );

  setHandler(continueAsNewUpdate, () => {
    continueRequested = true;
    return runs + 1;
  });

  function replaceReward(current: Reward, next: Reward): void {
    rewards[rewards.indexOf(current)] = next;
  }

  const attributes = (): SearchAttributePair[] => [
    { key: CustomerIdAttribute, value: customerId },
    { key: LoyaltyLevelAttribute, value: level },
    { key: LoyaltyPointsAttribute, value: points },
  ];
  // What the Temporal UI shows for this workflow while it runs (kept in memory, so set again by every run).
  const describe = () => setCurrentDetails(`${level} · ${points} points · ${ordersCounted} orders · run ${runs}`);
  describe();

  // One search-attribute write per workflow task that changed points (not one per order): fewer history events.
  // Only once every update handler has answered: the write then always follows the answers in the history, however
  // many steps a handler takes to answer (the tracing interceptors add some), so workers with and without them
  // replay each other's histories.
  for (;;) {
    await condition(
      () =>
        allHandlersFinished() && (attributesStale || continueRequested || historyIsLong(LOYALTY_MAX_HISTORY_EVENTS)),
    );
    if (!attributesStale) break;
    attributesStale = false;
    upsertSearchAttributes(attributes());
    describe();
  }

  // Every update answered and every notification settled (an unsent one would otherwise be abandoned), then the
  // next run starts with all of the state: same workflow id, fresh history.
  await settled(pending);
  log.info('loyalty continues as new', { customerId, runs, historyLength: workflowInfo().historyLength });
  // Search attributes passed explicitly, so visibility shows the current level from the next run's first moment.
  return makeContinueAsNewFunc<LoyaltyWorkflow>({ typedSearchAttributes: attributes() })({
    customerId,
    carried: carry(),
  });
}

function countByLevel(rewards: readonly Reward[]): Partial<Record<RewardLevel, number>> {
  const counts: Partial<Record<RewardLevel, number>> = {};
  for (const reward of rewards) counts[reward.level] = (counts[reward.level] ?? 0) + 1;
  return counts;
}
