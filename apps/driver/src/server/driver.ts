import 'server-only';
import { headers } from 'next/headers';
import { cache } from 'react';
import { driverOf } from './accounts';

/**
 * The signed-in driver, for server components; undefined when there is none (no live session in the database).
 * Once per request: the layout and the page both ask.
 */
export const signedInDriver = cache(async (): Promise<{ id: string; name: string } | undefined> =>
  driverOf(await headers()),
);
