import {
  DriverIdAttribute,
  OrderStateAttribute,
  deliverUpdate,
  orderWorkflowId,
  pickUpUpdate,
  type OrderState,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { orderRefSchema, pageInputSchema } from '../schemas';
import { listOrders, orderQuery } from '../order-list';
import { driverProcedure, router } from '../trpc';

const WAITING: OrderState = 'paid';
const ON_THE_WAY: OrderState = 'pickedUp';

// Drivers act as themselves: the driver id always comes from the signed-in identity, never from the request.
export const driverDeliveriesRouter = router({
  // Every driver sees the waiting list: the area and the dishes, never who ordered or their street (see listOrders).
  waiting: driverProcedure
    .input(pageInputSchema)
    .query(({ ctx, input }) =>
      listOrders(ctx.temporal, orderQuery({ [OrderStateAttribute.name]: WAITING }), input, 'area'),
    ),

  // The driver who picked an order up sees where and to whom it goes.
  mine: driverProcedure
    .input(pageInputSchema)
    .query(({ ctx, input }) =>
      listOrders(
        ctx.temporal,
        orderQuery({ [DriverIdAttribute.name]: ctx.driver.id, [OrderStateAttribute.name]: ON_THE_WAY }),
        input,
        'full',
      ),
    ),

  // The workflow's validator decides who wins a race for one order; the loser gets its reason as CONFLICT.
  pickUp: driverProcedure
    .input(orderRefSchema)
    .mutation(({ ctx, input }) =>
      ctx.temporal.workflow
        .getHandle<OrderWorkflow>(orderWorkflowId(input.orderId))
        .executeUpdate(pickUpUpdate, { args: [{ driverId: ctx.driver.id, driverName: ctx.driver.name }] }),
    ),

  deliver: driverProcedure
    .input(orderRefSchema)
    .mutation(({ ctx, input }) =>
      ctx.temporal.workflow
        .getHandle<OrderWorkflow>(orderWorkflowId(input.orderId))
        .executeUpdate(deliverUpdate, { args: [{ driverId: ctx.driver.id }] }),
    ),
});
