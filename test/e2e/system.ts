import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { SERVICES, type ServiceName } from '@crateflow/contracts';
import { createDataSource, runMigrations } from '@crateflow/persistence';
import { createEmptyDatabase } from '@crateflow/persistence/src/testing';
import { deleteTestStreams } from '../support/service-harness';
import type { DataSource } from 'typeorm';

const ROOT = path.resolve(__dirname, '../..');
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface RunningProcess {
  name: ServiceName;
  url: string;
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * The whole system started as separate processes on a fresh database and a unique NATS prefix, the
 * way it runs for real: the tests drive it only through the public API (and read the database to check).
 */
export class TestSystem {
  readonly prefix = `e2e${randomBytes(4).toString('hex')}`;
  readonly token = randomBytes(24).toString('hex');
  /** By instance name: the service's name, or `<service>-<n>` for further replicas (startReplica). */
  readonly processes = new Map<string, RunningProcess>();
  db!: { name: string; url: string; drop(): Promise<void> };
  dataSource!: DataSource;
  private nextPort = 20000 + Math.floor(Math.random() * 20000);
  private portRetries = 0;

  constructor(private readonly env: Record<string, string>) {}

  async init(): Promise<void> {
    this.db = await createEmptyDatabase('e2e');
    this.dataSource = createDataSource({ url: this.db.url, applicationName: 'crateflow-e2e-test' });
    await this.dataSource.initialize();
    await runMigrations(this.dataSource);
  }

  get gatewayUrl(): string {
    return this.processes.get('gateway')!.url;
  }

  /**
   * Starts one service; `entry` replaces its main.ts (a test's instrumented start-up of the same service);
   * `ownGroup` makes it the leader of its own process group, as the local runner starts services, so a test
   * can signal the whole group the way a terminal's Ctrl-C or the runner does; `instance` names a further
   * replica (see startReplica).
   */
  async start(
    name: ServiceName,
    extraEnv: Record<string, string> = {},
    entry?: string,
    ownGroup = false,
    instance: string = name,
  ): Promise<RunningProcess> {
    const port = this.nextPort++;
    const output: string[] = [];
    const proc = spawn(
      process.execPath,
      ['-r', '@swc-node/register', entry ?? path.join(ROOT, 'apps', name, 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: this.db.url,
          NATS_URL,
          NATS_PREFIX: this.prefix,
          HTTP_PORT: String(port),
          HTTP_HOST: '127.0.0.1',
          CRATEFLOW_API_TOKEN: this.token,
          LOG_LEVEL: 'warn',
          ...this.env,
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: ownGroup,
      },
    );
    const keep = (d: Buffer) => {
      output.push(d.toString());
      if (output.length > 200) output.shift();
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const running: RunningProcess = { name, url: `http://127.0.0.1:${port}`, proc, output, exited };
    this.processes.set(instance, running);
    try {
      await this.waitHealthy(running);
    } catch (e) {
      // The machine is shared: another program may hold the port picked. Try the next one.
      if (!output.join('').includes('EADDRINUSE') || (this.portRetries += 1) > 5) throw e;
      this.processes.delete(instance);
      return this.start(name, extraEnv, entry, ownGroup, instance);
    }
    return running;
  }

  /** Another process of a service beside the running one(s), the way a second replica runs in Kubernetes. */
  startReplica(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<RunningProcess> {
    let n = 2;
    while (this.processes.has(`${name}-${n}`)) n++;
    return this.start(name, extraEnv, undefined, false, `${name}-${n}`);
  }

  async startAll(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<void> {
    // The gateway first: it also runs migrations; the rest start in parallel.
    await this.start('gateway', extraEnv.gateway);
    await Promise.all(SERVICES.filter((s) => s !== 'gateway').map((s) => this.start(s, extraEnv[s])));
  }

  // Generous: on the shared 2-core machine seven services compiling at once took over a minute to listen.
  private async waitHealthy(p: RunningProcess, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void p.exited.then((c) => (exitCode = c));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`${p.name} exited with ${exitCode}:\n${p.output.join('')}`);
      try {
        const res = await fetch(`${p.url}/health`);
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${p.name} did not become healthy:\n${p.output.join('')}`);
  }

  /** Kills a service without letting it clean up (a crash). */
  async crash(name: string): Promise<void> {
    const p = this.processes.get(name);
    if (!p) return;
    p.proc.kill('SIGKILL');
    await p.exited;
    this.processes.delete(name);
  }

  async stop(name: string): Promise<number | null> {
    const p = this.processes.get(name);
    if (!p) return null;
    p.proc.kill('SIGTERM');
    const timer = setTimeout(() => p.proc.kill('SIGKILL'), 15_000);
    const code = await p.exited;
    clearTimeout(timer);
    this.processes.delete(name);
    return code;
  }

  async api<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    auth = true,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.gatewayUrl}${route}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(auth ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined | null | false>,
    timeoutMs = 120_000,
    intervalMs = 250,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await probe();
      if (v) return v;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /**
   * Waits until the proposer, the end of the automatic chain, has finished with `files` files: a proposal
   * stored, or skipped or failed with its reason (exactly that many; at least, with `atLeast`).
   */
  async waitForProposer(files: number, options: { timeoutMs?: number; atLeast?: boolean } = {}): Promise<void> {
    await this.waitFor(
      `the proposer to finish ${files} files`,
      async () => {
        const [row]: { n: number }[] = await this.dataSource.query(
          `SELECT count(*)::int AS n FROM file_stage_statuses WHERE stage = 'proposer' AND status IN ('done', 'skipped', 'failed')`,
        );
        return options.atLeast ? row.n >= files : row.n === files;
      },
      options.timeoutMs ?? 180_000,
      500,
    );
  }

  async teardown(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((n) => this.stop(n)));
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
    await this.db?.drop();
    await deleteTestStreams(this.prefix, NATS_URL);
  }
}
