/**
 * How orders and the apps talk to a loyalty account: the query, and the updates that earn points, redeem a reward
 * and give it back (each with its validator and argument parsers), and an operator's continue-as-new.
 */
import { REWARD_LEVEL_NAMES, formatCents } from '@durable-delivery/catalog';
import { setHandler } from '@temporalio/workflow';
import { ORDER_ID_PATTERN, isRecord } from '../order/input';
import { continueAsNewUpdate } from '../shared/definitions';
import { iso, refuse } from '../shared/helpers';
import {
  LoyaltyErrorType,
  ORDER_MEMORY_MS,
  REWARD_ID_PATTERN,
  earnPointsUpdate,
  getLoyaltyQuery,
  redeemRewardUpdate,
  returnRewardUpdate,
  type EarnPointsArgs,
  type EarnPointsResult,
  type RedeemRewardArgs,
  type Redemption,
  type ReturnRewardArgs,
  type ReturnRewardResult,
  type Reward,
} from './definitions';
import type { Grant, LoyaltyAccount } from './state';

const MAX_AMOUNT_CENTS = 10_000_000;

/**
 * Registers every handler of `account`, in the order the SDK has always seen them. `notify` tells the customer of
 * a reward an order's points granted.
 */
export function registerHandlers(account: LoyaltyAccount, notify: (grant: Grant, orderId: string) => void): void {
  setHandler(getLoyaltyQuery, () => account.summary());

  // earnPoints: the order id is the key. The validator refuses what can never count; a repeat is answered.
  const checkEarn = (args: EarnPointsArgs) => {
    const parsed = parseEarn(args);
    if (!account.counted.has(parsed.orderId) && parsed.deliveredAt < Date.now() - ORDER_MEMORY_MS) {
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
      const { result, grants } = account.earn(orderId, amountCents, deliveredAt);
      for (const grant of grants) notify(grant, orderId);
      return result;
    },
    { validator: checkEarn },
  );

  // redeemReward: validator and handler run back to back for each update, so of two checkouts racing for one
  // reward the second sees it taken. The order id is the key: a retried redeem of the same order gets the same answer.
  const checkRedeem = (args: RedeemRewardArgs): { reward: Reward; orderId: string } => {
    const { orderId, rewardId, subtotalCents } = parseRedeem(args);
    const reward = account.rewards.find((candidate) => candidate.rewardId === rewardId);
    if (!reward) return refuse(LoyaltyErrorType.rewardUnavailable, `You have no reward "${rewardId}".`);
    if (reward.redeemedBy === orderId) return { reward, orderId };
    const name = REWARD_LEVEL_NAMES[reward.level];
    if (account.returned.has(orderId)) {
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
      account.redeem(reward, orderId);
      return { orderId, rewardId: reward.rewardId, level: reward.level, discountCents: reward.amountCents };
    },
    { validator: checkRedeem },
  );

  // returnReward: idempotent (see LoyaltyAccount.giveBack).
  setHandler(
    returnRewardUpdate,
    (args: ReturnRewardArgs): ReturnRewardResult => {
      const { orderId, rewardId } = parseRewardRef(args);
      return { rewardId, returned: account.giveBack(orderId, rewardId) };
    },
    { validator: parseRewardRef },
  );

  setHandler(continueAsNewUpdate, () => {
    account.continueRequested = true;
    return account.runs + 1;
  });
}

// Update arguments arrive as JSON from any caller (an order's activity, the Temporal CLI): checked before use.

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
