import {
  IdempotencyConflictError,
  InvalidRequestError,
  ServiceUnavailableError,
  type NotificationsClient,
  type PushNotificationRequest,
} from '../clients';
import { postJson, type ServiceOptions } from './request';

export type HttpNotificationsOptions = ServiceOptions;

/**
 * The notification service (apps/notifications) over HTTP. The idempotency key makes a retried send harmless: the
 * service stores one notification per key and pushes it once. A malformed request (400) or a reused key (422) is a
 * bug retrying cannot fix; everything else is retried.
 */
export class HttpNotificationsClient implements NotificationsClient {
  constructor(private readonly options: HttpNotificationsOptions) {}

  async send(notification: PushNotificationRequest): Promise<{ notificationId: string }> {
    const answer = await postJson(
      'Notification service',
      this.options,
      '/v1/notifications',
      notification.idempotencyKey,
      {
        customerId: notification.customerId,
        ...(notification.orderId !== undefined ? { orderId: notification.orderId } : {}),
        kind: notification.kind,
        message: notification.message,
      },
    );
    if (answer.status === 200 || answer.status === 201) return { notificationId: (answer.body as { id: string }).id };
    const message = answer.error?.message ?? `Notification service answered ${answer.status}`;
    if (answer.status === 422) throw new IdempotencyConflictError(message);
    if (answer.status === 400) throw new InvalidRequestError(`Notification service refused the request: ${message}`);
    throw new ServiceUnavailableError(`Notification service answered ${answer.status}: ${message}`);
  }
}
