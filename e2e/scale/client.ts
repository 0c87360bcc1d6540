/**
 * The apps as a person's client reaches them behind a load balancer that knows several replicas: each call goes to
 * the person's own replica first and, if that one does not answer (killed, restarting), to the next. Calls speak
 * the apps' HTTP API as their pages do: the tRPC v11 fetch adapter (one call per request), the driver's sign-in
 * route, and the customer's live stream (server-sent events at /api/notifications).
 */

const REQUEST_TIMEOUT_MS = 30_000;

/** What the notification service pushes (apps/notifications), as the menu relays it. */
export interface PushedNotification {
  readonly sequence: number;
  readonly customerId: string;
  readonly orderId?: string;
  readonly kind: string;
  readonly message: string;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  /** The replica that answered. */
  readonly url: string;
}

/** One person's cookies, as a browser keeps them for a site: every replica of an app is the same site. */
export class Person {
  private readonly cookies = new Map<string, string>();

  constructor(readonly name: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  keep(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      // An expired cookie (a sign-out) is removed, as a browser does.
      if (value === '' || /max-age=0\b/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** A request failed before any answer came: nothing listens there, or the process died while answering. */
export class Unreachable extends Error {}

/** One request to one replica, with the person's cookies; a network failure is Unreachable. */
export async function send(
  person: Person,
  url: string,
  path: string,
  init: { method?: 'GET' | 'POST'; json?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const cookie = person.cookieHeader();
  if (cookie) headers.cookie = cookie;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  let body: string;
  try {
    response = await fetch(new URL(path, url), {
      method: init.method ?? 'GET',
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await response.text();
  } catch (error) {
    throw new Unreachable(`${init.method ?? 'GET'} ${url}${path}: ${String(error)}`, { cause: error });
  }
  person.keep(response);
  return { status: response.status, body, url };
}

/**
 * The balancer: `replicas` in the person's order of preference; an unreachable one is skipped for the next. Only
 * for calls that are safe to repeat (a query, a checkout with the client's order id): a request that died with its
 * replica may have been carried out.
 */
export async function balanced(
  person: Person,
  replicas: readonly string[],
  path: string,
  init: { method?: 'GET' | 'POST'; json?: unknown } = {},
): Promise<Answer> {
  const failures: string[] = [];
  for (const url of replicas) {
    try {
      return await send(person, url, path, init);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      failures.push(error.message);
    }
  }
  throw new Unreachable(`no replica answered:\n${failures.join('\n')}`);
}

/** `{"result":{"data":…}}` of a successful tRPC call; anything else throws with the answer. */
export function trpcData(what: string, answer: Answer): Record<string, unknown> {
  const fail = (why: string) => new Error(`${what} at ${answer.url}: ${why}: ${answer.body.slice(0, 400)}`);
  if (answer.status !== 200) throw fail(`HTTP ${answer.status}`);
  const data = (JSON.parse(answer.body) as { result?: { data?: unknown } }).result?.data;
  if (typeof data !== 'object' || data === null) throw fail('no result.data');
  return data as Record<string, unknown>;
}

/** The path of a tRPC query with its input. */
export function queryPath(procedure: string, input: unknown): string {
  return `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

/**
 * A customer's live stream through the menu, as the page's EventSource holds it: when it drops (its replica, or
 * the notification replica behind it, went away), it opens again on the next replica with Last-Event-ID, so
 * nothing is missed or repeated. Keeps every event, and which replica it came through.
 */
export class LiveStream {
  readonly events: (PushedNotification & { readonly via: string })[] = [];
  /** How many times the stream was opened (1 if it never dropped). */
  opens = 0;
  private readonly stopped = new AbortController();
  private lastEventId = 0;
  private opened?: () => void;
  private changed = new Set<() => void>();
  private running?: Promise<void>;

  constructor(
    private readonly person: Person,
    private readonly replicas: readonly string[],
  ) {}

  /** Resolves once the first connection is open. */
  open(): Promise<void> {
    const isOpen = new Promise<void>((resolve) => (this.opened = resolve));
    this.running = this.run();
    return isOpen;
  }

  /** Waits until an event matches, or throws after `timeoutMs` naming what did arrive. */
  async waitFor(what: string, match: (event: PushedNotification) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.events.some(match)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.map((event) => `${event.kind} ${event.orderId ?? ''} via ${event.via}`);
        throw new Error(`${this.person.name}'s stream: no ${what} within ${timeoutMs} ms; it had: ${seen.join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.changed.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.stopped.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped.signal.aborted; attempt++) {
      const url = this.replicas[attempt % this.replicas.length]!;
      try {
        await this.read(url);
      } catch {
        // Dropped, refused or unreachable: the next replica, as a balancer would send the reconnect.
      }
      if (!this.stopped.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async read(url: string): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream', cookie: this.person.cookieHeader() };
    if (this.lastEventId > 0) headers['last-event-id'] = String(this.lastEventId);
    const response = await fetch(new URL('/api/notifications', url), { headers, signal: this.stopped.signal });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`stream at ${url}: HTTP ${response.status}`);
    }
    this.opens += 1;
    this.opened?.();
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        this.take(buffer.slice(0, end), url);
        buffer = buffer.slice(end + 2);
      }
    }
  }

  /** One server-sent event: `id:`, `event:` and `data:` lines (comments and `retry:` are skipped). */
  private take(block: string, via: string): void {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trimStart());
    }
    if (fields.get('event') !== 'notification' || !fields.has('data')) return;
    const event = JSON.parse(fields.get('data')!) as PushedNotification;
    this.lastEventId = Math.max(this.lastEventId, Number(fields.get('id') ?? event.sequence));
    this.events.push({ ...event, via });
    const waiting = [...this.changed];
    this.changed.clear();
    waiting.forEach((wake) => wake());
  }
}
