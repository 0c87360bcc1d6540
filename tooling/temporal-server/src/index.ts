export { cacheDir } from './cache';
export { type DevServer, type DevServerOptions, type SearchAttributeKind, startDevServer } from './dev-server';
export { freePort } from './ports';
export { type BinaryResolution, type ResolveOptions, TemporalBinaryNotFoundError } from './resolve';
export { TEMPORAL_CLI_VERSION, resolveTemporalCli } from './temporal-cli';
export { TEST_SERVER_VERSION, createTimeSkippingEnv, resolveTestServer } from './test-server';
export { registerSearchAttributes } from './search-attributes';
export { eventually } from './eventually';
export { terminateWhenIdle } from './stop-when-idle';
