import { nextConfig } from '@durable-delivery/next-config';

export default nextConfig();
