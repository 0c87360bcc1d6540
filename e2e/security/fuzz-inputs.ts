/**
 * Malformed inputs for the procedure fuzz: deterministic (a seeded generator, so a failure replays), shaped after each
 * procedure's own input schema so most of them get past the first check and reach deeper ones.
 */

/** What one fuzz case sends: a JSON value, or (`raw`) a body or `input` parameter that is not JSON at all. */
export type FuzzInput =
  { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'raw'; readonly text: string };

/** mulberry32: a small, well-known seeded generator; the same seed gives the same cases on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A zod schema as far as the fuzz reads one (zod 4's public `def`), without depending on zod's classes. */
interface SchemaLike {
  readonly def?: {
    readonly type?: string;
    readonly shape?: Record<string, SchemaLike>;
    readonly element?: SchemaLike;
    readonly innerType?: SchemaLike;
    readonly in?: SchemaLike;
    readonly options?: readonly SchemaLike[];
    readonly values?: readonly unknown[];
    readonly entries?: Record<string, unknown>;
  };
}

/** A value of the schema's shape with every field present: the base the mutations break. */
export function plausibleValue(schema: unknown, depth = 0): unknown {
  const def = (schema as SchemaLike | undefined)?.def;
  if (!def || depth > 6) return 'x';
  switch (def.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape ?? {}).map(([key, field]) => [key, plausibleValue(field, depth + 1)]),
      );
    case 'array':
      return [plausibleValue(def.element, depth + 1)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return plausibleValue(def.innerType, depth + 1);
    case 'pipe':
      return plausibleValue(def.in, depth + 1);
    case 'union':
      return plausibleValue(def.options?.[0], depth + 1);
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'number':
    case 'int':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

/** Deep nesting, built without recursion so the generator itself never overflows. */
function nested(depth: number, wrap: 'object' | 'array'): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = wrap === 'object' ? { a: value } : [value];
  return value;
}

