import { type NotificationsClient, type PushNotificationRequest } from '../clients';
import { Faults, type FaultSettings } from '@durable-delivery/provider-rules';
import { failOnFault } from './faults';

export interface DeliveredNotification extends PushNotificationRequest {
  readonly notificationId: string;
  readonly deliveredAt: Date;
}

/**
 * An in-process push service: one inbox per customer, deduplicated by idempotency key so that a retried activity
 * never shows the customer the same message twice.
 */
export class SimulatedNotifications implements NotificationsClient {
  readonly faults: Faults;
  private readonly delivered = new Map<string, DeliveredNotification>();
  private sequence = 0;

  constructor(
    options: {
      faults?: Partial<FaultSettings>;
      random?: () => number;
      onDeliver?: (notification: DeliveredNotification) => void;
    } = {},
  ) {
    this.faults = new Faults(options.faults, options.random);
    this.onDeliver = options.onDeliver;
  }

  private readonly onDeliver: ((notification: DeliveredNotification) => void) | undefined;

  async send(notification: PushNotificationRequest): Promise<{ notificationId: string }> {
    await failOnFault(this.faults, 'notifications');
    const existing = this.delivered.get(notification.idempotencyKey);
    if (existing) return { notificationId: existing.notificationId };
    const delivered = { ...notification, notificationId: `n_${++this.sequence}`, deliveredAt: new Date() };
    this.delivered.set(notification.idempotencyKey, delivered);
    this.onDeliver?.(delivered);
    return { notificationId: delivered.notificationId };
  }

  inbox(customerId: string): DeliveredNotification[] {
    return [...this.delivered.values()].filter((notification) => notification.customerId === customerId);
  }
}
