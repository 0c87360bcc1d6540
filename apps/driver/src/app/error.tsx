'use client';

export { ErrorScreen as default } from '@durable-delivery/ui';
