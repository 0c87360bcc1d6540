export { buildNotificationService, type NotificationServiceOptions } from './server';
export {
  IdempotencyMismatch,
  type Delivery,
  type Inbox,
  type InboxStore,
  type Notification,
  type NotificationInput,
} from './inbox';
export { SqliteInbox } from './sqlite-inbox';
export { PostgresInbox } from './postgres-inbox';
export { openInbox } from './open-inbox';
export { loadConfig, type NotificationServiceConfig } from './config';
export { keepNotificationsFor, pruneNotifications, type Retention } from './retention';
