import { QueryClient } from '@tanstack/react-query';
import { isClientError } from './errors';

/** Both apps' TanStack Query defaults. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // A 4xx is an answer (signed out, not found, invalid), not a hiccup: retrying only delays the message.
      queries: { retry: (failures, error) => failures < 2 && !isClientError(error) },
      // A retried mutation could act twice; the user decides, with the error in front of them.
      mutations: { retry: false },
    },
  });
}
