import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port.js';
import { killWhenParentDies, makeOwnedTempDir, processAlive, removeAbandonedTempDirs } from './process-reaper.js';

export interface KafkaBrokerOptions {
  /** PLAINTEXT listener for clients; a free port by default. */
  port?: number;
  /** KRaft controller listener; a free port by default. */
  controllerPort?: number;
  /** Kept (not removed by destroy()) when given; a fresh temp dir otherwise. */
  dataDir?: string;
  /** Where broker.log (WARN+) and broker.out (JVM stdout/stderr) go; `<dataDir>/logs` by default. */
  logDir?: string;
}

interface BrokerLayout {
  port: number;
  controllerPort: number;
  dataDir: string;
  logDir: string;
  propertiesFile: string;
  toolsDir: string;
  libDir: string;
  /** Temp dirs this instance created and so removes in destroy(). */
  ownedDirs: string[];
}

interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const LOCK_TIMEOUT_MS = 15 * 60_000;
const TEMP_DIR_PREFIX = 'newsroom-kafka-';

// The machine has 2 cores shared with PostgreSQL and the test workers: a small heap, the serial
// collector and the C1 compiler only. On a busy 2-core box that starts the broker in about half
// the time of G1 + C2, and a test broker's throughput does not matter.
const JVM_OPTIONS = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

/** Brokers that may still have a JVM or temp dirs to clean up when Node exits. */
const undestroyed = new Set<KafkaBroker>();

/**
 * A real single-node Apache Kafka 4.x broker (KRaft, broker+controller in one JVM) for tests
 * and local development, run from the jars that tools/kafka/pom.xml fetches from Maven Central.
 */
export class KafkaBroker {
  private static exitHookInstalled = false;
  private child?: ChildProcess;
  private watchdog?: ChildProcess;
  private exited?: Promise<ExitStatus>;
  private exitStatus?: ExitStatus;

  private constructor(private readonly layout: BrokerLayout) {}

  static async start(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const libDir = await ensureKafkaJars();
    const toolsDir = dirname(dirname(libDir));
    const ownedDirs: string[] = [];
    // Left behind by processes that were SIGKILLed (their JVMs died with them, see launch()).
    await removeAbandonedTempDirs(TEMP_DIR_PREFIX);
    const dataDir = options.dataDir ?? (await makeOwnedTempDir(TEMP_DIR_PREFIX));
    if (options.dataDir === undefined) ownedDirs.push(dataDir);
    const logDir = options.logDir ?? join(dataDir, 'logs');
    const port = options.port ?? (await freePort());
    let controllerPort = options.controllerPort ?? (await freePort());
    while (controllerPort === port) controllerPort = await freePort();

    const broker = new KafkaBroker({
      port,
      controllerPort,
      dataDir,
      logDir,
      propertiesFile: join(dataDir, 'server.properties'),
      toolsDir,
      libDir,
      ownedDirs,
    });
    undestroyed.add(broker);
    KafkaBroker.installExitHook();
    try {
      await mkdir(dataDir, { recursive: true });
      await mkdir(logDir, { recursive: true });
      await writeFile(broker.layout.propertiesFile, serverProperties(broker.layout));
      await broker.format();
      await broker.launch();
    } catch (error) {
      await broker.destroy();
      throw error;
    }
    return broker;
  }

  /** Bootstrap address for clients, e.g. "127.0.0.1:40123". */
  get brokers(): string {
    return `127.0.0.1:${this.layout.port}`;
  }

  get port(): number {
    return this.layout.port;
  }

  get controllerPort(): number {
    return this.layout.controllerPort;
  }

  get dataDir(): string {
    return this.layout.dataDir;
  }

  get logDir(): string {
    return this.layout.logDir;
  }

  /** PID of the broker JVM while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitStatus === undefined;
  }

  /** Graceful shutdown (SIGTERM), then SIGKILL if the JVM is still there after `timeoutMs`. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited || !this.running) return;
    // The child is unref'd: without this, a script awaiting stop() could end before the exit event.
    child.ref();
    try {
      child.kill('SIGTERM');
      // Cancel the timer once the JVM is gone, or it would keep Node alive for timeoutMs.
      const timer = new AbortController();
      const status = await Promise.race([
        exited,
        sleep(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined),
      ]);
      timer.abort();
      if (!status) {
        child.kill('SIGKILL');
        await exited;
      }
    } finally {
      child.unref();
    }
  }

  /** Abrupt death (SIGKILL), as in a crash: no controlled shutdown, no final flush. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited || !this.running) return;
    child.ref();
    try {
      child.kill('SIGKILL');
      await this.exited;
    } finally {
      child.unref();
    }
  }

  /** Starts the broker again on the same ports and data dir, after stop() or kill(). */
  async restart(): Promise<void> {
    if (!undestroyed.has(this)) throw new Error('KafkaBroker.restart(): the broker was destroyed');
    await this.stop();
    await this.launch();
  }

