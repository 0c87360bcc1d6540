'use client';

import { Notice } from './notice';

/** A render error below an app's layout (its error.tsx): say so, offer a retry, show no internals. */
export function ErrorScreen({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="stack">
      <h1>Something went wrong</h1>
      <Notice tone="error">This page could not be shown. Please try again.</Notice>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
