import type { TemplateManifest } from '../src/manifest';
import {
  UsageError,
  defaultName,
  defaultScope,
  helpText,
  parseCommandLine,
  planWithoutQuestions,
  portFlag,
} from '../src/options';

/** A template with ports of its own: the flags come from whatever ports the template has. */
const manifest: TemplateManifest = {
  version: '1.2.3',
  commit: '0'.repeat(40),
  scope: 'durable-delivery',
  name: 'durable-delivery',
  portsFile: 'tooling/ports/ports.json',
  ports: {
    menu: { port: 3000, description: 'the menu app' },
    temporalUi: { port: 8233, description: 'the Temporal Web UI' },
  },
  prettier: {},
  files: [],
};

const plan = (argv: string[]) => planWithoutQuestions(parseCommandLine(argv, manifest), manifest);

describe('the command line', () => {
  it("has one flag per port of the template, named after the port's name", () => {
    expect(portFlag('menu')).toBe('menu-port');
    expect(portFlag('temporalUi')).toBe('temporal-ui-port');
    expect(helpText(manifest)).toContain('--temporal-ui-port <n>');
    expect(helpText(manifest)).toContain('(default: 8233)');
  });

  it('takes every value from flags', () => {
    expect(
      plan(['shop', '--name', 'shop-app', '--scope', '@acme/', '--menu-port', '41000', '--temporal-ui-port', '41001']),
    ).toEqual({
      directory: 'shop',
      name: 'shop-app',
      scope: 'acme',
      ports: { menu: 41000, temporalUi: 41001 },
      git: true,
      install: true,
    });
  });

  it('with --yes, takes the defaults: the folder name, the name as scope, the template ports', () => {
    expect(plan(['shop', '--yes', '--no-git', '--no-install'])).toEqual({
      directory: 'shop',
      name: 'shop',
      scope: 'shop',
      ports: { menu: 3000, temporalUi: 8233 },
      git: false,
      install: false,
    });
  });

  it('without a terminal or --yes, names every value it would have had to ask for', () => {
    expect(() => plan(['shop', '--name', 'shop'])).toThrow(
      new UsageError(
        'There is no terminal to ask in. Pass --yes to take the defaults, or give --scope, --menu-port, --temporal-ui-port.',
      ),
    );
  });

  it('needs a folder when it cannot ask for one', () => {
    expect(() => plan(['--yes'])).toThrow(/Name the folder to create/);
  });

  it('refuses unknown flags, bad ports and a port given twice, naming each', () => {
    expect(() => plan(['shop', '--yes', '--colour', 'blue'])).toThrow(UsageError);
    expect(() => plan(['shop', '--yes', '--menu-port', '70000'])).toThrow(
      'Invalid --menu-port "70000": a port is a whole number from 1 to 65535',
    );
    expect(() => plan(['shop', '--yes', '--menu-port', '80a'])).toThrow(/Invalid --menu-port "80a"/);
    expect(() => plan(['shop', '--yes', '--menu-port', '9000', '--temporal-ui-port', '9000'])).toThrow(
      'Invalid ports: 9000 is given to --menu-port and --temporal-ui-port',
    );
  });

  it("refuses a name or scope npm would not publish, with npm's reason", () => {
    expect(() => plan(['shop', '--yes', '--name', 'Shop App'])).toThrow(/Invalid project name "Shop App": .*/);
    expect(() => plan(['shop', '--yes', '--scope', 'Acme Corp'])).toThrow(/Invalid scope "Acme Corp"/);
  });

  it('gives one folder at most', () => {
    expect(() => plan(['one', 'two', '--yes'])).toThrow('Give one folder to create, not 2: one two');
  });
});

describe('defaults', () => {
  it('makes a package name of any folder name', () => {
    expect(defaultName('My Shop')).toBe('my-shop');
    expect(defaultName('/tmp/work/acme-shop/')).toBe('acme-shop');
    expect(defaultName('___')).toBe('my-durable-delivery');
  });

  it('lends a scoped name its scope, and an unscoped name itself', () => {
    expect(defaultScope('@acme/shop')).toBe('acme');
    expect(defaultScope('shop')).toBe('shop');
  });
});
