import {
  DriverIdAttribute,
  OrderErrorType,
  OrderStateAttribute,
  deliverUpdate,
  getStatusQuery,
  orderWorkflowId,
  pickUpUpdate,
  shortOrderNumber,
  type OrderState,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { orderRefSchema, pageInputSchema } from '../schemas';
import { orderEnded } from '../errors';
import { listOrders, orderQuery, type OrderPage } from '../order-list';
import { orderEnding, type DriverAction } from '../order-ending';
import { driverProcedure, router, type Driver } from '../trpc';

const WAITING: OrderState = 'paid';
const ON_THE_WAY: OrderState = 'pickedUp';
/**
 * An order a driver holds stays on their board after it ends without being delivered (the customer's refund when
 * the delivery window closed, an operator's refund), until they acknowledge it: they are holding the food.
 */
const HELD: readonly OrderState[] = [ON_THE_WAY, 'refunding', 'refunded'];

// Drivers act as themselves: the driver id always comes from the signed-in identity, never from the request.
export const driverDeliveriesRouter = router({
  // Every driver sees the waiting list: the area and the dishes, never who ordered or their street (see listOrders).
  waiting: driverProcedure
    .input(pageInputSchema)
    .query(({ ctx, input }) =>
      listOrders(ctx.temporal, orderQuery({ [OrderStateAttribute.name]: WAITING }), input, 'area'),
    ),

  // The driver who picked an order up sees where and to whom it goes, and how it ended if it did.
  mine: driverProcedure.input(pageInputSchema).query(async ({ ctx, input }) => {
    const page = await listOrders(
      ctx.temporal,
      orderQuery({ [DriverIdAttribute.name]: ctx.driver.id, [OrderStateAttribute.name]: HELD }),
      input,
      'full',
    );
    return withEndings(ctx.temporal, page);
  }),

  // The workflow's validator decides who wins a race for one order; the loser gets its reason as CONFLICT.
  pickUp: driverProcedure
    .input(orderRefSchema)
    .mutation(({ ctx, input }) => act(ctx.temporal, ctx.driver, input.orderId, 'pickUp')),

  deliver: driverProcedure
    .input(orderRefSchema)
    .mutation(({ ctx, input }) => act(ctx.temporal, ctx.driver, input.orderId, 'deliver')),
});

const UPDATES = { pickUp: pickUpUpdate, deliver: deliverUpdate } as const;

/**
 * A driver's pick-up or delivery. An order that has ended refuses it in one of two ways: a closed workflow takes no
 * update at all (Temporal answers "not found", though the order exists), and one still refunding refuses in its
 * validator. Either way the driver is told which ending and when, read from the order's status (a closed order
 * still answers queries); only an order that does not exist is "not found".
 */
async function act(temporal: Client, driver: Driver, orderId: string, action: DriverAction) {
  const handle = temporal.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
  try {
    // The pick-up records the driver's display name: what the customer is told, never the account id.
    const args = action === 'pickUp' ? { driverId: driver.id, driverName: driver.name } : { driverId: driver.id };
    return await handle.executeUpdate(UPDATES[action], { args: [args] });
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError || isWrongState(error))) throw error;
    const status = await handle.query(getStatusQuery).catch(() => undefined);
    const ended = status ? orderEnding(status) : undefined;
    if (ended) throw orderEnded({ ...ended, action, orderNumber: shortOrderNumber(orderId) });
    throw error;
  }
}

function isWrongState(error: unknown): boolean {
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
  return failure instanceof ApplicationFailure && failure.type === OrderErrorType.wrongState;
}

/**
 * The ended orders on a driver's list, with which ending and when: one status query each, only for those (a driver
 * rarely holds more than one), so a list of orders on the way still costs one visibility call.
 */
async function withEndings(temporal: Client, page: OrderPage): Promise<OrderPage> {
  const orders = await Promise.all(
    page.orders.map(async (order) => {
      if (order.state === ON_THE_WAY) return order;
      const status = await temporal.workflow
        .getHandle<OrderWorkflow>(orderWorkflowId(order.orderId))
        .query(getStatusQuery)
        .catch(() => undefined);
      const ended = status ? orderEnding(status) : undefined;
      return ended ? { ...order, ended } : order;
    }),
  );
  return { ...page, orders };
}
