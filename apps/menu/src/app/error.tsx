'use client';

import { Notice } from '@durable-delivery/ui';

// A render error anywhere below the layout: say so, offer a retry, and show no internals.
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
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
