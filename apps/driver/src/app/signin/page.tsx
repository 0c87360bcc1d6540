import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { signedInDriver } from '../../server/driver';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  if (await signedInDriver()) redirect('/');
  return (
    <section className="narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">Driver sign-in</h1>
      <SignInForm />
    </section>
  );
}
