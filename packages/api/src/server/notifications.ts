import type { AppConfig } from './config';
import { CUSTOMER_COOKIE, cookieValue, unsealIdentity } from './session';

/**
 * Live streams one signed-in customer may hold open through one app process (a few tabs and devices); the next is
 * refused with 429. The notification service has its own cap (apps/notifications, MAX_STREAMS_PER_CUSTOMER) for
 * several app replicas together.
 */
export const MAX_STREAMS_PER_CUSTOMER = 5;

const TOO_MANY_STREAMS = `You already have ${MAX_STREAMS_PER_CUSTOMER} live notification streams open (tabs or devices); close one and reload.`;

/**
 * GET /api/notifications (the menu app): the signed-in customer's live notifications as server-sent events, relayed
 * from the notification service. The customer is whoever the sealed cookie says — the service is asked for that
 * customer's stream only, so a page can never listen to anyone else's. A reconnecting EventSource's Last-Event-ID
 * is passed on, so nothing is missed or repeated across reconnects; `?after=` is what the page has already shown.
 * At most MAX_STREAMS_PER_CUSTOMER at once per customer.
 */
export function notificationStreamHandler(config: AppConfig): (request: Request) => Promise<Response> {
  const openStreams = new Map<string, number>();
  return async (request) => {
    const customer = await unsealIdentity(
      cookieValue(request.headers.get('cookie'), CUSTOMER_COOKIE),
      config,
      'customer',
    );
    if (!customer) return Response.json({ message: 'Sign in to see notifications.' }, { status: 401 });
    // 204 tells an EventSource not to reconnect: this deployment has no notification service.
    if (!config.notifications) return new Response(null, { status: 204 });

    const open = openStreams.get(customer.id) ?? 0;
    if (open >= MAX_STREAMS_PER_CUSTOMER) return tooManyStreams();
    openStreams.set(customer.id, open + 1);
    let released = false;
    // Once per stream, whichever comes first: the page goes away, the service ends the stream, or it never started.
    const release = () => {
      if (released) return;
      released = true;
      const left = (openStreams.get(customer.id) ?? 1) - 1;
      if (left > 0) openStreams.set(customer.id, left);
      else openStreams.delete(customer.id);
    };
    request.signal.addEventListener('abort', release, { once: true });
    const upstream = await relay(request, customer.id, config.notifications);
    if ('refusal' in upstream) {
      release();
      return upstream.refusal;
    }
    return new Response(upstream.stream.pipeThrough(new TransformStream({ flush: release })), {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  };
}

/** The service's stream for one customer, or the answer to give the page instead. */
async function relay(
  request: Request,
  customerId: string,
  notifications: NonNullable<AppConfig['notifications']>,
): Promise<{ stream: ReadableStream<Uint8Array> } | { refusal: Response }> {
  const after = new URL(request.url).searchParams.get('after');
  const upstream = new URL(`/v1/customers/${encodeURIComponent(customerId)}/stream`, notifications.url);
  if (after && /^\d{1,15}$/.test(after)) upstream.searchParams.set('after', after);
  const lastEventId = request.headers.get('last-event-id');
  const unavailable = () => ({
    refusal: Response.json({ message: 'Notifications are unavailable right now.' }, { status: 503 }),
  });
  let response: Response;
  try {
    response = await fetch(upstream, {
      headers: {
        accept: 'text/event-stream',
        ...(lastEventId && /^\d{1,15}$/.test(lastEventId) ? { 'last-event-id': lastEventId } : {}),
        authorization: `Bearer ${notifications.apiKey}`,
      },
      // The page going away ends the upstream stream too.
      signal: request.signal,
    });
  } catch {
    return unavailable();
  }
  if (response.ok && response.body) return { stream: response.body };
  await response.body?.cancel();
  // Other app replicas may hold this customer's other streams: the service counts them all.
  return response.status === 429 ? { refusal: tooManyStreams() } : unavailable();
}

function tooManyStreams(): Response {
  return Response.json({ message: TOO_MANY_STREAMS }, { status: 429, headers: { 'cache-control': 'no-store' } });
}
