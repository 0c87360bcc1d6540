export { buildNotificationService, type NotificationServiceOptions } from './server';
export { Inbox, type Notification, type NotificationInput } from './inbox';
export { loadConfig, type NotificationServiceConfig } from './config';
