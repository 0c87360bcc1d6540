/**
 * The text changes that turn the template into someone's project: the workspace's package scope and its local
 * ports. They apply to every text file alike — package.json names and dependencies, imports, tsconfig paths, turbo
 * filters, scripts, docs, comments, the lockfile — so a file added to the app tomorrow is renamed without a change
 * here.
 */
export interface Rewrite {
  /** Without "@": every `@<fromScope>/` becomes `@<toScope>/`. */
  readonly fromScope: string;
  readonly toScope: string;
  /** Old port → new port. */
  readonly ports: ReadonlyMap<number, number>;
}

export interface PortOccurrence {
  readonly index: number;
  readonly port: number;
}

/**
 * Where `text` names one of `ports` as a port of this app: the number standing alone (not inside a longer number,
 * a version, a word or a base64 hash, which may hold the same digits), and not after the name of a remote host —
 * `my-ns.a1b2c.tmprl.cloud:7233` is Temporal Cloud's port, whatever the local dev server listens on.
 */
export function portOccurrences(text: string, ports: Iterable<number>): PortOccurrence[] {
  const numbers = [...new Set(ports)];
  if (numbers.length === 0) return [];
  const pattern = new RegExp(`(?<![\\w.+/-])(?:${numbers.join('|')})(?!\\w|\\.\\d)`, 'g');
  const found: PortOccurrence[] = [];
  for (const match of text.matchAll(pattern)) {
    const index = match.index;
    if (!afterRemoteHost(text, index)) found.push({ index, port: Number(match[0]) });
  }
  return found;
}

function afterRemoteHost(text: string, index: number): boolean {
  if (text[index - 1] !== ':') return false;
  const host = /([A-Za-z0-9][A-Za-z0-9.-]*)$/.exec(text.slice(Math.max(0, index - 254), index - 1))?.[1];
  if (!host) return false;
  const local = host === 'localhost' || /^127(\.\d+){3}$/.test(host) || host === '0.0.0.0';
  return !local && host.includes('.');
}

/**
 * `text` with the scope and the ports changed; every port is replaced in one pass, so ports may swap. A port with
 * more or fewer digits takes them from (or gives them to) the next run of spaces on its line, so that columns of
 * plain-text tables and diagrams stay aligned.
 */
export function rewriteText(text: string, rewrite: Rewrite): string {
  let result = rewrite.fromScope === rewrite.toScope ? text : renameScope(text, rewrite.fromScope, rewrite.toScope);
  const changed = [...rewrite.ports].filter(([from, to]) => from !== to).map(([from]) => from);
  for (const { index, port } of portOccurrences(result, changed).reverse()) {
    const replacement = String(rewrite.ports.get(port));
    const end = index + String(port).length;
    result = result.slice(0, index) + replacement + realign(result.slice(end), replacement.length - (end - index));
  }
  return result;
}

function realign(rest: string, growth: number): string {
  const lineEnd = rest.indexOf('\n') === -1 ? rest.length : rest.indexOf('\n');
  const run = / {2,}/.exec(rest.slice(0, lineEnd));
  if (!run || growth === 0) return rest;
  const width = Math.max(1, run[0].length - growth);
  return rest.slice(0, run.index) + ' '.repeat(width) + rest.slice(run.index + run[0].length);
}

/**
 * pnpm writes each importer's dependencies sorted by name, and rewrites the file in that order at the next install:
 * a renamed scope would move its packages there, and the copy's first change of a dependency would carry that
 * noise. Sorting them here leaves the lockfile as pnpm itself writes it.
 */
export function sortLockfileImporters(lockfile: string): string {
  const lines = lockfile.split('\n');
  const start = lines.indexOf('importers:');
  if (start === -1) return lockfile;
  const after = lines.findIndex((line, index) => index > start && /^\S/.test(line));
  const end = after === -1 ? lines.length : after;
  const sorted = lines.slice(0, start + 1);
  let index = start + 1;
  while (index < end) {
    const line = lines[index++]!;
    sorted.push(line);
    if (!/^ {4}\S.*:$/.test(line)) continue;
    const entries: { name: string; lines: string[] }[] = [];
    while (index < end && /^ {6}\S/.test(lines[index]!)) {
      const entry = [lines[index++]!];
      while (index < end && /^ {8}/.test(lines[index]!)) entry.push(lines[index++]!);
      entries.push({
        name: entry[0]!
          .trim()
          .replace(/:$/, '')
          .replace(/^'(.*)'$/, '$1'),
        lines: entry,
      });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) sorted.push(...entry.lines);
  }
  return [...sorted, ...lines.slice(end)].join('\n');
}

function renameScope(text: string, from: string, to: string): string {
  return text.split(`@${from}/`).join(`@${to}/`);
}

/**
 * Files copied as they are: the published benchmark run (docs/bench) is measured data — its numbers include any
 * digits, a latency of 4040 ms among them, and the README's figures point at it — not the app's configuration.
 */
const VERBATIM_FOLDERS = ['docs/bench/'] as const;

export function isVerbatim(file: string): boolean {
  return VERBATIM_FOLDERS.some((folder) => file.startsWith(folder));
}

/** Whether a file's bytes are text to rewrite: images and other binaries hold NUL bytes early on. */
export function isText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 8000).includes(0);
}
