/**
 * config/temporal.example.toml's profiles, loaded the way the worker and the apps load their connection: the same
 * build reaches the dev server, a self-hosted cluster with mTLS or Temporal Cloud with an API key, by configuration.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { loadTemporalConnection } from '../src';

const SAMPLE = readFileSync(resolve(__dirname, '../../../config/temporal.example.toml'), 'utf8');
const dir = tempDir('profiles-');
const pem = (name: string) => `-----BEGIN ${name}-----\nZHVyYWJsZS1kZWxpdmVyeQ==\n-----END ${name}-----\n`;
const files = { 'client.pem': pem('CERTIFICATE'), 'client.key': pem('PRIVATE KEY'), 'ca.pem': pem('CERTIFICATE') };
for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
// The sample names where a deployment mounts its certificates; here they are temporary files.
const configFile = join(dir, 'temporal.toml');
writeFileSync(configFile, SAMPLE.split('/etc/durable-delivery/tls/').join(`${dir}/`));

const withProfile = (profile: string, env: Record<string, string> = {}) =>
  loadTemporalConnection({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: profile, ...env });

describe('connection profiles from config/temporal.example.toml', () => {
  it('reaches the local dev server with the local profile, as with no configuration at all', () => {
    const local = withProfile('local');
    expect(local.namespace).toBe('default');
    expect(local.connectionOptions).toMatchObject({ address: '127.0.0.1:7233' });
    expect(local.connectionOptions.tls).toBeUndefined();
    expect(loadTemporalConnection({}).connectionOptions.address).toBe('127.0.0.1:7233');
  });

  it('presents a client certificate and checks the server against its CA with the self-hosted profile', () => {
    const selfHosted = withProfile('selfhosted');
    expect(selfHosted.namespace).toBe('durable-delivery');
    expect(selfHosted.connectionOptions.address).toBe('temporal-frontend.internal.example.com:7233');
    expect(selfHosted.connectionOptions.tls).toEqual({
      serverNameOverride: 'temporal-frontend.internal.example.com',
      serverRootCACertificate: Buffer.from(files['ca.pem']),
      clientCertPair: { crt: Buffer.from(files['client.pem']), key: Buffer.from(files['client.key']) },
    });
  });

  it('connects to Temporal Cloud with the API key from the environment, over TLS', () => {
    const cloud = withProfile('cloud', { TEMPORAL_API_KEY: 'test-api-key-not-a-secret' });
    expect(cloud.namespace).toBe('durable-delivery.a1b2c');
    expect(cloud.connectionOptions).toMatchObject({
      address: 'durable-delivery.a1b2c.tmprl.cloud:7233',
      apiKey: 'test-api-key-not-a-secret',
      tls: true,
    });
  });

  it('refuses Temporal Cloud without an API key or a client certificate, naming what is missing', () => {
    expect(() => withProfile('cloud')).toThrow(
      'durable-delivery.a1b2c.tmprl.cloud:7233 is Temporal Cloud, which needs TEMPORAL_API_KEY or an mTLS client certificate',
    );
  });

  it('lets an environment variable override the profile, as Temporal’s own tools do', () => {
    expect(withProfile('selfhosted', { TEMPORAL_NAMESPACE: 'staging' }).namespace).toBe('staging');
  });

  it('names the problem when a profile does not exist', () => {
    expect(() => withProfile('nope')).toThrow(/Invalid Temporal connection settings: .*nope/);
  });
});
