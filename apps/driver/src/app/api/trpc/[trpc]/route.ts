import { driverApiHandler } from '@durable-delivery/api/server';
import { driverOf, whileAccountsDown } from '../../../../server/accounts';
import { appConfig } from '../../../../server/config';

// The driver API: every procedure needs a live driver session (looked up in the database) and acts as that driver;
// while the accounts database does not answer, a 503 in tRPC's error shape (the proxy answers most of those first).
const handle = (request: Request) => whileAccountsDown(request, () => driverApiHandler(appConfig(), driverOf)(request));

export { handle as GET, handle as POST };
