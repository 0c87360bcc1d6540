// The dev-server half of onBothServers (see index.js).
process.env.TEST_TEMPORAL_SERVER = 'dev';
