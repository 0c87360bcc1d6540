import { readFileSync } from 'node:fs';

/**
 * What the bundle options do to a workflow bundle, read from the bundle itself (webpack's development output: each
 * module headed by its id in quotes, each import a `__webpack_require__` of an id):
 * - every OpenTelemetry module is reached from the preloaded module, so it is evaluated once per worker and shared,
 *   not once per workflow — a second copy (another version pulled in by an upgrade) would be per workflow again;
 * - the interceptors' own context manager, one AsyncLocalStorage per workflow, is not in the bundle at all.
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
const { modules, preloaded } = parseBundle(readFileSync(bundlePath, 'utf8'));

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
