import type { CustomerAppRouter } from '@durable-delivery/api';
import { createTRPCReact } from '@trpc/react-query';
import type { inferRouterOutputs } from '@trpc/server';

// Type-only import: the router's types reach the browser bundle, its code (and the Temporal client) never does.
export const trpc = createTRPCReact<CustomerAppRouter>();

export type CustomerApiOutputs = inferRouterOutputs<CustomerAppRouter>;
