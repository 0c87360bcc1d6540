import type { APIRequestContext, Browser } from '@playwright/test';
import { newPerson, signInDriver } from '../harness/app';

/**
 * The signed-in people the fuzz calls as. Driver sign-in is the one thing here that changes with driver accounts:
 * this is the only place the fuzz signs a driver in, through the harness's own signInDriver.
 */
export async function signedInDriver(browser: Browser, baseURL: string): Promise<Session> {
  const { context, page } = await newPerson(browser, baseURL);
  await signInDriver(page, 'fuzz-driver');
  await page.close();
  return { request: context.request, close: () => context.close() };
}

/** A customer as the menu makes one: the first visit gets the sealed customer cookie. */
export async function signedInCustomer(browser: Browser, baseURL: string): Promise<Session> {
  const { context, page } = await newPerson(browser, baseURL);
  await page.close();
  const visit = await context.request.get('/');
  if (!visit.ok()) throw new Error(`the menu answered ${visit.status()} to a first visit`);
  return { request: context.request, close: () => context.close() };
}

export interface Session {
  readonly request: APIRequestContext;
  readonly close: () => Promise<void>;
}
