import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// A static import, though only some paths need the SDK's native core: a compiled import() fails in jest (no
// --experimental-vm-modules), and other packages' tests load this one.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { runTool } from './run-tool';
import { type BinaryResolution, type BinarySpec, type ResolveOptions, defaultLog, resolveBinary } from './resolve';

/**
 * The time-skipping test server ships as a Java artifact on Maven Central, which is reachable where its GitHub
 * release (a native build) is not. Pinned, so that every machine tests against the same server.
 */
export const TEST_SERVER_VERSION = '1.32.0';

// A minimal project whose only purpose is to make Maven resolve the artifact and its runtime dependencies. The server
// logs through SLF4J 1.7 but ships no binding, so every start would print a three-line "Failed to load class" warning;
// slf4j-simple (set to warn in the wrapper) silences that and still shows real problems. The plugin version is pinned
// so that every Maven release copies the same way.
const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.durable-delivery</groupId>
  <artifactId>temporal-test-server-resolver</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>3.8.1</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;

// `exec`, so that the process the SDK started *is* the JVM: the SDK stops the server by killing that process, and a
// shell in between would die leaving java running. The SDK runs this as `<wrapper> <port>`. The JVM options keep a
// server that tests start many times light: serial GC, C1 only (quick to warm up; this is no long-running load), and
// a capped heap. It finds its jars relative to itself, so the directory can be renamed into place after the build.
const wrapper = `#!/bin/sh
# Temporal's time-skipping test server ${TEST_SERVER_VERSION} (io.temporal:temporal-test-server from Maven Central),
# installed by @durable-delivery/temporal-server. Usage: temporal-test-server <port>
here=$(cd "$(dirname "$0")" && pwd)
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss1m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \\
  -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"
`;

const spec: BinarySpec = {
  title: `Temporal test server ${TEST_SERVER_VERSION}`,
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  cacheName: `temporal-test-server-${TEST_SERVER_VERSION}`,
  binaryName: 'temporal-test-server',
  tools: ['java', 'mvn'],
  async build({ tools, workDir, cacheEntry, log }) {
    log(`resolving Temporal test server ${TEST_SERVER_VERSION} with Maven (~1 min, once; cached in ${cacheEntry})`);
    await writeFile(join(workDir, 'pom.xml'), pom);
    await runTool(
      tools.mvn!,
      [
        '-q',
        '-B',
        'dependency:copy-dependencies',
        `-DoutputDirectory=${join(workDir, 'lib')}`,
        '-DincludeScope=runtime',
      ],
      { cwd: workDir, label: `resolving Temporal test server ${TEST_SERVER_VERSION}`, log },
    );
    await rm(join(workDir, 'target'), { recursive: true, force: true });
    await writeFile(join(workDir, spec.binaryName), wrapper);
    await chmod(join(workDir, spec.binaryName), 0o755);
  },
  fixes: [
    'install Java 17+ and Maven (e.g. `apt-get install openjdk-17-jre-headless maven`) and run again: the server is then resolved once (~1 min) and cached',
    'set TEMPORAL_TEST_SERVER_PATH to a `temporal-test-server` executable',
    'be online, so that the Temporal SDK can download the test server itself',
  ],
};

/**
 * Finds the time-skipping test server, in this order: $TEMPORAL_TEST_SERVER_PATH; the cached wrapper in
 * {@link cacheDir}; a fresh one resolved with Maven. Failing all of those it returns `{ kind: 'sdk-download' }` (or
 * throws, when `allowSdkDownload` is false).
 */
export function resolveTestServer(options?: ResolveOptions): Promise<BinaryResolution> {
  return resolveBinary(spec, options);
}

const TEST_SERVER_START_ATTEMPTS = 4;

/**
 * Whether the SDK gave up on a server that did not listen in time. SDK 1.24 words it "ephemeral server at … did not
 * start within 5s" (a new machine's run failed ten tests on it: the retry matched only "timed out").
 */
export function missedStartLimit(error: unknown): boolean {
  return /did not start within|time(d)? ?out/i.test(String(error));
}

/** A time-skipping {@link TestWorkflowEnvironment} on a random port. Call `teardown()` when done. */
export async function createTimeSkippingEnv(options?: ResolveOptions): Promise<TestWorkflowEnvironment> {
  const resolution = await resolveTestServer(options);
  if (resolution.kind === 'path') {
    // The SDK's core gives the server five seconds to listen (a fixed limit); the JVM needs about 1.5 s, but more
    // than five on a machine busy with other builds. The core kills a server that missed it: start another one.
    for (let attempt = 1; ; attempt++) {
      try {
        return await TestWorkflowEnvironment.createTimeSkipping({
          server: { executable: { type: 'existing-path', path: resolution.path } },
        });
      } catch (error) {
        if (attempt >= TEST_SERVER_START_ATTEMPTS || !missedStartLimit(error)) throw error;
        (options?.log ?? defaultLog)(
          `the time-skipping test server did not listen within the SDK's 5 s; starting it again (attempt ${attempt + 1})`,
        );
      }
    }
  }
  try {
    return await TestWorkflowEnvironment.createTimeSkipping();
  } catch (err) {
    throw resolution.notFound(`the Temporal SDK's own download failed: ${(err as Error).message}`);
  }
}
