import { driverApiHandler } from '@durable-delivery/api/server';
import { driverOf } from '../../../../server/accounts';
import { appConfig } from '../../../../server/config';

// The driver API: every procedure needs a live driver session (looked up in the database) and acts as that driver.
const handle = (request: Request) => driverApiHandler(appConfig(), driverOf)(request);

export { handle as GET, handle as POST };
