import { customerOrdersRouter } from './router/customer-orders';
import { driverDeliveriesRouter } from './router/driver-deliveries';
import { menuRouter } from './router/menu';
import { router } from './trpc';

/** The menu app's API: the menu and the signed-in customer's orders. No driver procedure is reachable from it. */
export const customerAppRouter = router({
  menu: menuRouter,
  orders: customerOrdersRouter,
});

/** The driver app's API: deliveries only. */
export const driverAppRouter = router({
  deliveries: driverDeliveriesRouter,
});

export type CustomerAppRouter = typeof customerAppRouter;
export type DriverAppRouter = typeof driverAppRouter;
