'use client';

import { Notice } from '@durable-delivery/ui';
import { useState, type FormEvent } from 'react';

interface SignInError {
  readonly message: string;
  readonly fieldErrors?: Record<string, string[]>;
}

export function SignInForm() {
  const [error, setError] = useState<SignInError>();
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
        body: JSON.stringify({ name: form.get('name'), passcode: form.get('passcode') }),
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
    <form className="card stack" onSubmit={(event) => void submit(event)} noValidate>
      {error ? <Notice tone="error">{error.message}</Notice> : null}
      <div className="field">
        <label htmlFor="name">Driver name</label>
        <input
          id="name"
          name="name"
          autoComplete="username"
          required
          aria-invalid={fieldError('name') ? true : undefined}
          aria-describedby="name-hint"
        />
        <span id="name-hint" className={fieldError('name') ? 'field-error' : 'field-hint'}>
          {fieldError('name') ?? 'Letters, digits, "-" and "_".'}
        </span>
      </div>
      <div className="field">
        <label htmlFor="passcode">Passcode</label>
        <input
          id="passcode"
          name="passcode"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={fieldError('passcode') ? true : undefined}
          aria-describedby={fieldError('passcode') ? 'passcode-error' : undefined}
        />
        {fieldError('passcode') ? (
          <span id="passcode-error" className="field-error">
            {fieldError('passcode')}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
