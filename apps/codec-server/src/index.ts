export { buildCodecServer, SESSION_COOKIE, type CodecServerOptions } from './server';
export { loadConfig, DEFAULT_ALLOWED_ORIGINS, type CodecServerConfig } from './config';
