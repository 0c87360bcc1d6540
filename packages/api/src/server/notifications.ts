import type { AppConfig } from './config';
import { CUSTOMER_COOKIE, cookieValue, unsealIdentity } from './session';

/**
 * GET /api/notifications (the menu app): the signed-in customer's live notifications as server-sent events, relayed
 * from the notification service. The customer is whoever the sealed cookie says — the service is asked for that
 * customer's stream only, so a page can never listen to anyone else's. A reconnecting EventSource's Last-Event-ID
 * is passed on, so nothing is missed or repeated across reconnects; `?after=` is what the page has already shown.
 */
export function notificationStreamHandler(config: AppConfig): (request: Request) => Promise<Response> {
  return async (request) => {
    const customer = await unsealIdentity(
      cookieValue(request.headers.get('cookie'), CUSTOMER_COOKIE),
      config,
      'customer',
    );
    if (!customer) return Response.json({ message: 'Sign in to see notifications.' }, { status: 401 });
    // 204 tells an EventSource not to reconnect: this deployment has no notification service.
    if (!config.notifications) return new Response(null, { status: 204 });

    const after = new URL(request.url).searchParams.get('after');
    const upstream = new URL(`/v1/customers/${encodeURIComponent(customer.id)}/stream`, config.notifications.url);
    if (after && /^\d{1,15}$/.test(after)) upstream.searchParams.set('after', after);
    const lastEventId = request.headers.get('last-event-id');
    let response: Response;
    try {
      response = await fetch(upstream, {
        headers: {
          accept: 'text/event-stream',
          ...(lastEventId && /^\d{1,15}$/.test(lastEventId) ? { 'last-event-id': lastEventId } : {}),
          ...(config.notifications.apiKey ? { authorization: `Bearer ${config.notifications.apiKey}` } : {}),
        },
        // The page going away ends the upstream stream too.
        signal: request.signal,
      });
    } catch {
      return Response.json({ message: 'Notifications are unavailable right now.' }, { status: 503 });
    }
    if (!response.ok || !response.body) {
      return Response.json({ message: 'Notifications are unavailable right now.' }, { status: 503 });
    }
    return new Response(response.body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  };
}
