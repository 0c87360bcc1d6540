import type { CustomerAppRouter } from '@durable-delivery/api';
import { createTRPCReact } from '@trpc/react-query';

// Type-only import: the router's types reach the browser bundle, its code (and the Temporal client) never does.
export const trpc = createTRPCReact<CustomerAppRouter>();
