import { products } from '@durable-delivery/catalog';
import { publicProcedure, router } from '../trpc';

export const menuRouter = router({
  products: publicProcedure.query(() => products),
});
