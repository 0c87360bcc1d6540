'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useSigningOut } from './providers';

/** How long signing out waits for requests already on their way before it posts anyway (one stuck request must not
 * keep a driver signed in). */
const SETTLE_BOUND_MS = 10_000;

/**
 * A plain form, so it works before the page hydrates (and without JavaScript), and the full page load that follows
 * leaves no list cached from the signed-in session. Once hydrated, it first stops the board's refreshes and waits for
 * any request still on its way: one the server read after the session ended would answer 401 on the page as it
 * leaves (a "session ended" flash and a failed request in the console).
 */
export function SignOut() {
  const queryClient = useQueryClient();
  const { signingOut, startSigningOut } = useSigningOut();
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!signingOut) return;
    let posted = false;
    const post = () => {
      if (posted) return;
      posted = true;
      form.current?.submit(); // submit() skips onSubmit: this is the post itself.
    };
    const postIfSettled = () => {
      if (queryClient.isFetching() === 0 && queryClient.isMutating() === 0) post();
    };
    const unsubscribe = [
      queryClient.getQueryCache().subscribe(postIfSettled),
      queryClient.getMutationCache().subscribe(postIfSettled),
    ];
    const bound = setTimeout(post, SETTLE_BOUND_MS);
    postIfSettled();
    return () => {
      for (const stop of unsubscribe) stop();
      clearTimeout(bound);
    };
  }, [signingOut, queryClient]);

  return (
    <form
      ref={form}
      method="post"
      action="/api/session/sign-out"
      onSubmit={(event) => {
        event.preventDefault();
        startSigningOut();
      }}
    >
      <button type="submit" className="button button-secondary button-small" disabled={signingOut}>
        {signingOut ? 'Signing out…' : 'Sign out'}
      </button>
    </form>
  );
}
