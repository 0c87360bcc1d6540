const preset = require('./index.js');

/**
 * The same preset as two jest projects: every test on the Temporal dev server, and the files matching `onPostgres`
 * once more on the full Temporal server on PostgreSQL. Tests pick their server from TEST_TEMPORAL_SERVER, which each
 * project sets (see startProjectTemporal in @durable-delivery/temporal-cluster); the worker and the apps under test
 * only ever get TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, so the second run proves they need nothing else.
 */
function onBothServers({ onPostgres }) {
  // reporters and testTimeout are options of the whole run, not of a project.
  const { reporters, testTimeout, ...project } = preset;
  const on = (server) => require.resolve(`./on-${server}-server.js`);
  return {
    reporters,
    testTimeout,
    projects: [
      { ...project, displayName: 'dev server', setupFiles: [on('dev')] },
      { ...project, displayName: 'postgres', testMatch: onPostgres, setupFiles: [on('postgres')] },
    ],
  };
}

module.exports = { onBothServers };
