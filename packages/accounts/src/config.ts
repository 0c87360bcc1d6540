import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Where driver accounts live and what seals their session cookies. Read from the environment once per process; a
 * bad variable stops with a message naming it.
 */
export interface AccountsConfig {
  readonly store: AccountsStore;
  /** Signs the session cookie (Better Auth's secret); at least 32 characters, from the environment only. */
  readonly secret: string;
  /** Whether the session cookie is sent over HTTPS only. */
  readonly secureCookies: boolean;
}

/** An embedded SQLite file (the default), or a PostgreSQL database. */
export type AccountsStore =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

export class AccountsConfigError extends Error {
  override readonly name = 'AccountsConfigError';
}

const SECRET_HINT = 'at least 32 characters; e.g. `openssl rand -base64 32`';

const accountsEnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  ACCOUNTS_DATABASE_URL: z
    .string({ error: 'is required: a SQLite file path (e.g. .data/accounts/accounts.db) or a postgres:// URL' })
    .trim()
    .min(1, 'is required: a SQLite file path (e.g. .data/accounts/accounts.db) or a postgres:// URL'),
  ACCOUNTS_SECRET: z
    .string({ error: `is required (${SECRET_HINT})` })
    .min(32, `must be ${SECRET_HINT}`)
    .optional(),
  COOKIE_SECURE: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional(),
});

/**
 * The accounts configuration. `ACCOUNTS_DATABASE_URL` is a `postgres://` (or `postgresql://`) URL, or a SQLite file
 * path (absolute, or from the working directory; a `file:` prefix is allowed). `ACCOUNTS_SECRET` is required where
 * cookies are sealed (the driver app); the operators' command seals nothing and runs without one.
 */
export function loadAccountsConfig(
  env: NodeJS.ProcessEnv = process.env,
  { needsSecret = true }: { needsSecret?: boolean } = {},
): AccountsConfig {
  const parsed = accountsEnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  if (needsSecret && !env.ACCOUNTS_SECRET) {
    problems.push(`  ACCOUNTS_SECRET: is required (${SECRET_HINT})`);
  }
  if (!parsed.success || problems.length) {
    throw new AccountsConfigError(`Invalid accounts environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data;
  return {
    store: storeOf(vars.ACCOUNTS_DATABASE_URL),
    // Only the operators' command gets here without a secret: it signs nothing, so a throwaway one will do.
    secret: vars.ACCOUNTS_SECRET ?? randomBytes(32).toString('base64'),
    secureCookies: vars.COOKIE_SECURE ? vars.COOKIE_SECURE === 'true' : vars.NODE_ENV === 'production',
  };
}

export function storeOf(url: string): AccountsStore {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const path = url.replace(/^file:/, '');
  return { kind: 'sqlite', file: isAbsolute(path) ? path : resolve(path) };
}
