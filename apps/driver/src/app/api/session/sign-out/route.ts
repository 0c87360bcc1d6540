import { sessionRoutes } from '../../../../server/accounts';

// The Sign out button's form: ends the session in the database, then the sign-in page.
export const POST = async (request: Request) => sessionRoutes().signOut(request);
