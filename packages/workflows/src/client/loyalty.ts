/**
 * How callers reach a customer's loyalty workflow: the order's activities (through the LoyaltyClient port they are
 * given), the API and tests. Every call is keyed by the order id, which the workflow remembers across its runs (no
 * update id is set: one memory, the workflow's, answers every repeat the same way in every run). Refusals come back
 * as non-retryable ApplicationFailures carrying the workflow's reason.
 */
import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { CustomerIdAttribute, ORDER_TASK_QUEUE } from '../order/definitions';
import {
  LOYALTY_PROGRAM,
  LOYALTY_WORKFLOW_TYPE,
  LoyaltyErrorType,
  LoyaltyLevelAttribute,
  LoyaltyPointsAttribute,
  earnPointsUpdate,
  getLoyaltyQuery,
  loyaltyWorkflowId,
  newMemberSummary,
  redeemRewardUpdate,
  returnRewardUpdate,
  type EarnPointsArgs,
  type EarnPointsResult,
  type LoyaltySummary,
  type LoyaltyWorkflow,
  type Redemption,
  type RedeemRewardArgs,
  type ReturnRewardArgs,
  type ReturnRewardResult,
} from '../loyalty/definitions';

export interface LoyaltyCallOptions {
  /** The task queue a new loyalty workflow runs on: the worker's. */
  readonly taskQueue?: string;
}

/**
 * How a loyalty workflow starts: on its customer's first delivered order, from that order's earnPoints call.
 * - USE_EXISTING: two orders delivered at once find one workflow; the second call is an update to it.
 * - REJECT_DUPLICATE: a loyalty workflow never ends by itself (it continues as new). One that was terminated is
 *   not silently started again from zero points; an operator restores it (reset from the Temporal UI).
 */
export function loyaltyStartOptions(customerId: string, options: LoyaltyCallOptions = {}) {
  return {
    workflowId: loyaltyWorkflowId(customerId),
    taskQueue: options.taskQueue ?? ORDER_TASK_QUEUE,
    args: [{ customerId, program: LOYALTY_PROGRAM }] as Parameters<LoyaltyWorkflow>,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: CustomerIdAttribute, value: customerId },
      { key: LoyaltyLevelAttribute, value: 'member' },
      { key: LoyaltyPointsAttribute, value: 0 },
    ],
    staticSummary: `Loyalty program of customer ${customerId}`,
  };
}

/** Credits a delivered order's points, starting the customer's loyalty workflow if this is their first. */
export async function earnPoints(
  client: Client,
  customerId: string,
  args: EarnPointsArgs,
  options: LoyaltyCallOptions = {},
): Promise<EarnPointsResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation<LoyaltyWorkflow>(
    LOYALTY_WORKFLOW_TYPE,
    loyaltyStartOptions(customerId, options),
  );
  return refusalsAsFailures(() =>
    client.workflow.executeUpdateWithStart(earnPointsUpdate, {
      args: [args],
      startWorkflowOperation,
    }),
  );
}

/** Redeems a reward for an order. Throws a RewardUnavailable ApplicationFailure with the reason when it cannot. */
export async function redeemReward(client: Client, customerId: string, args: RedeemRewardArgs): Promise<Redemption> {
  return refusalsAsFailures(async () => {
    try {
      return await handleOf(client, customerId).executeUpdate(redeemRewardUpdate, { args: [args] });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw ApplicationFailure.create({
          type: LoyaltyErrorType.rewardUnavailable,
          message: 'You have no rewards yet: your first delivered order starts earning points.',
          nonRetryable: true,
        });
      }
      throw error;
    }
  });
}

/** Gives an order's reward back. Idempotent; a customer with no loyalty workflow has nothing to give back. */
export async function returnReward(
  client: Client,
  customerId: string,
  args: ReturnRewardArgs,
): Promise<ReturnRewardResult> {
  try {
    return await refusalsAsFailures(() =>
      handleOf(client, customerId).executeUpdate(returnRewardUpdate, { args: [args] }),
    );
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { rewardId: args.rewardId, returned: false };
    throw error;
  }
}

/** The Rewards page's data: the workflow's own summary, or the program for a customer who has not earned yet. */
export async function loyaltySummary(client: Client, customerId: string): Promise<LoyaltySummary> {
  try {
    return await handleOf(client, customerId).query(getLoyaltyQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return newMemberSummary(customerId);
    throw error;
  }
}

/** The LoyaltyClient port of @durable-delivery/activities, served by the customers' loyalty workflows. */
export function temporalLoyalty(client: Client, options: LoyaltyCallOptions = {}) {
  return {
    earn: async (request: { customerId: string } & EarnPointsArgs) => {
      const { customerId, ...args } = request;
      const result = await earnPoints(client, customerId, args, options);
      return {
        pointsEarned: result.pointsEarned,
        points: result.points,
        level: result.level,
        duplicate: result.duplicate,
      };
    },
    redeem: async (request: { customerId: string } & RedeemRewardArgs) => {
      const { customerId, ...args } = request;
      const redemption = await redeemReward(client, customerId, args);
      return { rewardId: redemption.rewardId, level: redemption.level, discountCents: redemption.discountCents };
    },
    giveBack: async (request: { customerId: string } & ReturnRewardArgs) => {
      const { customerId, ...args } = request;
      const { returned } = await returnReward(client, customerId, args);
      return { returned };
    },
  };
}

function handleOf(client: Client, customerId: string) {
  return client.workflow.getHandle<LoyaltyWorkflow>(loyaltyWorkflowId(customerId));
}

/**
 * A validator's refusal is an answer, not an outage: re-thrown as the non-retryable ApplicationFailure it carries
 * (same type and message), so an activity fails at once with the reason instead of retrying it for a day.
 */
export async function refusalsAsFailures<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        type: error.cause.type ?? undefined,
        message: error.cause.message,
        nonRetryable: true,
      });
    }
    throw error;
  }
}
