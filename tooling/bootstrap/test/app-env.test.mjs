// The variables `npm run dev` and `npm start` give the stack (app-env.mjs), in a scratch project folder: secrets
// made locally for development, and no development secret in production.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { localAppEnv } from '../app-env.mjs';

// Any ports: these tests start nothing.
const ports = { payments: 1, notifications: 2, codecServer: 3 };
let root;
let said;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'app-env-'));
  said = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const appEnv = (mode, env) =>
  localAppEnv(mode, { root, ports, env, log: () => undefined, error: (line) => said.push(line) });

describe('npm start (production)', () => {
  it('refuses to start without ACCOUNTS_SECRET, saying why, and makes no development secret for it', () => {
    assert.equal(appEnv('production', { PATH: '/usr/bin' }), undefined);
    assert.equal(said.length, 1);
    assert.match(said[0], /^npm start needs ACCOUNTS_SECRET \(at least 32 characters/);
    assert.throws(() => statSync(join(root, '.data', 'accounts-secret')), { code: 'ENOENT' });
  });

  it('refuses a secret too short to sign anything', () => {
    assert.equal(appEnv('production', { ACCOUNTS_SECRET: 'short' }), undefined);
    assert.match(said[0], /ACCOUNTS_SECRET/);
  });

  it('starts with the secret from the environment, used as given', () => {
    const secret = 'p'.repeat(40);
    const env = appEnv('production', { ACCOUNTS_SECRET: secret });
    assert.equal(env.ACCOUNTS_SECRET, secret);
    assert.deepEqual(said, []);
  });
});

describe('npm run dev (development)', () => {
  it('makes each secret once into .data/, owner-only, and reuses it on the next run', () => {
    const first = appEnv('development', {});
    const second = appEnv('development', {});
    for (const name of [
      'SESSION_SECRET',
      'ACCOUNTS_SECRET',
      'PAYMENTS_API_KEY',
      'NOTIFICATIONS_API_KEY',
      'METRICS_TOKEN',
    ]) {
      assert.ok(first[name].length >= 32, `${name} is long enough`);
      assert.equal(second[name], first[name], `${name} survives a restart`);
    }
    assert.equal(readFileSync(join(root, '.data', 'accounts-secret'), 'utf8'), first.ACCOUNTS_SECRET);
    assert.equal(statSync(join(root, '.data', 'accounts-secret')).mode & 0o777, 0o600);
    assert.equal(statSync(join(root, '.data')).mode & 0o777, 0o700);
    assert.notEqual(first.SESSION_SECRET, first.ACCOUNTS_SECRET);
    assert.equal(first.ACCOUNTS_DATABASE_URL, join(root, '.data/accounts/accounts.db'));
  });

  it('takes what the environment sets over anything in .data/', () => {
    const env = appEnv('development', { SESSION_SECRET: 's'.repeat(32), ACCOUNTS_DATABASE_URL: 'postgres://db/x' });
    assert.equal(env.SESSION_SECRET, 's'.repeat(32));
    assert.equal(env.ACCOUNTS_DATABASE_URL, 'postgres://db/x');
  });
});
