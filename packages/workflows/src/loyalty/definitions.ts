/**
 * The loyalty program's contract, defined once and imported by the loyalty workflow and by every caller (the order's
 * activities, the API, tests): names, the program, messages, state, search attributes and ids. One `loyalty`
 * workflow runs per customer, for as long as the customer does: its points and rewards live in its variables, not
 * in a database, and it continues as new before its history grows large.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { CustomerIdAttribute } from '../order/definitions';

export const LOYALTY_WORKFLOW_TYPE = 'loyalty';

const LOYALTY_WORKFLOW_ID_PREFIX = 'loyalty-';

/** One loyalty workflow per customer: the id is what makes two orders delivered at once find the same one. */
export function loyaltyWorkflowId(customerId: string): string {
  return `${LOYALTY_WORKFLOW_ID_PREFIX}${customerId}`;
}

/** Levels are machine values; the apps turn them into labels. Everyone who has had an order delivered is a member. */
export type LoyaltyLevel = 'member' | 'bronze' | 'silver' | 'gold';
export type RewardLevel = Exclude<LoyaltyLevel, 'member'>;

/** A fixed amount off an order, for orders of at least a minimum subtotal (so that an order never costs nothing). */
export interface RewardTerms {
  readonly amountCents: number;
  readonly minimumSubtotalCents: number;
}

export interface LevelTerms {
  readonly level: RewardLevel;
  /** Lifetime points at which the level is reached. */
  readonly points: number;
  /** Granted once, when the level is reached. */
  readonly reward: RewardTerms;
}

export interface LoyaltyProgram {
  /** Points per whole dollar the customer paid for an order (after discounts, delivery included). */
  readonly pointsPerDollar: number;
  /** Ascending by points. */
  readonly levels: readonly LevelTerms[];
  /** Past the top level, every this many more points earns the top level's reward again: a program with no end. */
  readonly topRewardEvery: number;
}

/**
 * The program, in one place. A loyalty workflow copies it into its state when it starts and carries it across
 * continue-as-new, so a change here reaches new members at once and never changes what a running workflow
 * replays (a customer keeps the terms they joined under; an operator migration would be an update).
 */
export const LOYALTY_PROGRAM: LoyaltyProgram = {
  pointsPerDollar: 1,
  levels: [
    { level: 'bronze', points: 50, reward: { amountCents: 300, minimumSubtotalCents: 1_500 } },
    { level: 'silver', points: 150, reward: { amountCents: 500, minimumSubtotalCents: 2_000 } },
    { level: 'gold', points: 400, reward: { amountCents: 1_000, minimumSubtotalCents: 3_000 } },
  ],
  topRewardEvery: 250,
};

/**
 * How long a delivered order's id is remembered, so that the same order never counts twice (a retried activity, a
 * replayed order). Points for an order delivered longer ago are refused, so forgetting older ids is safe; the
 * order's activity gives up long before (see the order workflow).
 */
export const ORDER_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;

/** The point changes a query returns (newest first); the totals count everything. */
export const HISTORY_LIMIT = 50;

/**
 * A loyalty run continues as new at this many events (a few hundred orders), or earlier when the server suggests it:
 * a worker that rebuilds the workflow from its history replays at most this much, and the state carried to the next
 * run stays small.
 */
export const LOYALTY_MAX_HISTORY_EVENTS = 1_000;

export type RewardState = 'available' | 'redeemed';

export { REWARD_ID_PATTERN } from '../order/input';

export interface Reward {
  /** `bronze-1`, `gold-2`: unique per customer, stable across runs. */
  readonly rewardId: string;
  readonly level: RewardLevel;
  readonly amountCents: number;
  readonly minimumSubtotalCents: number;
  readonly grantedAt: string;
  /** The delivered order whose points granted it. */
  readonly grantedFor: string;
  readonly state: RewardState;
  /** The order it is applied to while redeemed; a redeemed reward comes back if that order fails or is cancelled. */
  readonly redeemedBy?: string;
  readonly redeemedAt?: string;
}

export interface PointChange {
  readonly orderId: string;
  readonly points: number;
  /** Lifetime points after this change. */
  readonly balance: number;
  readonly at: string;
  readonly reason: 'orderDelivered';
}

/** Everything the Rewards page shows, from one query. */
export interface LoyaltySummary {
  readonly customerId: string;
  /** False for a customer with no delivered order yet (no loyalty workflow): the API answers for them. */
  readonly member: boolean;
  readonly points: number;
  readonly level: LoyaltyLevel;
  readonly nextLevel?: { readonly level: RewardLevel; readonly points: number; readonly pointsToGo: number };
  readonly program: LoyaltyProgram;
  /** Available rewards first (oldest first), then the most recently redeemed. */
  readonly rewards: readonly Reward[];
  /** Newest first, at most HISTORY_LIMIT. */
  readonly history: readonly PointChange[];
  readonly ordersCounted: number;
  readonly memberSince?: string;
  /** How many runs this customer's workflow has had: continue-as-new starts a new one, state carried. */
  readonly runs: number;
}

export interface EarnPointsArgs {
  readonly orderId: string;
  /** What the customer paid for the order. */
  readonly amountCents: number;
  /** When the order was delivered (ISO-8601, workflow time of the order). */
  readonly deliveredAt: string;
}

