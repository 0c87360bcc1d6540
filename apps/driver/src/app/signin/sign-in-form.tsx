'use client';

import { Notice } from '@durable-delivery/ui';
import { useState, type FormEvent } from 'react';

interface SignInError {
  readonly message: string;
  readonly fieldErrors?: Record<string, string[]>;
}

/**
 * A real form: `method="post"` to /api/session, so it signs in before the page hydrates or with JavaScript off
 * (the password goes in the request body, never the URL). Once hydrated, it posts JSON itself and shows the answer
 * in place.
 */
export function SignInForm({ initialError, initialUsername }: { initialError?: string; initialUsername: string }) {
  const [error, setError] = useState<SignInError | undefined>(initialError ? { message: initialError } : undefined);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    try {
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      if (response.ok) {
        window.location.assign('/');
        return;
      }
      setError((await response.json()) as SignInError);
    } catch {
      setError({ message: 'Cannot reach the server. Check your connection and try again.' });
    }
    setPending(false);
  }

  const fieldError = (name: string) => error?.fieldErrors?.[name]?.join(', ');
  return (
    <form
      className="card stack"
      method="post"
      action="/api/session"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      {error ? <Notice tone="error">{error.message}</Notice> : null}
      <div className="field">
        <label htmlFor="username">Username</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          defaultValue={initialUsername}
          aria-invalid={fieldError('username') ? true : undefined}
          aria-describedby={fieldError('username') ? 'username-error' : undefined}
        />
        {fieldError('username') ? (
          <span id="username-error" className="field-error">
            {fieldError('username')}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={fieldError('password') ? true : undefined}
          aria-describedby={fieldError('password') ? 'password-error' : undefined}
        />
        {fieldError('password') ? (
          <span id="password-error" className="field-error">
            {fieldError('password')}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
