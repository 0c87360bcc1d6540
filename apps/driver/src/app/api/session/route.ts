import { sessionRoutes } from '../../../server/accounts';

// Signs a driver in (the sign-in form, with or without JavaScript); sign-out is ./sign-out.
export const POST = async (request: Request) => sessionRoutes().signIn(request);
