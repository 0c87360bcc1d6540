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

/** `text` with the scope and the ports changed; every port is replaced in one pass, so ports may swap. */
export function rewriteText(text: string, rewrite: Rewrite): string {
  let result = rewrite.fromScope === rewrite.toScope ? text : renameScope(text, rewrite.fromScope, rewrite.toScope);
  const occurrences = portOccurrences(
    result,
    [...rewrite.ports].filter(([from, to]) => from !== to).map(([from]) => from),
  );
  for (const { index, port } of occurrences.reverse()) {
    const replacement = String(rewrite.ports.get(port));
    result = result.slice(0, index) + replacement + result.slice(index + String(port).length);
  }
  return result;
}

function renameScope(text: string, from: string, to: string): string {
  return text.split(`@${from}/`).join(`@${to}/`);
}

/** Whether a file's bytes are text to rewrite: images and other binaries hold NUL bytes early on. */
export function isText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 8000).includes(0);
}
