import { driverApiHandler } from '@durable-delivery/api/server';
import { appConfig } from '../../../../server/config';

// The driver API: every procedure needs the sealed driver cookie and acts as that driver.
const handle = (request: Request) => driverApiHandler(appConfig())(request);

export { handle as GET, handle as POST };
