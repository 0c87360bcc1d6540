'use client';

import { useState } from 'react';

export function SignOut() {
  const [pending, setPending] = useState(false);
  async function signOut() {
    setPending(true);
    await fetch('/api/session', { method: 'DELETE' });
    // A full load, so no cached list from the signed-in session survives.
    window.location.assign('/signin');
  }
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      disabled={pending}
      onClick={() => void signOut()}
    >
      Sign out
    </button>
  );
}
