export { cacheDir } from './cache';
export {
  type DevServer,
  type DevServerOptions,
  type SearchAttributeKind,
  answersAsTemporal,
  startDevServer,
} from './dev-server';
export { freePort, isPortInUse } from './ports';
export { type ServerProcess, type ServerProcessOptions, startServerProcess } from './process';
export { runTool } from './run-tool';
export { type BinaryResolution, type ResolveOptions, TemporalBinaryNotFoundError, defaultLog } from './resolve';
export { TEMPORAL_CLI_VERSION, resolveTemporalCli } from './temporal-cli';
export { TEST_SERVER_VERSION, createTimeSkippingEnv, resolveTestServer } from './test-server';
export {
  TEMPORAL_SERVER_VERSION,
  type TemporalServerBinaries,
  resolveTemporalServer,
} from './temporal-server-binaries';
export { registerSearchAttributes } from './search-attributes';
export { TEMPORAL_UI_VERSION, type UiCodecSettings, resolveTemporalUiServer, startUiServer } from './ui-server';
export { eventually } from './eventually';
export { terminateWhenIdle } from './stop-when-idle';
