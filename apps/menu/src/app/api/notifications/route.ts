import { notificationStreamHandler } from '@durable-delivery/api/server';
import { appConfig } from '../../../server/config';

// A stream: never cached, never prerendered.
export const dynamic = 'force-dynamic';

export const GET = (request: Request) => notificationStreamHandler(appConfig())(request);
