import { customerOrdersRouter } from './router/customer-orders';
import { driverDeliveriesRouter } from './router/driver-deliveries';
import { menuRouter } from './router/menu';
import { passRouter } from './router/pass';
import { rewardsRouter } from './router/rewards';
import { router } from './trpc';

/**
 * The menu app's API: the menu, and the signed-in customer's orders, rewards and delivery pass. No driver procedure
 * is reachable from it.
 */
export const customerAppRouter = router({
  menu: menuRouter,
  orders: customerOrdersRouter,
  rewards: rewardsRouter,
  pass: passRouter,
});

/** The driver app's API: deliveries only. */
export const driverAppRouter = router({
  deliveries: driverDeliveriesRouter,
});

export type CustomerAppRouter = typeof customerAppRouter;
export type DriverAppRouter = typeof driverAppRouter;
