/**
 * A customer's loyalty account: one record, changed by the transitions below (called by the handlers in
 * ./handlers.ts). Nothing else holds it: before the history grows large the workflow continues as new and hands
 * all of it to the next run (carry()).
 */
import { log, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { CustomerIdAttribute } from '../order/definitions';
import { iso } from '../shared/helpers';
import {
  HISTORY_LIMIT,
  LoyaltyLevelAttribute,
  LoyaltyPointsAttribute,
  ORDER_MEMORY_MS,
  levelFor,
  nextLevelFor,
  pointsFor,
  type EarnPointsResult,
  type LevelTerms,
  type LoyaltyCarriedState,
  type LoyaltyLevel,
  type LoyaltyProgram,
  type LoyaltySummary,
  type PointChange,
  type Reward,
  type RewardLevel,
} from './definitions';

/** Redeemed rewards kept for the Rewards page (available ones are all kept). */
const REDEEMED_KEPT = 20;

/** A reward granted by an order, and whether it came with reaching its level (the notification says which). */
export interface Grant {
  readonly reward: Reward;
  readonly levelReached: boolean;
}

export class LoyaltyAccount {
  readonly customerId: string;
  readonly program: LoyaltyProgram;
  readonly runs: number;
  points: number;
  ordersCounted: number;
  readonly memberSince: string;
  readonly rewards: Reward[];
  /**
   * Reward ids count per level for the customer's lifetime (redeemed rewards are dropped from the list in time, so
   * the list cannot be counted): an id, and the notification keyed by it, is never used twice.
   */
  readonly grantedPerLevel: Partial<Record<RewardLevel, number>>;
  readonly history: PointChange[];
  /** The dedupe keys: a retried or replayed order, in this run or a later one, is answered, never counted again. */
  readonly counted: Map<string, readonly [number, number]>;
  readonly returned: Map<string, number>;
  level: LoyaltyLevel;
  /**
   * The search attributes lag the points. Started from the Temporal CLI, it has none yet; the order's activity sets
   * them at start.
   */
  attributesStale: boolean;
  /** An operator asked for a continue-as-new. */
  continueRequested = false;

  constructor({
    customerId,
    program,
    carried,
  }: {
    customerId: string;
    program: LoyaltyProgram;
    carried?: LoyaltyCarriedState;
  }) {
    this.customerId = customerId;
    this.program = program;
    this.runs = (carried?.runs ?? 0) + 1;
    this.points = carried?.points ?? 0;
    this.ordersCounted = carried?.ordersCounted ?? 0;
    this.memberSince = carried?.memberSince ?? iso(Date.now());
    this.rewards = [...(carried?.rewards ?? [])];
    this.grantedPerLevel = { ...(carried?.grantedPerLevel ?? countByLevel(this.rewards)) };
    this.history = [...(carried?.history ?? [])];
    this.counted = new Map(Object.entries(carried?.counted ?? {}));
    this.returned = new Map(Object.entries(carried?.returned ?? {}));
    this.level = levelFor(this.points, program);
    this.attributesStale = workflowInfo().typedSearchAttributes.get(LoyaltyLevelAttribute) === undefined;
  }

  // Reading the account: the query, the search attributes, the Temporal UI's current details, the hand-over.

  summary(): LoyaltySummary {
    const available = this.rewards.filter((reward) => reward.state === 'available');
    const redeemed = this.rewards.filter((reward) => reward.state === 'redeemed').reverse();
    return {
      customerId: this.customerId,
      member: true,
      points: this.points,
      level: this.level,
      nextLevel: nextLevelFor(this.points, this.program),
      program: this.program,
      rewards: [...available, ...redeemed],
      history: [...this.history],
      ordersCounted: this.ordersCounted,
      memberSince: this.memberSince,
      runs: this.runs,
    };
  }

  attributes(): SearchAttributePair[] {
    return [
      { key: CustomerIdAttribute, value: this.customerId },
      { key: LoyaltyLevelAttribute, value: this.level },
      { key: LoyaltyPointsAttribute, value: this.points },
    ];
  }

  /** What the Temporal UI shows for this workflow while it runs (kept in memory, so set again by every run). */
  describe(): void {
    setCurrentDetails(`${this.level} · ${this.points} points · ${this.ordersCounted} orders · run ${this.runs}`);
  }

  /** Everything the next run starts from. */
  carry(): LoyaltyCarriedState {
    // Ids older than the memory window can be forgotten: earnPoints refuses orders delivered before it.
    const horizon = Date.now() - ORDER_MEMORY_MS;
    return {
      program: this.program,
      points: this.points,
      ordersCounted: this.ordersCounted,
      memberSince: this.memberSince,
      runs: this.runs,
      grantedPerLevel: { ...this.grantedPerLevel },
      rewards: this.keptRewards(),
      history: [...this.history],
      counted: Object.fromEntries([...this.counted].filter(([, [at]]) => at >= horizon)),
      returned: Object.fromEntries([...this.returned].filter(([, at]) => at >= horizon)),
    };
  }

  private keptRewards(): Reward[] {
    const redeemed = this.rewards.filter((reward) => reward.state === 'redeemed');
    const dropped = new Set(redeemed.slice(0, Math.max(0, redeemed.length - REDEEMED_KEPT)));
    return this.rewards.filter((reward) => !dropped.has(reward));
  }

  // Transitions.

  /**
   * A delivered order's points, once per order id: a repeat is answered as it was. Answers the result and the
   * rewards granted, in the order they were granted (the caller notifies the customer of each).
   */
  earn(orderId: string, amountCents: number, deliveredAt: number): { result: EarnPointsResult; grants: Grant[] } {
    const known = this.counted.get(orderId);
    if (known) {
      const { points, level } = this;
      return {
        result: { orderId, pointsEarned: known[1], points, level, duplicate: true, rewardsGranted: [] },
        grants: [],
      };
    }
    const earned = pointsFor(amountCents, this.program);
    const before = this.points;
    this.points += earned;
    this.ordersCounted += 1;
    this.counted.set(orderId, [deliveredAt, earned]);
    this.history.unshift({
      orderId,
      points: earned,
      balance: this.points,
      at: iso(Date.now()),
      reason: 'orderDelivered',
    });
    this.history.splice(HISTORY_LIMIT);
    const grants = this.grantRewards(before, orderId);
    const newLevel = levelFor(this.points, this.program);
    if (newLevel !== this.level)
      log.info('loyalty level reached', { customerId: this.customerId, level: newLevel, points: this.points });
    this.level = newLevel;
    this.attributesStale = true;
    const rewardsGranted = grants.map((grant) => grant.reward);
    return {
      result: {
        orderId,
        pointsEarned: earned,
        points: this.points,
        level: this.level,
        duplicate: false,
        rewardsGranted,
      },
      grants,
    };
  }

  /** Rewards for every level the new balance crossed, and for each further top-level step. */
  private grantRewards(before: number, orderId: string): Grant[] {
    const { program, points } = this;
    const grants: Grant[] = [];
    for (const terms of program.levels) {
      if (before < terms.points && points >= terms.points) {
        grants.push({ reward: this.grant(terms, orderId), levelReached: true });
      }
    }
    const top = program.levels[program.levels.length - 1]!;
    const steps = (balance: number) =>
      balance < top.points ? 0 : Math.floor((balance - top.points) / program.topRewardEvery);
    for (let step = steps(before) + 1; step <= steps(points); step++) {
      grants.push({ reward: this.grant(top, orderId), levelReached: false });
    }
    return grants;
  }

  private grant(terms: LevelTerms, orderId: string): Reward {
    const count = (this.grantedPerLevel[terms.level] ?? 0) + 1;
    this.grantedPerLevel[terms.level] = count;
    const reward: Reward = {
      rewardId: `${terms.level}-${count}`,
      level: terms.level,
      amountCents: terms.reward.amountCents,
      minimumSubtotalCents: terms.reward.minimumSubtotalCents,
      grantedAt: iso(Date.now()),
      grantedFor: orderId,
      state: 'available',
    };
    this.rewards.push(reward);
    return reward;
  }

  /** Redeemed by `orderId` (again, for a retried redeem of the same order: nothing changes). */
  redeem(reward: Reward, orderId: string): void {
    if (reward.state === 'available') {
      this.replace(reward, { ...reward, state: 'redeemed', redeemedBy: orderId, redeemedAt: iso(Date.now()) });
    }
  }

  /**
   * Gives back the reward `orderId` redeemed, if it did; idempotent. The order is remembered either way, so a redeem
   * from it arriving late (a timed-out activity attempt still in flight) cannot take the reward again.
   */
  giveBack(orderId: string, rewardId: string): boolean {
    this.returned.set(orderId, this.returned.get(orderId) ?? Date.now());
    const reward = this.rewards.find((candidate) => candidate.rewardId === rewardId);
    if (!reward || reward.redeemedBy !== orderId) return false;
    const { redeemedBy: _by, redeemedAt: _at, ...unredeemed } = reward;
    this.replace(reward, { ...unredeemed, state: 'available' });
    log.info('reward given back', { customerId: this.customerId, rewardId, orderId });
    return true;
  }

  private replace(current: Reward, next: Reward): void {
    this.rewards[this.rewards.indexOf(current)] = next;
  }
}

function countByLevel(rewards: readonly Reward[]): Partial<Record<RewardLevel, number>> {
  const counts: Partial<Record<RewardLevel, number>> = {};
  for (const reward of rewards) counts[reward.level] = (counts[reward.level] ?? 0) + 1;
  return counts;
}