  /** Stops the broker and removes the temp dirs it created (a given dataDir/logDir stays). */
  async destroy(): Promise<void> {
    await this.stop();
    undestroyed.delete(this);
    for (const dir of this.layout.ownedDirs) await rm(dir, { recursive: true, force: true });
  }

  /** Last lines of the broker's logs, for error messages. */
  async logTail(maxChars = 4000): Promise<string> {
    const parts: string[] = [];
    for (const name of ['broker.log', 'broker.out']) {
      const text = await readFile(join(this.layout.logDir, name), 'utf8').catch(() => '');
      // Whole lines only: the tail starts after the first line break in the last maxChars.
      const tail = text.length > maxChars ? text.slice(text.indexOf('\n', text.length - maxChars) + 1) : text;
      if (tail.trim()) parts.push(`--- ${name} ---\n${tail.trimEnd()}`);
    }
    return parts.join('\n') || '(the broker logged nothing)';
  }

  /** Synchronous last resort for process exit: no graceful stop is possible there. */
  private killNow(): void {
    this.watchdog?.kill('SIGKILL');
    if (this.running) this.child?.kill('SIGKILL');
    for (const dir of this.layout.ownedDirs) rmSync(dir, { recursive: true, force: true });
  }

  private async format(): Promise<void> {
    await requireSupportedJava();
    // A caller-provided dataDir from an earlier run keeps its cluster (and its data).
    if (existsSync(join(this.logDirs, 'meta.properties'))) return;
    const args = [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      ...this.loggingProperties(),
      '-cp',
      join(this.layout.libDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      randomClusterId(),
      '--config',
      this.layout.propertiesFile,
    ];
    const { code, output } = await runCommand('java', args);
    if (code === null) throw new Error(`${JAVA_MISSING}\n${output}`);
    if (code !== 0) {
      throw new Error(`Kafka storage format failed (exit ${code}):\n${output}\n${await this.logTail()}`);
    }
  }

  private async launch(): Promise<void> {
    const out = openSync(join(this.layout.logDir, 'broker.out'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        'java',
        [
          ...JVM_OPTIONS,
          ...this.loggingProperties(),
          '-cp',
          join(this.layout.libDir, '*'),
          'kafka.Kafka',
          this.layout.propertiesFile,
        ],
        { stdio: ['ignore', out, out] },
      );
    } finally {
      closeSync(out);
    }
    this.child = child;
    this.exitStatus = undefined;
    this.exited = new Promise<ExitStatus>((resolveExit) => {
      const done = (status: ExitStatus) => {
        this.exitStatus ??= status;
        resolveExit(status);
      };
      child.once('exit', (code, signal) => done({ code, signal }));
      child.once('error', (error) => done({ code: null, signal: null, error }));
    });
    // The broker is a helper, not a reason to keep Node alive; the exit hook and watchdog reap it.
    child.unref();
    const watchdog = child.pid === undefined ? undefined : killWhenParentDies(child.pid);
    this.watchdog = watchdog;
    void this.exited.then(() => watchdog?.kill('SIGKILL'));

    try {
      await this.waitUntilReady();
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const kafka = new Kafka({
      clientId: 'kafka-broker-readiness',
      brokers: [this.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { retries: 0 },
    });
    let lastError: unknown;
    while (Date.now() < deadline) {
      const status = this.exitStatus;
      if (status) {
        const why = status.error
          ? status.error.message.includes('ENOENT')
            ? 'java was not found: install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)'
            : status.error.message
          : `exit code ${status.code}, signal ${status.signal}`;
        throw new Error(`Kafka broker on ${this.brokers} died while starting (${why}).\n${await this.logTail()}`);
      }
      const admin = kafka.admin();
      try {
        await admin.connect();
        // Metadata answers only once the broker has caught up with the controller.
        await admin.listTopics();
        return;
      } catch (error) {
        lastError = error;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await sleep(250);
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(
      `Kafka broker on ${this.brokers} did not accept requests within ${READY_TIMEOUT_MS / 1000} s ` +
        `(last error: ${reason}).\n${await this.logTail()}`,
    );
  }

  private static installExitHook(): void {
    if (KafkaBroker.exitHookInstalled) return;
    KafkaBroker.exitHookInstalled = true;
    process.once('exit', () => {
      for (const broker of undestroyed) broker.killNow();
    });
  }

  private get logDirs(): string {
    return kafkaLogDirs(this.layout.dataDir);
  }

  private loggingProperties(): string[] {
    return [
      `-Dlog4j2.configurationFile=${join(this.layout.toolsDir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${this.layout.logDir}`,
    ];
  }
}

/**
 * Makes sure tools/kafka/target/lib holds the broker jars of the Kafka version that pom.xml names,
 * running Maven once if not. Concurrent callers (several jest runs, the CLI) wait on a lock file so
 * only one of them runs Maven. Returns the lib dir.
 */
export async function ensureKafkaJars(): Promise<string> {
  const toolsDir = findToolsDir();
  const targetDir = join(toolsDir, 'target');
  const libDir = join(targetDir, 'lib');
  const version = await kafkaVersion(toolsDir);
  if (await jarsPresent(libDir, version)) return libDir;

  await mkdir(targetDir, { recursive: true });
  const release = await acquireLock(join(targetDir, '.fetch.lock'));
  try {
    if (await jarsPresent(libDir, version)) return libDir;
    // Fetch into a staging dir and rename it, so an interrupted download never looks complete.
    const staging = join(targetDir, `lib.${process.pid}.tmp`);
    await rm(staging, { recursive: true, force: true });
    const { code, output } = await runCommand('mvn', [
      '-q',
      '-B',
      '-f',
      join(toolsDir, 'pom.xml'),
      'dependency:copy-dependencies',
      `-Dkafka.lib.dir=${staging}`,
    ]);
    if (code !== 0 || !(await jarsPresent(staging, version))) {
      await rm(staging, { recursive: true, force: true });
      const hint = code === null ? 'Maven (mvn) was not found: install it (e.g. apt-get install maven)' : `exit ${code}`;
      throw new Error(`Fetching the Kafka ${version} jars with Maven failed (${hint}):\n${output}`);
    }
    await rm(libDir, { recursive: true, force: true });
    await rename(staging, libDir);
    return libDir;
  } finally {
    await release();
  }
}

function serverProperties(layout: BrokerLayout): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${layout.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${layout.port},CONTROLLER://127.0.0.1:${layout.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${layout.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': kafkaLogDirs(layout.dataDir),
    'num.partitions': 3,
    'auto.create.topics.enable': 'false',
    // Single node: every internal topic must live with one replica.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 5,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Tests should not wait 3 s for every consumer group to form.
    'group.initial.rebalance.delay.ms': 0,
    'log.segment.bytes': 8 * 1024 * 1024,
    // After a crash the controller fences the old incarnation only when its session times out
    // (9 s by default): keep that short so restart() after kill() is quick.
    'broker.session.timeout.ms': 4000,
    'broker.heartbeat.interval.ms': 500,
    'num.network.threads': 2,
    'num.io.threads': 2,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  return `# Written by KafkaBroker (libs/testing)\n${lines.join('\n')}\n`;
}

/** Kafka's own data (log.dirs, which also holds the KRaft metadata log). */
function kafkaLogDirs(dataDir: string): string {
  return join(dataDir, 'kraft-logs');
}

/** A KRaft cluster id: 16 random bytes in URL-safe base64 (22 chars), as `kafka-storage random-uuid` makes. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka avoids a leading '-' too: command lines would read it as an option.
    if (!id.startsWith('-')) return id;
  }
}

/** Walks up from the working directory to the project's tools/kafka (npm runs scripts from the root). */
function findToolsDir(): string {
  let dir = resolve(process.cwd());
  for (;;) {
    const candidate = join(dir, 'tools', 'kafka');
    if (existsSync(join(candidate, 'pom.xml'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`KafkaBroker: no tools/kafka/pom.xml in ${process.cwd()} or above: run from the project`);
    }
    dir = parent;
  }
}

async function kafkaVersion(toolsDir: string): Promise<string> {
  const pom = await readFile(join(toolsDir, 'pom.xml'), 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!match) throw new Error(`KafkaBroker: ${toolsDir}/pom.xml has no <kafka.version> property`);
  return match[1].trim();
}

async function jarsPresent(libDir: string, version: string): Promise<boolean> {
  const files = await readdir(libDir).catch(() => [] as string[]);
  return files.includes(`kafka_2.13-${version}.jar`) && files.some((f) => f.startsWith('log4j-core-'));
}

async function acquireLock(path: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A holder that died (crash, SIGKILL) must not block everyone forever.
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    if ((owner > 0 && !processAlive(owner)) || (!(owner > 0) && age > 10_000)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`KafkaBroker: timed out waiting for ${path} (held by pid ${owner})`);
    await sleep(500);
  }
}

/** Kafka 4 runs on Java 17 or newer; an older `java` would fail the storage format with a class-version error. */
const MIN_JAVA_VERSION = 17;
const JAVA_MISSING = 'java was not found: install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)';

async function requireSupportedJava(): Promise<void> {
  const { code, output } = await runCommand('java', ['-version']);
  if (code === null) throw new Error(`${JAVA_MISSING}\n${output}`);
  const version = javaMajorVersion(output);
  if (version === undefined || version < MIN_JAVA_VERSION) {
    throw new Error(`Kafka 4 needs Java ${MIN_JAVA_VERSION} or newer; the java on the PATH says:\n${output}`);
  }
}

/** The major version in `java -version`'s output: `"1.8.0_392"` is 8, `"17.0.9"` 17, `"21"` 21. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const quoted = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!quoted) return undefined;
  const [first, second] = [Number(quoted[1]), Number(quoted[2])];
  return first === 1 && !Number.isNaN(second) ? second : first;
}

/** Runs a command to completion; code is null when it could not be started at all. */
function runCommand(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let spawnFailed = false;
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      spawnFailed = true;
      resolveRun({ code: null, output: `${output}${error.message}` });
    });
    child.once('close', (code) => resolveRun({ code: spawnFailed ? null : (code ?? 1), output: output.trim() }));
  });
}
