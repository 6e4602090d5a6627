import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVICES } from '@crateflow/contracts';
import { maskUrl } from '@crateflow/observability';
import { createDataSource, runMigrations } from '@crateflow/persistence';
import { DEFAULT_HTTP_PORTS } from '@crateflow/service-host';
import { describeScan, getScan, isHealthy, requestScan, type ScanView } from './api';
import { parseRunnerArgs, USAGE, UsageError, type RunnerOptions } from './args';
import { chooseDatabase, pgProbes } from './database';
import {
  ensureApiToken,
  ensureDataDir,
  GATEWAY_URL_FILE,
  MusicFolderError,
  resolveDataDir,
  resolveMusicDir,
  resolveOutputDir,
  type ApiToken,
} from './data-dir';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { formatLogLine } from './log-format';
import { chooseNats, findNatsServer, NatsNotFoundError, probeNats, startNatsServer, type StartedNats } from './nats';
import { findFreePort, isPortFree } from './ports';
import { StopSignals, watchParent } from './stop-signals';
import { Supervisor, type ServiceSpec } from './supervisor';
import { Terminal } from './terminal';

/** The repository root (tools/runner/src → ../../..). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
const NAME_WIDTH = 12;
const START_TIMEOUT_MS = 240_000;
/**
 * On a stop, how long the services' jobs in flight may finish before they are aborted and handed back
 * (SHUTDOWN_GRACE_MS, unless set); the runner kills a service only STOP_MARGIN_MS after that, so a stage that
 * keeps its word is never killed mid-job (which would orphan its ffmpeg children, in groups of their own).
 */
const SERVICE_SHUTDOWN_GRACE_MS = 10_000;
const STOP_MARGIN_MS = 10_000;

/** An app whose package declares a `bin` is a command (apps/cli), not a service to start. */
function isCommandApp(appDir: string): boolean {
  try {
    return Boolean((JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { bin?: unknown }).bin);
  } catch {
    return false;
  }
}

/** Services that have an entry point, in the order of the architecture (apps still being written are skipped). */
export function discoverServices(root: string): { ready: string[]; missing: string[] } {
  const appsDir = path.join(root, 'apps');
  const present = (existsSync(appsDir) ? readdirSync(appsDir) : []).filter(
    (name) => !isCommandApp(path.join(appsDir, name)),
  );
  const known = [...SERVICES, ...present.filter((n) => !(SERVICES as readonly string[]).includes(n)).sort()];
  const ready: string[] = [];
  const missing: string[] = [];
  for (const name of known) {
    if (!present.includes(name)) continue;
    (existsSync(path.join(appsDir, name, 'src', 'main.ts')) ? ready : missing).push(name);
  }
  return { ready, missing };
}

/** CRATEFLOW_LIBRARY_ROOTS for one folder: plain, or a JSON list when the path contains the list separator. */
export function libraryRootsValue(folder: string): string {
  return folder.includes(path.delimiter) ? JSON.stringify([folder]) : folder;
}

class StopRequested extends Error {}

class Runner {
  private readonly terminal: Terminal;
  private readonly supervisor: Supervisor;
  private pg?: EmbeddedPostgres;
  private nats?: StartedNats;
  private stopRequested = false;
  /** Services' info lines are shown only while running; starting and stopping show the runner's summary. */
  private phase: 'starting' | 'running' | 'stopping' = 'starting';
  private fatal?: string;
  private wake?: () => void;
  private readonly cwd: string;
  private readonly shutdownGraceMs: number;

  constructor(
    private readonly options: RunnerOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const interactive = !!process.stdout.isTTY;
    this.terminal = new Terminal(process.stdout, interactive, interactive && !env.NO_COLOR);
    // npm runs scripts from the package root; INIT_CWD is where the person typed the command.
    this.cwd = env.INIT_CWD ?? process.cwd();
    const grace = Number(env.SHUTDOWN_GRACE_MS);
    this.shutdownGraceMs =
      env.SHUTDOWN_GRACE_MS && Number.isInteger(grace) && grace >= 0 ? grace : SERVICE_SHUTDOWN_GRACE_MS;
    this.supervisor = new Supervisor({
      root: ROOT,
      onLine: (name, line) => this.serviceLine(name, line),
      notice: (message, level) => this.say(message, level),
      onFatal: (name, reason) => this.fail(`${name} cannot start: ${reason}`),
      stopGraceMs: this.shutdownGraceMs + STOP_MARGIN_MS,
    });
  }

