import { sessionRoutes } from '../../../server/accounts';

// POST signs a driver in (the sign-in form, with or without JavaScript); DELETE signs out (ends the session).
export const POST = async (request: Request) => (await sessionRoutes()).POST(request);
export const DELETE = async (request: Request) => (await sessionRoutes()).DELETE(request);
