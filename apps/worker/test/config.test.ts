import { randomBytes } from 'node:crypto';
import { ConfigError, loadWorkerConfig } from '../src/config';

describe('worker configuration', () => {
  it('defaults to the local dev server, the orders task queue and no injected faults', () => {
    const config = loadWorkerConfig({});
    expect(config.connection.connectionOptions.address).toBe('127.0.0.1:7233');
    expect(config.connection.namespace).toBe('default');
    expect(config.taskQueue).toBe('orders');
    expect(config.payments).toEqual({ errorRate: 0, latencyMs: 0, timeoutMs: 10_000 });
    expect(config.workflowBundlePath).toMatch(/workflow-bundle\.js$/);
  });

  it('reads the connection from Temporal’s own environment variables, as for a cluster or Temporal Cloud', () => {
    const config = loadWorkerConfig({
      TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
    });
    expect(config.connection.connectionOptions.address).toBe('my-ns.a1b2c.tmprl.cloud:7233');
    expect(config.connection.namespace).toBe('my-ns.a1b2c');
    expect(config.connection.connectionOptions.apiKey).toBe('secret-key');
    // An API key implies TLS, as Temporal Cloud requires.
    expect(config.connection.connectionOptions.tls).toBeTruthy();
  });

  it('keeps at most 500 workflows in its cache unless told otherwise, and refuses a cache size that is not one', () => {
    expect(loadWorkerConfig({}).maxCachedWorkflows).toBe(500);
    expect(loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).maxCachedWorkflows).toBe(0);
    expect(() => loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('runs the prebuilt workflow bundle beside it, or the one WORKFLOW_BUNDLE_PATH names', () => {
    expect(loadWorkerConfig({}).workflowBundlePath).toMatch(/\/workflow-bundle\.js$/);
    expect(loadWorkerConfig({ WORKFLOW_BUNDLE_PATH: '/srv/bundle.js' }).workflowBundlePath).toBe('/srv/bundle.js');
  });

  it('parses durations and fault settings', () => {
    const config = loadWorkerConfig({
      WORKER_SHUTDOWN_GRACE_TIME: '30 seconds',
      PAYMENTS_ERROR_RATE: '0.25',
      NOTIFICATIONS_LATENCY_MS: '150',
    });
    expect(config.shutdownGraceTimeMs).toBe(30_000);
    expect(config.payments.errorRate).toBe(0.25);
    expect(config.notifications.latencyMs).toBe(150);
  });

  it('uses the payment service when PAYMENTS_URL is set, and refuses a URL that is not http(s)', () => {
    const config = loadWorkerConfig({
      PAYMENTS_URL: 'http://127.0.0.1:4010',
      PAYMENTS_API_KEY: 'a-key-of-sixteen-chars',
      PAYMENTS_TIMEOUT: '3s',
    });
    expect(config.payments).toMatchObject({
      url: 'http://127.0.0.1:4010',
      apiKey: 'a-key-of-sixteen-chars',
      timeoutMs: 3_000,
    });
    expect(() => loadWorkerConfig({ PAYMENTS_URL: 'ftp://payments' })).toThrow(
      /PAYMENTS_URL: must be an http\(s\) URL/,
    );
  });

  it('requires each service’s key with its URL: the services answer no caller without one', () => {
    expect(() => loadWorkerConfig({ PAYMENTS_URL: 'http://127.0.0.1:4010' })).toThrow(
      /PAYMENTS_API_KEY: is required with PAYMENTS_URL/,
    );
    expect(() => loadWorkerConfig({ NOTIFICATIONS_URL: 'http://127.0.0.1:4020' })).toThrow(
      /NOTIFICATIONS_API_KEY: is required with NOTIFICATIONS_URL/,
    );
  });

  it('keeps the SDK’s metrics endpoint on loopback, and reads the metrics token and allowed hosts', () => {
    expect(() => loadWorkerConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464' })).toThrow(
      /WORKER_METRICS_ADDRESS: must be a loopback address/,
    );
    expect(loadWorkerConfig({ WORKER_METRICS_ADDRESS: '127.0.0.1:9999' }).metricsAddress).toBe('127.0.0.1:9999');
    expect(loadWorkerConfig({ METRICS_TOKEN: 'a-metrics-token-0123', WORKER_ALLOWED_HOSTS: 'worker' })).toMatchObject({
      metricsToken: 'a-metrics-token-0123',
      allowedHosts: 'worker',
    });
  });

  it('names every invalid variable in one error', () => {
    const load = () => loadWorkerConfig({ PAYMENTS_ERROR_RATE: 'lots', WORKER_SHUTDOWN_GRACE_TIME: 'forever' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /PAYMENTS_ERROR_RATE[\s\S]*WORKER_SHUTDOWN_GRACE_TIME|WORKER_SHUTDOWN_GRACE_TIME[\s\S]*PAYMENTS_ERROR_RATE/,
    );
  });

  it('encrypts with the first of PAYLOAD_ENCRYPTION_KEYS, and refuses to start in production without keys', () => {
    const keys = `2026-12=${randomBytes(32).toString('base64')},2026-06=${randomBytes(32).toString('base64')}`;
    const config = loadWorkerConfig({ PAYLOAD_ENCRYPTION_KEYS: keys });
    expect(config.encryption.encryptingKeyId).toBe('2026-12');
    expect(config.encryption.dataConverter.payloadCodecs).toHaveLength(1);
    expect(loadWorkerConfig({}).encryption.encryptingKeyId).toBeUndefined();
    expect(() => loadWorkerConfig({ NODE_ENV: 'production' })).toThrow(
      /^Invalid worker environment:\n {2}PAYLOAD_ENCRYPTION_KEYS: is required in production/,
    );
    expect(() => loadWorkerConfig({ PAYLOAD_ENCRYPTION_KEYS: 'k=c2hvcnQ=' })).toThrow(
      /PAYLOAD_ENCRYPTION_KEYS: key "k" is 5 bytes; AES-256 needs exactly 32/,
    );
  });

  it('is unversioned unless TEMPORAL_WORKER_BUILD_ID names its build, in the durable-delivery deployment by default', () => {
    expect(loadWorkerConfig({}).versioning).toBeUndefined();
    expect(loadWorkerConfig({ TEMPORAL_WORKER_BUILD_ID: '' }).versioning).toBeUndefined();
    expect(loadWorkerConfig({ TEMPORAL_WORKER_BUILD_ID: '3a27841' }).versioning).toEqual({
      deploymentName: 'durable-delivery',
      buildId: '3a27841',
      promote: false,
    });
    expect(
      loadWorkerConfig({
        TEMPORAL_WORKER_BUILD_ID: 'v1.4.0+3a27841',
        TEMPORAL_WORKER_DEPLOYMENT: 'orders-eu',
        TEMPORAL_WORKER_PROMOTE: 'true',
      }).versioning,
    ).toEqual({ deploymentName: 'orders-eu', buildId: 'v1.4.0+3a27841', promote: true });
  });

  it('refuses a build id or deployment name the server would refuse, and a promotion with no build to promote', () => {
    for (const buildId of ['__reserved', 'has space', 'x'.repeat(129)]) {
      expect(() => loadWorkerConfig({ TEMPORAL_WORKER_BUILD_ID: buildId })).toThrow(
        /TEMPORAL_WORKER_BUILD_ID: must be 1-128 letters, digits/,
      );
    }
    for (const name of ['durable.delivery', 'durable:delivery', '__deployment']) {
      expect(() => loadWorkerConfig({ TEMPORAL_WORKER_BUILD_ID: 'b1', TEMPORAL_WORKER_DEPLOYMENT: name })).toThrow(
        /TEMPORAL_WORKER_DEPLOYMENT: must be 1-128 letters, digits, "_" or "-".*\(no "\." or ":"\)/,
      );
    }
    expect(() => loadWorkerConfig({ TEMPORAL_WORKER_BUILD_ID: 'b1', TEMPORAL_WORKER_PROMOTE: 'yes' })).toThrow(
      /TEMPORAL_WORKER_PROMOTE: must be true or false/,
    );
    expect(() => loadWorkerConfig({ TEMPORAL_WORKER_PROMOTE: 'true' })).toThrow(
      /TEMPORAL_WORKER_PROMOTE: needs TEMPORAL_WORKER_BUILD_ID/,
    );
  });

  it('refuses to start in production without a build id: the order carries no patches, so a running order must stay on its build', () => {
    const production = { NODE_ENV: 'production', PAYLOAD_ENCRYPTION_KEYS: `k=${randomBytes(32).toString('base64')}` };
    expect(() => loadWorkerConfig(production)).toThrow(
      /^Invalid worker environment:\n {2}TEMPORAL_WORKER_BUILD_ID: is required in production/,
    );
    expect(loadWorkerConfig({ ...production, TEMPORAL_WORKER_BUILD_ID: 'b1' }).versioning?.buildId).toBe('b1');
  });
});
