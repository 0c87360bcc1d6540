import { ports } from '@durable-delivery/ports';
import { parseEncryptionKeys, ENCRYPTION_KEYS_VARIABLE, type Keyring } from '@durable-delivery/codec';
import { allowedHosts } from '@durable-delivery/service-kit';
import { z } from 'zod';

export interface CodecServerConfig {
  readonly host: string;
  readonly port: number;
  /** What operators present: `Authorization: Bearer <token>` (the CLI), or once on the sign-in page (the Web UI). */
  readonly token: string;
  readonly keyring: Keyring;
  /** Browser origins allowed to call /encode and /decode (with credentials): the Temporal Web UI's. */
  readonly allowedOrigins: readonly string[];
  readonly secureCookies: boolean;
  /** The host names it answers for: loopback, its bind host and CODEC_SERVER_ALLOWED_HOSTS (DNS rebinding). */
  readonly allowedHosts: ReadonlySet<string>;
}

/** The dev server's Web UI, as `pnpm dev` runs it; both host names, since an operator may type either. */
export const DEFAULT_ALLOWED_ORIGINS = [`http://127.0.0.1:${ports.temporalUi}`, `http://localhost:${ports.temporalUi}`];

const originSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}, 'each entry must be an origin like http://127.0.0.1:8233 (scheme, host and port; no path, no trailing slash)');

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  // Loopback by default: whoever can reach this port and holds the token reads every order's payloads.
  CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce
    .number()
    .int()
    .min(0, 'must be a port number')
    .max(65535, 'must be a port number')
    .default(ports.codecServer),
  CODEC_SERVER_TOKEN: z
    .string({ error: 'is required (at least 32 characters; e.g. `openssl rand -base64 32`)' })
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
  CODEC_SERVER_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((origin) => origin.trim()) : DEFAULT_ALLOWED_ORIGINS))
    .pipe(z.array(originSchema).min(1)),
  CODEC_SERVER_ALLOWED_HOSTS: z.string().optional(),
  CODEC_SERVER_COOKIE_SECURE: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional(),
  [ENCRYPTION_KEYS_VARIABLE]: z
    .string({ error: 'is required: the codec server decrypts with these keys' })
    .trim()
    .min(1, 'is required: the codec server decrypts with these keys'),
});

/** The codec server's configuration, checked once at start: a bad variable stops it with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${issue.path.slice(0, 1).join('.')}: ${issue.message}`);
  let keyring: Keyring | undefined;
  if (parsed.success) {
    try {
      keyring = parseEncryptionKeys(parsed.data[ENCRYPTION_KEYS_VARIABLE]);
    } catch (error) {
      problems.push(`  ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!parsed.success || !keyring || problems.length > 0) {
    throw new Error(`Invalid codec server environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data;
  return {
    host: vars.CODEC_SERVER_HOST,
    port: vars.CODEC_SERVER_PORT,
    token: vars.CODEC_SERVER_TOKEN,
    keyring,
    allowedOrigins: vars.CODEC_SERVER_CORS_ORIGINS,
    allowedHosts: allowedHosts(vars.CODEC_SERVER_HOST, vars.CODEC_SERVER_ALLOWED_HOSTS),
    secureCookies: vars.CODEC_SERVER_COOKIE_SECURE
      ? vars.CODEC_SERVER_COOKIE_SECURE === 'true'
      : vars.NODE_ENV === 'production',
  };
}