export interface EarnPointsResult {
  readonly orderId: string;
  readonly pointsEarned: number;
  readonly points: number;
  readonly level: LoyaltyLevel;
  /** True when this order had already been counted: nothing changed, the first answer is repeated. */
  readonly duplicate: boolean;
  /** Rewards this order granted (a level reached, or another top-level reward). */
  readonly rewardsGranted: readonly Reward[];
}

export interface RedeemRewardArgs {
  readonly orderId: string;
  readonly rewardId: string;
  /** The order's subtotal, checked against the reward's minimum. */
  readonly subtotalCents: number;
}

export interface Redemption {
  readonly orderId: string;
  readonly rewardId: string;
  readonly level: RewardLevel;
  readonly discountCents: number;
}

export interface ReturnRewardArgs {
  readonly orderId: string;
  readonly rewardId: string;
}

export interface ReturnRewardResult {
  readonly rewardId: string;
  /** False when there was nothing to give back (already returned, or never redeemed by this order). */
  readonly returned: boolean;
}

/** What one run hands the next when it continues as new: everything, so nothing is lost or counted twice. */
export interface LoyaltyCarriedState {
  readonly program: LoyaltyProgram;
  readonly points: number;
  readonly ordersCounted: number;
  readonly memberSince: string;
  readonly runs: number;
  /** How many rewards each level has granted, ever: the next id of each. */
  readonly grantedPerLevel?: Partial<Record<RewardLevel, number>>;
  readonly rewards: readonly Reward[];
  readonly history: readonly PointChange[];
  /** Orders counted within ORDER_MEMORY_MS: order id → [delivered at (ms), points earned]. */
  readonly counted: Readonly<Record<string, readonly [number, number]>>;
  /** Orders whose reward was given back within ORDER_MEMORY_MS: order id → when (ms). A late redeem is refused. */
  readonly returned: Readonly<Record<string, number>>;
}

export interface LoyaltyInput {
  readonly customerId: string;
  /** Defaults to LOYALTY_PROGRAM; ignored when `carried` is set (the carried program wins). */
  readonly program?: LoyaltyProgram;
  /** Set by the workflow itself when it continues as new. */
  readonly carried?: LoyaltyCarriedState;
}

export type LoyaltyWorkflow = (input: LoyaltyInput) => Promise<never>;

export const getLoyaltyQuery = defineQuery<LoyaltySummary>('getLoyalty');

/** Sent by the order (through an activity) after delivery, with update-with-start: the first one starts the workflow. */
export const earnPointsUpdate = defineUpdate<EarnPointsResult, [EarnPointsArgs]>('earnPoints');
/** Sent by the order at checkout: of two orders racing for one reward, the validator lets exactly one through. */
export const redeemRewardUpdate = defineUpdate<Redemption, [RedeemRewardArgs]>('redeemReward');
/** Sent by an order that redeemed a reward and then failed, was cancelled or refunded. */
export const returnRewardUpdate = defineUpdate<ReturnRewardResult, [ReturnRewardArgs]>('returnReward');

export { continueAsNewUpdate } from '../shared/definitions';

/** ApplicationFailure types a caller can branch on (the API maps them to tRPC codes). */
export const LoyaltyErrorType = {
  invalidInput: 'InvalidLoyaltyInput',
  invalidArgument: 'InvalidArgument',
  rewardUnavailable: 'RewardUnavailable',
  tooLate: 'OrderTooOldForPoints',
} as const;

export const LoyaltyLevelAttribute = defineSearchAttributeKey('LoyaltyLevel', SearchAttributeType.KEYWORD);
export const LoyaltyPointsAttribute = defineSearchAttributeKey('LoyaltyPoints', SearchAttributeType.INT);

/** Every custom search attribute a loyalty workflow carries: `LoyaltyLevel = 'gold'` lists the gold members. */
export const loyaltySearchAttributes = [CustomerIdAttribute, LoyaltyLevelAttribute, LoyaltyPointsAttribute] as const;

/** The level a lifetime points balance has reached. */
export function levelFor(points: number, program: LoyaltyProgram): LoyaltyLevel {
  let level: LoyaltyLevel = 'member';
  for (const terms of program.levels) if (points >= terms.points) level = terms.level;
  return level;
}

/** The next level to reach and how far it is, or undefined at the top. */
export function nextLevelFor(points: number, program: LoyaltyProgram): LoyaltySummary['nextLevel'] {
  const next = program.levels.find((terms) => points < terms.points);
  return next ? { level: next.level, points: next.points, pointsToGo: next.points - points } : undefined;
}

/** Points for what a customer paid: per whole dollar. */
export function pointsFor(amountCents: number, program: LoyaltyProgram): number {
  return Math.floor(amountCents / 100) * program.pointsPerDollar;
}

/** What a customer with no delivered order yet sees: the program, nothing earned. */
export function newMemberSummary(customerId: string, program: LoyaltyProgram = LOYALTY_PROGRAM): LoyaltySummary {
  return {
    customerId,
    member: false,
    points: 0,
    level: 'member',
    nextLevel: nextLevelFor(0, program),
    program,
    rewards: [],
    history: [],
    ordersCounted: 0,
    runs: 0,
  };
}
