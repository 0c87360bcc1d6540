export {
  type ClusterPorts,
  type TemporalCluster,
  type TemporalClusterOptions,
  freeClusterPorts,
  portsAround,
  startTemporalCluster,
} from './cluster';
export { type Postgres, type PostgresOptions, findPostgres, startPostgres } from './postgres';
export {
  TEMPORAL_SERVER_KINDS,
  TEMPORAL_SERVER_TITLES,
  type ProjectTemporal,
  type ProjectTemporalOptions,
  type TemporalServerKind,
  parseServerKind,
  startProjectTemporal,
} from './project';
