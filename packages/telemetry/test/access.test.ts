import { allowedHosts, bearerCheck, hostAllowed } from '../src';

describe('bearerCheck', () => {
  it('matches the exact bearer secret only, and nothing at all without a secret', () => {
    const matches = bearerCheck('a-secret-of-some-length');
    expect(matches('Bearer a-secret-of-some-length')).toBe(true);
    for (const header of [
      undefined,
      null,
      '',
      'a-secret-of-some-length',
      'Bearer a-secret',
      'bearer a-secret-of-some-length',
    ]) {
      expect({ header, matches: matches(header) }).toEqual({ header, matches: false });
    }
    // An endpoint without a configured secret is closed, not open.
    expect(bearerCheck(undefined)('Bearer ')).toBe(false);
    expect(bearerCheck('')('Bearer ')).toBe(false);
  });
});

describe('allowedHosts and hostAllowed', () => {
  it('answers loopback, the bind host, the configured names and IP addresses, on any port; refuses other names', () => {
    const hosts = allowedHosts('0.0.0.0', 'payments, Pay.Internal.');
    expect([...hosts].sort()).toEqual(['127.0.0.1', '::1', 'localhost', 'pay.internal', 'payments']);
    for (const host of [
      'localhost',
      'localhost:4010',
      'LOCALHOST:4010',
      '127.0.0.1:1',
      '[::1]:4010',
      'payments:4010',
      'pay.internal',
      '10.0.0.7:9465',
      '[fd00::7]:9465',
    ]) {
      expect({ host, allowed: hostAllowed(host, hosts) }).toEqual({ host, allowed: true });
    }
    for (const host of [
      undefined,
      '',
      'attacker.example',
      'attacker.example:4010',
      'localhost.attacker.example',
      'payments.attacker.example',
      '127.0.0.1.nip.io',
    ]) {
      expect({ host, allowed: hostAllowed(host, hosts) }).toEqual({ host, allowed: false });
    }
    expect([...allowedHosts('svc.local', undefined)]).toContain('svc.local');
  });
});
