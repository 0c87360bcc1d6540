'use client';

import { createQueryClient } from '@durable-delivery/ui';
import { QueryClientProvider } from '@tanstack/react-query';
import { MAX_BATCH_CALLS } from '@durable-delivery/api/batch';
import { httpBatchLink } from '@trpc/client';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { trpc } from '../lib/trpc';

/**
 * Whether this page is signing out: the board stops refreshing, so no request of the session being ended races the
 * sign-out and comes back "signed out" on a page that is leaving anyway (see ./sign-out.tsx).
 */
const SigningOut = createContext<{ signingOut: boolean; startSigningOut: () => void }>({
  signingOut: false,
  startSigningOut: () => {},
});

export const useSigningOut = () => useContext(SigningOut);

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() =>
    trpc.createClient({ links: [httpBatchLink({ url: '/api/trpc', maxItems: MAX_BATCH_CALLS })] }),
  );
  const [signingOut, setSigningOut] = useState(false);
  const signingOutValue = useMemo(() => ({ signingOut, startSigningOut: () => setSigningOut(true) }), [signingOut]);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <SigningOut.Provider value={signingOutValue}>{children}</SigningOut.Provider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
