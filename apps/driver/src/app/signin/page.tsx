import { SIGN_IN_MESSAGES, waitText, type SignInErrorCode } from '@durable-delivery/accounts';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { signedInDriver } from '../../server/driver';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

type Query = Record<string, string | string[] | undefined>;

/**
 * The sign-in form. Without JavaScript (or before the page hydrates) it posts itself to /api/session, which
 * redirects here with `?error=<code>` (and the username typed, never the password) when sign-in fails.
 */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Query> }) {
  if (await signedInDriver()) redirect('/');
  const query = await searchParams;
  const code = one(query.error);
  const retryAfter = Number(one(query.retryAfter));
  const message =
    code && code in SIGN_IN_MESSAGES
      ? code === 'throttled' && retryAfter > 0
        ? `Too many failed sign-ins. Try again in ${waitText(retryAfter)}.`
        : SIGN_IN_MESSAGES[code as SignInErrorCode]
      : undefined;
  return (
    <section className="narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Driver sign-in</h1>
      <SignInForm initialError={message} initialUsername={one(query.username) ?? ''} />
    </section>
  );
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
