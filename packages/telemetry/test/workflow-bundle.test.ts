import { readFileSync } from 'node:fs';
import { withoutLibrarySources } from '../src/workflow-bundle';

/**
 * What the bundle options do to a workflow bundle, read from the bundle itself (webpack's development output: each
 * module headed by its id in quotes, each import a `__webpack_require__` of an id):
 * - every OpenTelemetry module is reached from the preloaded module, so it is evaluated once per worker and shared,
 *   not once per workflow — a second copy (another version pulled in by an upgrade) would be per workflow again;
 * - the interceptors' own context manager, one AsyncLocalStorage per workflow, is not in the bundle at all;
 * - the worker's bundle keeps its code and source map, but only the project's source text in the map.
 * The memory this saves is measured by `pnpm bench --only worker`; the worker's tracing test runs it for real.
 */
const MODULE_START = /^\/\*\*\*\/ "([^"]+)"/gm;
const REQUIRE = /__webpack_require__\((?:\/\*[^*]*\*\/\s*)*"([^"]+)"\)/g;

function parseBundle(code: string) {
  const starts = [...code.matchAll(MODULE_START)].map((match) => ({ id: match[1] ?? '', at: match.index }));
  const modules = new Map<string, string[]>();
  starts.forEach(({ id, at }, index) => {
    const body = code.slice(at, starts[index + 1]?.at ?? code.length);
    modules.set(
      id,
      [...body.matchAll(REQUIRE)].map((match) => match[1] ?? ''),
    );
  });
  const preloadBody = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
  const preloaded = [...preloadBody.matchAll(REQUIRE)].map((match) => match[1] ?? '');
  return { modules, preloaded };
}

function reachable(modules: Map<string, string[]>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(modules.get(id) ?? []));
  }
  return seen;
}

const bundlePath = process.env.TELEMETRY_FIXTURE_BUNDLE;
if (!bundlePath) throw new Error('the fixture bundle is not built: run these tests through jest (see global-setup.js)');
const bundle = readFileSync(bundlePath, 'utf8');
const { modules, preloaded } = parseBundle(bundle);

it('preloads the shared module, and through it every OpenTelemetry module in the bundle', () => {
  expect(modules.size).toBeGreaterThan(100);
  expect(preloaded).toEqual([expect.stringMatching(/dist\/workflow-shared\.js$/)]);
  const shared = reachable(modules, preloaded);
  const openTelemetry = [...modules.keys()].filter((id) => id.includes('/@opentelemetry/'));
  expect(openTelemetry.length).toBeGreaterThan(50);
  expect(openTelemetry.filter((id) => !shared.has(id))).toEqual([]);
  // The interceptors themselves stay per workflow: they keep each workflow's tracer in module state.
  const interceptors = [...modules.keys()].filter((id) => id.includes('interceptors-opentelemetry/lib/workflow/index'));
  expect(interceptors).toHaveLength(1);
  expect(shared.has(interceptors[0] ?? '')).toBe(false);
});

it("replaces the interceptors' per-workflow context manager with the shared one", () => {
  const ids = [...modules.keys()];
  expect(ids.filter((id) => /interceptors-opentelemetry\/lib\/workflow\/context-manager/.test(id))).toEqual([]);
  const replacement = ids.filter((id) => id.endsWith('dist/workflow-context-manager.js'));
  expect(replacement).toHaveLength(1);
  const interceptorsWorkflow = ids.find((id) => id.includes('interceptors-opentelemetry/lib/workflow/index')) ?? '';
  expect(modules.get(interceptorsWorkflow)).toContain(replacement[0]);
  expect(reachable(modules, preloaded).has(replacement[0] ?? '')).toBe(true);
});

describe('withoutLibrarySources', () => {
  interface SourceMap {
    sources: string[];
    sourcesContent: (string | null)[];
    mappings: string;
  }
  /** Code and source map as the SDK reads them when a worker loads a bundle. */
  function read(code: string): { code: string; map: SourceMap } {
    const comment = code.lastIndexOf('//# sourceMappingURL=data:');
    const data = code.indexOf('base64,', comment) + 'base64,'.length;
    return {
      code: code.slice(0, comment),
      map: JSON.parse(Buffer.from(code.slice(data), 'base64').toString()) as SourceMap,
    };
  }
  const before = read(bundle);
  const after = read(withoutLibrarySources(bundle));
  const isLibrary = (source: string) => source.includes('/node_modules/');

  it('keeps the code, the files and every mapping', () => {
    expect(after.code).toBe(before.code);
    expect(after.map.sources).toEqual(before.map.sources);
    expect(after.map.mappings).toBe(before.map.mappings);
  });

  it("drops the libraries' source text and keeps the project's", () => {
    const library = before.map.sources.flatMap((source, index) => (isLibrary(source) ? [index] : []));
    const own = before.map.sources.flatMap((source, index) => (isLibrary(source) ? [] : [index]));
    expect(library.length).toBeGreaterThan(100);
    expect(own.map((index) => before.map.sources[index])).toContainEqual(
      expect.stringMatching(/fixtures\/workflows\.ts$/),
    );
    for (const index of library) expect(after.map.sourcesContent[index]).toBeNull();
    for (const index of own) expect(after.map.sourcesContent[index]).toBe(before.map.sourcesContent[index]);
    expect(withoutLibrarySources(bundle).length).toBeLessThan(bundle.length * 0.7);
  });

  it('refuses a bundle without an inline source map, which no worker could load', () => {
    expect(() => withoutLibrarySources('module.exports = {};')).toThrow(/no inline source map/);
  });
});
