// The PostgreSQL half of onBothServers (see index.js).
process.env.TEST_TEMPORAL_SERVER = 'postgres';