/** An object whose JSON has its own `__proto__` (and friends) key, as an attacker's body would. */
function withPollutionKey(base: unknown, key: string): unknown {
  const target = typeof base === 'object' && base !== null && !Array.isArray(base) ? base : {};
  const json = JSON.stringify(target);
  const polluted = `{"${key}":{"polluted":true,"isAdmin":true}${json === '{}' ? '' : `,${json.slice(1, -1)}`}}`;
  return JSON.parse(polluted) as unknown;
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/**
 * How big the largest strings, deepest nesting and widest objects are: large for a body, smaller for a query, whose
 * input travels in the URL (every HTTP server limits a request's head far below its body; Node's to 16 KB).
 */
export interface FuzzSizes {
  readonly string: number;
  readonly depth: number;
  readonly width: number;
}

/** Hostile leaf values. */
function hostileValues({ string: huge }: FuzzSizes): unknown[] {
  return [
    null,
    true,
    false,
    0,
    -1,
    -0,
    1.5,
    -1e308,
    1e308,
    2 ** 53 + 1,
    Number.MAX_SAFE_INTEGER,
    '',
    ' ',
    '\u0000',
    'x'.repeat(huge),
    '😀'.repeat(Math.floor(huge / 4)),
    '\u202Eevil\u202C',
    '\u200B\u200B',
    '\ud800',
    'ᚠᛇᚻ᛫ᛒᛦᚦ',
    'ﷺ',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    "x' OR WorkflowType = 'order",
    "c-1' OR CustomerId != '",
    '../../etc/passwd',
    '%00',
    '${jndi:ldap://x}',
    '{{7*7}}',
    'NaN',
    'Infinity',
    '-1',
    '1e999',
    'null',
    'undefined',
    'true',
    '__proto__',
    'constructor',
    'order-' + 'a'.repeat(200),
    'has spaces in it',
    'a/b',
    'a\nb',
    'dGhpcyBpcyBub3QgYSBjdXJzb3I=',
    base64('{"StartTime":"2026-02-30T00:00:00Z"}'),
    base64('{"CloseTime":42}'),
    base64('{"RunID":{"$ne":null}}'),
    base64('[]'),
    base64('null'),
    'AAAA',
    '====',
    'e30',
    base64('x'.repeat(Math.min(huge, 3_000))),
    [],
    [1, 2, 3],
    ['x'],
    [null],
    {},
    { a: 1 },
    { $ne: null },
    { $gt: '' },
    nested(20, 'object'),
    nested(20, 'array'),
  ];
}

/** Every path into a value's objects and arrays (['deliveryAddress', 'city'], ['items', 0, 'quantity'], …). */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  return [];
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function setAt(
  root: unknown,
  path: (string | number)[],
  update: (parent: Record<string | number, unknown>, key: string | number) => void,
): unknown {
  const copy = clone(root);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  update(parent, path[path.length - 1]!);
  return copy;
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

const RAW_TEXTS = [
  '',
  '{',
  '{"orderId":',
  '{"a":}',
  'nul',
  '[1,2',
  '"unterminated',
  '\uFEFF{}',
  '{}garbage',
  'NaN',
  'undefined',
  "{'single':'quotes'}",
  '{"a":1,"a":2}',
  '0x10',
  '\u0000',
];

/**
 * `count` cases for one procedure: whole-input replacements, each field of the schema's shape replaced, removed or
 * joined by extra and prototype-pollution keys, deep and wide structures, and text that is not JSON. The first cases
 * cover every kind once; the rest are drawn at random from the same kinds.
 */
export function fuzzCases(schema: unknown, count: number, seed: number, sizes: FuzzSizes): FuzzInput[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const base = plausibleValue(schema);
  const paths = pathsOf(base);
  const hostile = hostileValues(sizes);

  const kinds: (() => FuzzInput)[] = [
    () => ({ kind: 'json', value: pick(hostile) }),
    () => ({ kind: 'raw', text: pick(RAW_TEXTS) }),
    () => ({ kind: 'json', value: withPollutionKey(clone(base), pick(POLLUTION_KEYS)) }),
    () => ({ kind: 'json', value: [clone(base)] }),
    () => ({ kind: 'json', value: nested(sizes.depth, random() < 0.5 ? 'object' : 'array') }),
    () => ({
      kind: 'json',
      value: Object.fromEntries(Array.from({ length: sizes.width }, (_, i) => [`k${i}`, i])),
    }),
    () => ({ kind: 'json', value: { ...(clone(base) as object), extraField: pick(hostile) } }),
  ];
  if (paths.length > 0) {
    kinds.push(
      () => ({ kind: 'json', value: setAt(base, pick(paths), (parent, key) => (parent[key] = pick(hostile))) }),
      () => ({
        kind: 'json',
        value: setAt(base, pick(paths), (parent, key) => {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        }),
      }),
      () => {
        // Two fields broken at once: the error names both.
        const once = setAt(base, pick(paths), (parent, key) => (parent[key] = pick(hostile)));
        const paths2 = pathsOf(once);
        const value =
          paths2.length > 0 ? setAt(once, pick(paths2), (parent, key) => (parent[key] = pick(hostile))) : once;
        return { kind: 'json', value };
      },
      () => {
        const path = pick(paths);
        return {
          kind: 'json',
          value: setAt(base, path, (parent, key) => {
            const inner = parent[key];
            parent[key] =
              typeof inner === 'object' && inner !== null ? withPollutionKey(inner, pick(POLLUTION_KEYS)) : [inner];
          }),
        };
      },
    );
  }

  const cases: FuzzInput[] = [];
  for (const value of hostile) cases.push({ kind: 'json', value });
  for (const text of RAW_TEXTS) cases.push({ kind: 'raw', text });
  for (const key of POLLUTION_KEYS) cases.push({ kind: 'json', value: withPollutionKey(clone(base), key) });
  while (cases.length < count) cases.push(pick(kinds)());
  return cases;
}
