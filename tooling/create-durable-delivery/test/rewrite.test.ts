import { portOccurrences, rewriteText, sortLockfileImporters, type Rewrite } from '../src/rewrite';

const rewrite: Rewrite = {
  fromScope: 'durable-delivery',
  toScope: 'acme',
  ports: new Map([
    [3000, 41000],
    [7233, 17233],
    [4010, 4020],
    [4020, 4010],
  ]),
};

describe('rewriteText', () => {
  it('renames every @durable-delivery/ package, in imports, dependencies, filters and docs alike', () => {
    const text = [
      "import { ports } from '@durable-delivery/ports';",
      '"@durable-delivery/api": "workspace:*",',
      "'--filter=@durable-delivery/worker',",
      'pnpm --filter @durable-delivery/workflows run record-histories',
    ].join('\n');
    expect(rewriteText(text, rewrite)).toBe(
      [
        "import { ports } from '@acme/ports';",
        '"@acme/api": "workspace:*",',
        "'--filter=@acme/worker',",
        'pnpm --filter @acme/workflows run record-histories',
      ].join('\n'),
    );
  });

  it('leaves names that only look like the scope alone', () => {
    const text = "durable-delivery.cart ~/.cache/durable-delivery '@durable-delivery-tools/x'";
    expect(rewriteText(text, rewrite)).toBe(text);
  });

  it('changes local ports wherever they stand: URLs, flags, JSON, tables and prose', () => {
    expect(rewriteText('<http://localhost:3000>', rewrite)).toBe('<http://localhost:41000>');
    expect(rewriteText("'127.0.0.1:7233'", rewrite)).toBe("'127.0.0.1:17233'");
    expect(rewriteText('{ "port": 3000 }', rewrite)).toBe('{ "port": 41000 }');
    expect(rewriteText('| `7233`, `8233` |', rewrite)).toBe('| `17233`, `8233` |');
    expect(rewriteText('the menu (3000).', rewrite)).toBe('the menu (41000).');
  });

  it('swaps ports in one pass', () => {
    expect(rewriteText('payments 4010, notifications 4020', rewrite)).toBe('payments 4020, notifications 4010');
  });

  it("keeps a remote host's port: Temporal Cloud listens on 7233 whatever the local dev server does", () => {
    const text = "TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233' or `<ns>.<acct>.tmprl.cloud:7233`";
    expect(rewriteText(text, rewrite)).toBe(text);
  });

  it('leaves digits that are not a port alone: longer numbers, versions, durations with units, hashes', () => {
    const text = '30000 13000 1.3000 3000ms 3_000 v3000 sha512-ab/3000+cd 3000.5 x-3000';
    expect(rewriteText(text, rewrite)).toBe(text);
  });

  it('keeps the columns of plain-text diagrams aligned when a port grows or shrinks', () => {
    const diagram = 'menu (:3000)        driver (:3001)\n';
    expect(rewriteText(diagram, rewrite)).toBe('menu (:41000)       driver (:3001)\n');
    const shrinking: Rewrite = { ...rewrite, ports: new Map([[41000, 3000]]) };
    expect(rewriteText('menu (:41000)       driver\n', shrinking)).toBe('menu (:3000)        driver\n');
  });
});

describe('portOccurrences', () => {
  it('finds each port once, with its position', () => {
    expect(portOccurrences('a :3000 b 7233 c 3000', [3000, 7233])).toEqual([
      { index: 3, port: 3000 },
      { index: 10, port: 7233 },
      { index: 17, port: 3000 },
    ]);
  });
});

describe('sortLockfileImporters', () => {
  it("puts a renamed scope's packages where pnpm sorts them, leaving everything else as it was", () => {
    const lockfile = [
      "lockfileVersion: '9.0'",
      '',
      'importers:',
      '',
      '  apps/menu:',
      '    dependencies:',
      "      '@zeta/api':",
      '        specifier: workspace:*',
      '        version: link:../../packages/api',
      "      '@trpc/client':",
      '        specifier: 11.19.0',
      '        version: 11.19.0(typescript@5.9.3)',
      '      next:',
      '        specifier: 16.4.6',
      '        version: 16.4.6',
      '',
      'packages:',
      '',
      "  '@zeta/x@1.0.0':",
      "  '@a/y@1.0.0':",
      '',
    ].join('\n');
    expect(sortLockfileImporters(lockfile)).toBe(
      [
        "lockfileVersion: '9.0'",
        '',
        'importers:',
        '',
        '  apps/menu:',
        '    dependencies:',
        "      '@trpc/client':",
        '        specifier: 11.19.0',
        '        version: 11.19.0(typescript@5.9.3)',
        "      '@zeta/api':",
        '        specifier: workspace:*',
        '        version: link:../../packages/api',
        '      next:',
        '        specifier: 16.4.6',
        '        version: 16.4.6',
        '',
        'packages:',
        '',
        "  '@zeta/x@1.0.0':",
        "  '@a/y@1.0.0':",
        '',
      ].join('\n'),
    );
  });
});
