// `pnpm test` (and so `npm test`): the unit tests, and the packed package run through npx into a new copy that is
// installed and checked (files, names, ports, lockfile, formatting). The copy's own test suite runs only in
// `pnpm test:scaffold` (jest.scaffold.config.js): it takes minutes, see README.md.
const scaffold = require('./jest.scaffold.config.js');

module.exports = {
  ...scaffold,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/copy-passes-its-tests.test.ts'],
};
