// The stack's variables for `npm run dev` and `npm start` (run.mjs): Node only, like run.mjs, which runs before any
// dependency is installed.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The stack's secrets for a run on this machine, from the environment when set. Otherwise each is made once, at
 * random, into .data/ (ignored by git; never a value written in the repository), so sessions survive a restart and
 * orders written yesterday still decrypt today: the session secret, the payload encryption key (one key, id
 * `local`), the codec server's token, the services' API keys and the metrics token. Everything under .data/ is the
 * owner's only (ownerOnlyData). Driver accounts live in .data/accounts/accounts.db unless ACCOUNTS_DATABASE_URL says
 * otherwise; the secret that signs their session cookies (ACCOUNTS_SECRET) is made into .data/ for `npm run dev`
 * only: in production (`npm start`) there is no development secret, and without one from the environment this
 * says why and answers undefined (the command exits 1 before starting anything).
 *
 * @param {'development' | 'production'} mode
 * @param {{ root: string, ports: Record<string, number>, env?: NodeJS.ProcessEnv, log?: (line: string) => void, error?: (line: string) => void }} where
 */
export function localAppEnv(mode, { root, ports, env: given = process.env, log = console.log, error = console.error }) {
  ownerOnlyData(join(root, '.data'));
  const secret = (name, make) => localSecret(root, name, make);
  const env = { ...given };
  env.SESSION_SECRET ||= secret('session-secret', () => randomBytes(32).toString('base64'));
  env.PAYLOAD_ENCRYPTION_KEYS ||= secret(
    'payload-encryption-keys',
    () => `local=${randomBytes(32).toString('base64')}`,
  );
  env.CODEC_SERVER_TOKEN ||= secret('codec-server-token', () => randomBytes(32).toString('base64url'));
  // The services refuse every caller without their key; the worker and the menu's relay present it. Prometheus
  // presents the metrics token to every /metrics and /api/metrics.
  env.PAYMENTS_API_KEY ||= secret('payments-api-key', () => randomBytes(32).toString('base64url'));
  env.NOTIFICATIONS_API_KEY ||= secret('notifications-api-key', () => randomBytes(32).toString('base64url'));
  env.METRICS_TOKEN ||= secret('metrics-token', () => randomBytes(32).toString('base64url'));
  // The worker charges and notifies through the services the same command starts; the menu relays notifications.
  env.PAYMENTS_URL ??= `http://127.0.0.1:${ports.payments}`;
  env.NOTIFICATIONS_URL ??= `http://127.0.0.1:${ports.notifications}`;
  // The dev server's Web UI decodes payloads through the codec server this command starts.
  env.TEMPORAL_DEV_UI_CODEC_ENDPOINT ??= `http://127.0.0.1:${env.CODEC_SERVER_PORT || ports.codecServer}`;
  log(
    `Payloads are encrypted (key in .data/payload-encryption-keys). To read them in the Web UI, sign in at ` +
      `${env.TEMPORAL_DEV_UI_CODEC_ENDPOINT} with the token in .data/codec-server-token (see docs/security.md, "Payload encryption").`,
  );
  Object.assign(env, accountsStore(root, given));
  if (mode === 'production') {
    if (!env.ACCOUNTS_SECRET || env.ACCOUNTS_SECRET.length < 32) {
      error(
        'npm start needs ACCOUNTS_SECRET (at least 32 characters, e.g. `openssl rand -base64 32`): it signs the ' +
          "drivers' session cookies. Set it in the environment; no development secret is used in production.",
      );
      return undefined;
    }
  } else {
    env.ACCOUNTS_SECRET ||= secret('accounts-secret', () => randomBytes(32).toString('base64'));
  }
  return env;
}

/** The driver accounts' store: ACCOUNTS_DATABASE_URL when set, else the project's SQLite file in .data/. */
export function accountsStore(root, env = process.env) {
  return { ACCOUNTS_DATABASE_URL: env.ACCOUNTS_DATABASE_URL || join(root, '.data/accounts/accounts.db') };
}

/** A secret kept in .data/<name> (mode 600), made by `make` on first use. */
function localSecret(root, name, make) {
  const file = join(root, '.data', name);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, make(), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * .data/ holds secrets, the ledger, inboxes and every order's history: readable by its owner only. What this
 * project creates there is made so (files 0600, folders 0700); this tightens what older versions left open.
 */
function ownerOnlyData(dir) {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) ownerOnlyData(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}