  private serviceLine(name: string, line: string): void {
    const text = formatLogLine(name, line, {
      verbose: this.options.verbose,
      color: this.terminal.color,
      nameWidth: NAME_WIDTH,
      quiet: this.phase !== 'running',
    });
    if (text !== null) this.terminal.line(text);
  }

  /** A message from the runner itself, formatted like a service's log line. */
  private say(message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    const line = JSON.stringify({ level, time: new Date().toISOString(), msg: message });
    const text = formatLogLine('crateflow', line, {
      verbose: false,
      color: this.terminal.color,
      nameWidth: NAME_WIDTH,
    });
    if (text !== null) this.terminal.line(text);
  }

  crash(e: unknown): void {
    this.fail(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  private fail(reason: string): void {
    this.fatal ??= reason;
    this.requestStop();
  }

  requestStop(why?: string): void {
    if (why && !this.stopRequested) this.say(why);
    this.stopRequested = true;
    this.wake?.();
  }

  private checkpoint(): void {
    if (this.stopRequested) throw new StopRequested();
  }

  /** Sleeps, waking early when a stop is requested. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  async run(): Promise<number> {
    try {
      await this.startAll();
      while (!this.stopRequested) await this.pause(60_000);
    } catch (e) {
      if (!(e instanceof StopRequested)) this.fatal ??= e instanceof Error ? e.message : String(e);
    }
    const wasRunning = this.phase === 'running';
    await this.shutdown();
    if (this.fatal) {
      process.stderr.write(`\nCrateflow ${wasRunning ? 'stopped' : 'could not start'}: ${this.fatal}\n`);
      return 1;
    }
    return 0;
  }

  private async startAll(): Promise<void> {
    const { options, env } = this;
    const music = resolveMusicDir(options.musicDir!, this.cwd);
    const dataDir = resolveDataDir(options.dataDir, env, this.cwd);
    const output = resolveOutputDir(options.outputDir, env, music, this.cwd);
    ensureDataDir(dataDir);
    const token = this.token(dataDir);

    const databaseUrl = await this.database(dataDir);
    this.checkpoint();
    const natsUrl = await this.messaging(dataDir);
    this.checkpoint();
    await this.migrate(databaseUrl);
    this.checkpoint();

    const { ready, missing } = discoverServices(ROOT);
    for (const name of missing) this.say(`apps/${name} has no src/main.ts yet; not started`, 'warn');
    if (!ready.length) throw new Error('no service has an entry point (apps/<name>/src/main.ts)');

    const taken = new Set<number>();
    const specs: ServiceSpec[] = [];
    for (const name of ready) {
      const port = await this.portFor(name, taken);
      specs.push({
        name,
        entry: path.join(ROOT, 'apps', name, 'src', 'main.ts'),
        port,
        env: {
          DATABASE_URL: databaseUrl,
          NATS_URL: natsUrl,
          NATS_PREFIX: env.NATS_PREFIX || 'crateflow',
          CRATEFLOW_LIBRARY_ROOTS: libraryRootsValue(music),
          // Every service knows the output root (it becomes a library root: copies are files of it); only
          // the executor writes there.
          ...(output ? { CRATEFLOW_OUTPUT_ROOT: output } : {}),
          CRATEFLOW_API_TOKEN: token.token,
          CRATEFLOW_DATA_DIR: dataDir,
          HTTP_PORT: String(port),
          LOG_LEVEL: env.LOG_LEVEL || (options.verbose ? 'debug' : 'info'),
          SHUTDOWN_GRACE_MS: String(this.shutdownGraceMs),
        },
      });
    }
    this.say(`starting ${specs.length} services: ${specs.map((s) => s.name).join(', ')}`);
    for (const spec of specs) this.supervisor.start(spec);
    await this.waitUntilHealthy(specs);

    const gateway = specs.find((s) => s.name === 'gateway');
    const host = env.HTTP_HOST || '127.0.0.1';
    const apiUrl = gateway ? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${gateway.port}` : undefined;
    this.banner({ apiUrl, token, music, output, dataDir, databaseUrl, natsUrl });
    // The `crateflow` command finds the running gateway here (the port may not be the default one).
    if (apiUrl) writeFileSync(path.join(dataDir, GATEWAY_URL_FILE), `${apiUrl}\n`, { mode: 0o600 });
    this.phase = 'running';

    if (options.scan) {
      if (!apiUrl) this.say('no gateway is running, so the folder cannot be scanned', 'warn');
      else {
        // A scan that cannot start is worth saying, not worth stopping a running system for.
        await this.scan(apiUrl, token.token, music).catch((e: Error) =>
          this.say(`the scan did not run: ${e.message}`, 'error'),
        );
      }
    }
  }

  private token(dataDir: string): ApiToken {
    const token = ensureApiToken(dataDir, this.env);
    if (token.token.length < 16) throw new Error('CRATEFLOW_API_TOKEN must be at least 16 characters long');
    return token;
  }

  private async database(dataDir: string): Promise<string> {
    const choice = await chooseDatabase(this.env, os.userInfo().username, pgProbes);
    if (choice.kind === 'env') {
      this.say(`database: ${maskUrl(choice.url)} (DATABASE_URL)`);
      return choice.url;
    }
    if (choice.kind === 'local') {
      this.say(
        `database: the local PostgreSQL as ${choice.user}${choice.created ? ' (created database "crateflow")' : ''}`,
      );
      return choice.url;
    }
    this.say(`${choice.reason}; starting an embedded PostgreSQL`);
    this.pg = await startEmbeddedPostgres({
      dataDir,
      log: (line, important) => (important || this.options.verbose ? this.serviceLine('postgres', line) : undefined),
      onUnexpectedExit: (code, signal) =>
        this.fail(`the embedded PostgreSQL stopped (${signal ?? `exit code ${code}`})`),
    });
    this.say(`database: embedded PostgreSQL on 127.0.0.1:${this.pg.port}, data in ${this.pg.clusterDir}`);
    return this.pg.url;
  }

  private async messaging(dataDir: string): Promise<string> {
    const choice = await chooseNats(
      this.env,
      (url) => probeNats(url),
      () => findNatsServer(this.env),
    );
    if (choice.kind === 'env') {
      if ((await probeNats(choice.url, 5000)) !== 'jetstream') {
        throw new Error(
          `NATS_URL=${maskUrl(choice.url)} does not answer, or has no JetStream (start nats-server with -js)`,
        );
      }
      this.say(`messages: NATS at ${maskUrl(choice.url)} (NATS_URL)`);
      return choice.url;
    }
    if (choice.kind === 'local') {
      this.say(`messages: the local NATS at ${choice.url}`);
      return choice.url;
    }
    this.say(`${choice.reason}; starting ${choice.binary}`);
    this.nats = await startNatsServer({
      binary: choice.binary,
      dataDir,
      log: (line, important) => (important || this.options.verbose ? this.serviceLine('nats', line) : undefined),
      onUnexpectedExit: (code, signal) => this.fail(`nats-server stopped (${signal ?? `exit code ${code}`})`),
    });
    this.say(`messages: nats-server on 127.0.0.1:${this.nats.port}, data in ${path.join(dataDir, 'nats')}`);
    return this.nats.url;
  }

  private async migrate(url: string): Promise<void> {
    // Two connections: runMigrations holds one for its advisory lock and migrates on another.
    const dataSource = createDataSource({ url, applicationName: 'crateflow-runner', poolSize: 2 });
    try {
      await dataSource.initialize();
    } catch (e) {
      throw new Error(`cannot connect to the database at ${maskUrl(url)}: ${(e as Error).message}`);
    }
    try {
      const ran = await runMigrations(dataSource);
      this.say(ran.length ? `database schema updated (${ran.join(', ')})` : 'database schema is up to date');
    } finally {
      await dataSource.destroy();
    }
  }

  private async portFor(name: string, taken: Set<number>): Promise<number> {
    if (name === 'gateway' && this.options.port !== undefined) {
      if (!(await isPortFree(this.options.port)))
        throw new Error(`port ${this.options.port} is already in use (--port)`);
      taken.add(this.options.port);
      return this.options.port;
    }
    const preferred = DEFAULT_HTTP_PORTS[name as keyof typeof DEFAULT_HTTP_PORTS] ?? 3200;
    return findFreePort(preferred, { taken });
  }

  private async waitUntilHealthy(specs: ServiceSpec[]): Promise<void> {
    const started = Date.now();
    const pending = new Set(specs.map((s) => s.name));
    let lastReport = started;
    while (pending.size) {
      this.checkpoint();
      await Promise.all(
        specs
          .filter((s) => pending.has(s.name))
          .map(async (s) => {
            if (await isHealthy(`http://127.0.0.1:${s.port}`)) pending.delete(s.name);
          }),
      );
      if (!pending.size) break;
      const waited = Date.now() - started;
      if (waited > START_TIMEOUT_MS) {
        throw new Error(
          `${[...pending].join(', ')} did not become healthy within ${START_TIMEOUT_MS / 1000} s (see their log lines above)`,
        );
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        this.say(`still waiting for ${[...pending].join(', ')} (${Math.round(waited / 1000)} s)`);
      }
      await this.pause(500);
    }
    this.say(`all ${specs.length} services are healthy (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  private banner(info: {
    apiUrl?: string;
    token: ApiToken;
    music: string;
    output?: string;
    dataDir: string;
    databaseUrl: string;
    natsUrl: string;
  }): void {
    const t = this.terminal;
    const where = info.token.source === 'env' ? '(from CRATEFLOW_API_TOKEN)' : `(saved in ${info.token.file})`;
    const lines = [
      '',
      t.bold('Crateflow is running.'),
      ...(info.apiUrl ? [`  UI and API:  ${info.apiUrl}`, `  API docs:    ${info.apiUrl}/api/docs`] : []),
      `  API token:   ${info.token.token}  ${where}`,
      `  Music:       ${info.music}  (read-only for every service but the executor)`,
      info.output
        ? `  Output:      ${info.output}  (copy and hardlink executions build the organised library here)`
        : '  Output:      none (copy and hardlink executions need --output <dir>; move works in place)',
      `  Data:        ${info.dataDir}`,
      `  Database:    ${maskUrl(info.databaseUrl)}`,
      `  NATS:        ${maskUrl(info.natsUrl)}`,
      'Press Ctrl-C to stop.',
      '',
    ];
    for (const line of lines) t.line(line);
  }

  private async scan(apiUrl: string, token: string, music: string): Promise<void> {
    const id = await requestScan(apiUrl, token, music);
    this.say(`scanning ${music} (scan ${id})`);
    let scan: ScanView | undefined;
    let readFailures = 0;
    while (!this.stopRequested) {
      try {
        scan = await getScan(apiUrl, id);
        readFailures = 0;
      } catch (e) {
        if (++readFailures === 5) this.say(`cannot read the scan's progress: ${(e as Error).message}`, 'warn');
      }
      if (scan && (scan.status === 'completed' || scan.status === 'failed')) {
        this.terminal.status(describeScan(scan), true);
        if (scan.status === 'completed') {
          this.say(`the other stages now work through the files in the background; follow them at ${apiUrl}`);
        }
        return;
      }
      if (scan) this.terminal.status(describeScan(scan));
      await this.pause(1000);
    }
  }

  private async shutdown(): Promise<void> {
    this.terminal.status('', true);
    if (!this.supervisor.size && !this.nats && !this.pg) return;
    this.phase = 'stopping';
    this.say('stopping the services');
    await this.supervisor.stopAll();
    if (this.nats) {
      this.say('stopping nats-server');
      await this.nats.stop().catch((e: Error) => this.say(`stopping nats-server failed: ${e.message}`, 'warn'));
    }
    if (this.pg) {
      this.say('stopping the embedded PostgreSQL');
      await this.pg.stop().catch((e: Error) => this.say(`stopping PostgreSQL failed: ${e.message}`, 'warn'));
    }
    this.say('stopped');
  }

  /** A second Ctrl-C while stopping: kill what is left at once (PostgreSQL gets its immediate shutdown). */
  forceStop(): void {
    this.say('stopping at once', 'warn');
    this.supervisor.killAll();
    for (const [pid, signal] of [
      [this.nats?.pid, 'SIGKILL'],
      [this.pg?.pid, 'SIGQUIT'],
    ] as const) {
      if (pid) {
        try {
          process.kill(-pid, signal);
        } catch {
          // already gone
        }
      }
    }
    process.exit(130);
  }
}

export async function main(argv: string[]): Promise<void> {
  let options: RunnerOptions;
  try {
    options = parseRunnerArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runner = new Runner(options, process.env);
  const signals = new StopSignals({
    stop: (signal) => runner.requestStop(`${signal} received`),
    force: () => runner.forceStop(),
  });
  const onSignal = (signal: NodeJS.Signals) => signals.receive(signal);
  // A bug in the runner must not leave services running without it: stop them, then report.
  const onCrash = (e: unknown) => runner.crash(e);
  const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const unwatch = watchParent(() =>
    runner.requestStop('the program that started Crateflow (npm, a shell) has exited; stopping'),
  );
  try {
    process.exitCode = await runner.run();
  } catch (e) {
    const message = e instanceof MusicFolderError || e instanceof NatsNotFoundError ? e.message : (e as Error).stack;
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  } finally {
    unwatch();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
