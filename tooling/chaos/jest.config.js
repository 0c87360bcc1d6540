// The chaos run goes twice: on the dev server and on the full Temporal server on PostgreSQL.
module.exports = require('@durable-delivery/jest-config/both-servers').onBothServers({
  onPostgres: ['<rootDir>/test/**/*.test.ts'],
});
