import { operationsHandlers } from '@durable-delivery/api/server';
import { appConfig } from '../../../server/config';

// For operators and probes (see docs/observability.md): never cached, never prerendered.
export const dynamic = 'force-dynamic';

export const GET = operationsHandlers(appConfig).healthz;
