import { menuApiHandler } from '@durable-delivery/api/server';
import { appConfig } from '../../../../server/config';

// The customer API. Who the customer is comes from the sealed cookie (see src/proxy.ts), never from the request body.
const handle = (request: Request) => menuApiHandler(appConfig())(request);

export { handle as GET, handle as POST };
