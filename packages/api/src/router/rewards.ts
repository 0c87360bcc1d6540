import { loyaltySummary } from '@durable-delivery/workflows';
import { customerProcedure, router } from '../trpc';

/**
 * The signed-in customer's loyalty program: points, level, the history of point changes and rewards. The workflow id
 * comes from the session's customer, so nobody reads another customer's points. Points are earned by delivered
 * orders and rewards are redeemed at checkout; nothing here changes them.
 */
export const rewardsRouter = router({
  summary: customerProcedure.query(({ ctx }) => loyaltySummary(ctx.temporal, ctx.customer.id)),
});
