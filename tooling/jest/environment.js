const { TestEnvironment } = require('jest-environment-node');
const { NOTE, removeTempDir } = require('./temp-dir.js');

/**
 * Jest's node environment, which also removes the temporary folders a test file made with tempDir() (temp-dir.js)
 * once the file is done. Not in an afterAll: jest runs those in the order they were declared, so a folder's would
 * run before the hook that stops the server using it; and a hook cannot be declared inside a test or another hook,
 * where most folders are made.
 */
class TestEnvironmentRemovingTempDirs extends TestEnvironment {
  tempDirs = [];

  constructor(config, context) {
    super(config, context);
    // A function of this realm: the list stays out of the test's global, which jest clears at teardown.
    this.global[NOTE] = (path) => void this.tempDirs.push(path);
  }

  async teardown() {
    await super.teardown();
    for (const path of this.tempDirs.splice(0)) removeTempDir(path);
  }
}

module.exports = TestEnvironmentRemovingTempDirs;
