/** A new folder that is removed when the test file ends (kept with KEEP_TEST_DIRS=1). Jest test files only. */
export declare function tempDir(prefix: string, parent?: string): string;

export interface TempDir {
  readonly path: string;
  /** Removes the folder (kept with KEEP_TEST_DIRS=1); once whatever used it has stopped. */
  remove(): void;
}

/** A new folder its owner removes (a global set-up, a harness outside jest). */
export declare function makeTempDir(prefix: string, parent?: string): TempDir;

/** Removes a folder made by makeTempDir in another place (a global teardown), or keeps it with KEEP_TEST_DIRS=1. */
export declare function removeTempDir(path: string): void;
