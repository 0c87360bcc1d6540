import {
  CustomerIdAttribute,
  cancelUpdate,
  checkout,
  getStatusQuery,
  orderWorkflowId,
  rateUpdate,
  type CheckoutResult,
  type OrderStatus,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { orderIdTaken, orderNotFound } from '../errors';
import {
  cancelInputSchema,
  createOrderInputSchema,
  orderRefSchema,
  pageInputSchema,
  rateInputSchema,
} from '../schemas';
import { listOrders, orderQuery } from '../order-list';
import { customerProcedure, router, type Customer } from '../trpc';

/** How long createOrder waits for the charge before answering "charging"; the order carries on either way. */
const CHECKOUT_WAIT_MS = 10_000;

export interface CreateOrderResult {
  readonly outcome: CheckoutResult['outcome'];
  readonly status: OrderStatus;
  readonly reason?: string;
}

function orderHandle(client: Client, orderId: string) {
  return client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
}

/**
 * The order's customer, from the CustomerId search attribute every API-started order carries from its start.
 * Reading it needs no worker and runs no workflow code. Throws WorkflowNotFoundError for an unknown id.
 */
async function ownerOf(client: Client, orderId: string) {
  const description = await orderHandle(client, orderId).describe();
  return { customerId: description.typedSearchAttributes.get(CustomerIdAttribute) };
}

/** The same NOT_FOUND for another customer's order as for a missing one. */
async function assertOwnOrder(client: Client, customer: Customer, orderId: string): Promise<void> {
  const { customerId } = await ownerOf(client, orderId);
  if (customerId !== customer.id) throw orderNotFound();
}

export const customerOrdersRouter = router({
  /**
   * Checkout with a client-made order id, so a retried request finds the same order instead of charging twice.
   * The first attempt starts the order only if the id is new (nothing is sent to an existing order); when the id
   * exists, only its owner gets an answer, by attaching to their order; anyone else gets the same CONFLICT whether
   * or not the order is theirs to see. The answer is checked once more for a race in which someone else took the
   * id in between.
   */
  createOrder: customerProcedure.input(createOrderInputSchema).mutation(async ({ ctx, input }) => {
    const order = {
      ...input,
      customerId: ctx.customer.id,
      customerName: input.customerName ?? ctx.customer.name,
      ...(ctx.orderWindows ? { windows: ctx.orderWindows } : {}),
    };
    let result: CheckoutResult;
    try {
      result = await checkout(ctx.temporal, order, { waitUpTo: CHECKOUT_WAIT_MS, ifExists: 'fail' });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const existing = await ownerOf(ctx.temporal, input.orderId);
      if (existing.customerId !== ctx.customer.id) throw orderIdTaken();
      result = await checkout(ctx.temporal, order, { waitUpTo: CHECKOUT_WAIT_MS });
    }
    if (result.status.customerId !== ctx.customer.id) throw orderIdTaken();
    return {
      outcome: result.outcome,
      status: result.status,
      ...(result.outcome === 'declined' ? { reason: result.reason } : {}),
    } satisfies CreateOrderResult;
  }),

  order: customerProcedure.input(orderRefSchema).query(async ({ ctx, input }) => {
    const status = await orderHandle(ctx.temporal, input.orderId).query(getStatusQuery);
    if (status.customerId !== ctx.customer.id) throw orderNotFound();
    return status;
  }),

  myOrders: customerProcedure
    .input(pageInputSchema)
    .query(({ ctx, input }) =>
      listOrders(ctx.temporal, orderQuery({ [CustomerIdAttribute.name]: ctx.customer.id }), input),
    ),

  cancel: customerProcedure.input(cancelInputSchema).mutation(async ({ ctx, input }) => {
    await assertOwnOrder(ctx.temporal, ctx.customer, input.orderId);
    return orderHandle(ctx.temporal, input.orderId).executeUpdate(cancelUpdate, {
      args: [{ reason: input.reason }],
    });
  }),

  rate: customerProcedure.input(rateInputSchema).mutation(async ({ ctx, input }) => {
    await assertOwnOrder(ctx.temporal, ctx.customer, input.orderId);
    return orderHandle(ctx.temporal, input.orderId).executeUpdate(rateUpdate, {
      args: [{ stars: input.stars, comment: input.comment }],
    });
  }),
});
