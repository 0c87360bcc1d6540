import { driverSessionHandlers } from '@durable-delivery/api/server';
import { appConfig } from '../../../server/config';

// POST { name, passcode } signs a driver in; DELETE signs out.
export const POST = (request: Request) => driverSessionHandlers(appConfig()).POST(request);
export const DELETE = (request: Request) => driverSessionHandlers(appConfig()).DELETE(request);
