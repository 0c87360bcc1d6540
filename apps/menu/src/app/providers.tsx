'use client';

import { createQueryClient } from '@durable-delivery/ui';
import { QueryClientProvider } from '@tanstack/react-query';
import { MAX_BATCH_CALLS } from '@durable-delivery/api/batch';
import { httpBatchLink } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import { LiveNotificationsProvider } from '../lib/live-notifications';
import { trpc } from '../lib/trpc';

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() =>
    trpc.createClient({ links: [httpBatchLink({ url: '/api/trpc', maxItems: MAX_BATCH_CALLS })] }),
  );
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <LiveNotificationsProvider>{children}</LiveNotificationsProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
