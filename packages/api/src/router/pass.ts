import {
  DEFAULT_PASS_SETTINGS,
  PASS_PRICE_CENTS,
  cancelPassUpdate,
  passOf,
  resumePassUpdate,
  subscribe,
  subscriptionWorkflowId,
  type DeliveryPass,
  type SubscriptionWorkflow,
} from '@durable-delivery/workflows';
import { TRPCError } from '@trpc/server';
import type { Client } from '@temporalio/client';
import { passNotFound } from '../errors';
import { cancelPassInputSchema, subscribeInputSchema } from '../schemas';
import { customerProcedure, router, type Customer } from '../trpc';

/** How long subscribe waits for the first charge before answering with the pass still being charged. */
const SUBSCRIBE_WAIT_MS = 10_000;

export interface PassOffer {
  readonly priceCents: number;
  readonly billingPeriodMs: number;
}

/** What the pass page shows: the customer's pass (current, or the last one if it ended), and what a new one costs. */
export interface PassView {
  readonly pass?: DeliveryPass;
  readonly offer: PassOffer;
}

/**
 * The pass to act on: it must exist and not have ended (an ended pass's workflow is closed and takes no updates;
 * the answer says what to do instead).
 */
async function runningPass(client: Client, customer: Customer) {
  const pass = await passOf(client, customer.id);
  if (!pass) throw passNotFound();
  if (pass.state === 'ended') {
    throw new TRPCError({ code: 'CONFLICT', message: 'Your pass has ended; subscribe again to start a new one.' });
  }
  return client.workflow.getHandle<SubscriptionWorkflow>(subscriptionWorkflowId(customer.id));
}

/**
 * The signed-in customer's delivery pass: one per customer, its workflow id the customer's own. The price and the
 * billing period are the server's; the customer chooses a card and whether to keep the pass.
 */
export const passRouter = router({
  status: customerProcedure.query(async ({ ctx }): Promise<PassView> => {
    const pass = await passOf(ctx.temporal, ctx.customer.id);
    const billingPeriodMs = ctx.passSettings?.billingPeriod ?? DEFAULT_PASS_SETTINGS.billingPeriod;
    return { ...(pass ? { pass } : {}), offer: { priceCents: PASS_PRICE_CENTS, billingPeriodMs } };
  }),

  /** Answers once the first charge settles: active, or ended with the decline. A running pass is answered as it is. */
  subscribe: customerProcedure.input(subscribeInputSchema).mutation(({ ctx, input }) =>
    subscribe(
      ctx.temporal,
      {
        customerId: ctx.customer.id,
        subscriptionId: input.subscriptionId,
        paymentMethod: input.paymentMethod,
        ...(ctx.passSettings ? { settings: ctx.passSettings } : {}),
      },
      { waitUpTo: SUBSCRIBE_WAIT_MS },
    ),
  ),

  cancel: customerProcedure.input(cancelPassInputSchema).mutation(async ({ ctx, input }) =>
    (await runningPass(ctx.temporal, ctx.customer)).executeUpdate(cancelPassUpdate, {
      args: [{ reason: input.reason }],
    }),
  ),

  resume: customerProcedure.mutation(async ({ ctx }) =>
    (await runningPass(ctx.temporal, ctx.customer)).executeUpdate(resumePassUpdate),
  ),
});
