import {
  CustomerIdAttribute,
  OrderStateAttribute,
  cancelUpdate,
  checkout,
  getStatusQuery,
  orderWorkflowId,
  rateUpdate,
  type CheckoutResult,
  type OrderState,
  type OrderStatus,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { orderNotFound, refusalForCustomer, toTRPCError } from '../errors';
import {
  cancelInputSchema,
  createOrderInputSchema,
  orderRefSchema,
  pageInputSchema,
  rateInputSchema,
} from '../schemas';
import { keyword } from '../ids';
import { listOrders, orderQuery } from '../order-list';
import { customerProcedure, router, type Customer } from '../trpc';

/** A checkout whose payment did not go through: an attempt that charged nothing, not an order (see myOrders). */
const NOT_AN_ORDER: OrderState = 'paymentFailed';

/** How long createOrder waits for the charge before answering "charging"; the order carries on either way. */
export const CHECKOUT_WAIT_MS = 10_000;

/** Checkout's answer as it is (paid, declined with the reason, or still charging), typed flat for the apps. */
export interface CreateOrderResult {
  readonly outcome: CheckoutResult['outcome'];
  readonly status: OrderStatus;
  /** Why the card was declined: with a decline only. */
  readonly reason?: string;
}

function orderHandle(client: Client, orderId: string) {
  return client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
}

/** The status as its customer sees it: the driver by their name (driverName), never by account id. */
function forCustomer(status: OrderStatus): OrderStatus {
  const { driverId: _accountId, ...shown } = status;
  return shown;
}

/**
 * Ownership first, before any workflow query or update: one describe call reads the order's customer from the
 * CustomerId search attribute every API-started order carries from its start (no worker, no workflow code). A
 * missing order and another customer's order take that same one call and end in the same NOT_FOUND from here, so
 * neither the answer nor the work behind it tells them apart.
 */
async function assertOwnOrder(client: Client, customer: Customer, orderId: string): Promise<void> {
  let customerId: string | undefined;
  try {
    const description = await orderHandle(client, orderId).describe();
    customerId = description.typedSearchAttributes.get(CustomerIdAttribute);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  if (customerId !== customer.id) throw orderNotFound();
}

export const customerOrdersRouter = router({
  /**
   * Checkout with a client-made order id, so a retried request finds the same order instead of charging twice.
   * checkout() decides what an existing id means: the customer who placed that order gets its answer; anyone else
   * gets the same CONFLICT (OrderIdTakenError, see toTRPCError) whether or not the order is theirs to see, and
   * nothing is sent to it.
   */
  createOrder: customerProcedure
    .input(createOrderInputSchema)
    .mutation(({ ctx, input }): Promise<CreateOrderResult> => {
      const order = {
        ...input,
        customerId: ctx.customer.id,
        customerName: input.customerName ?? ctx.customer.name,
        ...(ctx.orderWindows ? { windows: ctx.orderWindows } : {}),
      };
      return checkout(ctx.temporal, order, { waitUpTo: CHECKOUT_WAIT_MS });
    }),

  order: customerProcedure.input(orderRefSchema).query(async ({ ctx, input }) => {
    await assertOwnOrder(ctx.temporal, ctx.customer, input.orderId);
    return forCustomer(await orderHandle(ctx.temporal, input.orderId).query(getStatusQuery));
  }),

  /**
   * The customer's orders, without the attempts whose payment did not go through: those charged nothing, checkout
   * said so where it happened (and kept the cart), and listed as "Payment failed" orders they read as orders that
   * went wrong. An attempt stays reachable at its own address (a toast about it links there).
   */
  myOrders: customerProcedure
    .input(pageInputSchema)
    .query(({ ctx, input }) =>
      listOrders(
        ctx.temporal,
        `${orderQuery({ [CustomerIdAttribute.name]: ctx.customer.id })} AND ${OrderStateAttribute.name} != ${keyword(NOT_AN_ORDER)}`,
        input,
        'full',
      ),
    ),

  cancel: customerProcedure.input(cancelInputSchema).mutation(async ({ ctx, input }) => {
    await assertOwnOrder(ctx.temporal, ctx.customer, input.orderId);
    const handle = orderHandle(ctx.temporal, input.orderId);
    try {
      return forCustomer(await handle.executeUpdate(cancelUpdate, { args: [{ reason: input.reason }] }));
    } catch (error) {
      // Lost to a pick-up: the refusal names the driver, so it is told by the name the customer sees.
      const refusal = toTRPCError(error, ctx.log);
      if (refusal.code !== 'CONFLICT') throw refusal;
      const status = await handle.query(getStatusQuery).catch(() => undefined);
      throw refusalForCustomer(refusal, status?.driverName);
    }
  }),

  rate: customerProcedure.input(rateInputSchema).mutation(async ({ ctx, input }) => {
    await assertOwnOrder(ctx.temporal, ctx.customer, input.orderId);
    return forCustomer(
      await orderHandle(ctx.temporal, input.orderId).executeUpdate(rateUpdate, {
        args: [{ stars: input.stars, comment: input.comment }],
      }),
    );
  }),
});
