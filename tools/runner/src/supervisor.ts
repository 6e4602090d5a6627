import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { exited, lineSplitter, signalGroup, stopChild } from './processes';

export interface ServiceSpec {
  name: string;
  /** The app's entry file (apps/<name>/src/main.ts). */
  entry: string;
  port: number;
  env: Record<string, string>;
}

/** Exit code a service uses for a bad configuration (EX_CONFIG): restarting cannot help. */
export const EXIT_CONFIG = 78;
/** A service that ran this long before crashing starts its backoff afresh. */
export const STABLE_AFTER_MS = 60_000;

/** Delay before restarting a service that crashed `crashes` times in a row: 1 s, 2 s, 4 s … at most 30 s. */
export function restartDelayMs(crashes: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, crashes - 1));
}

export interface SupervisorOptions {
  root: string;
  /** A line the service wrote (stdout or stderr). */
  onLine(name: string, line: string): void;
  /** Something the runner itself has to say about a service. */
  notice(message: string, level: 'info' | 'warn' | 'error'): void;
  /** The service cannot run at all (bad configuration); the runner should stop. */
  onFatal(name: string, reason: string): void;
  /** How long a service may take to stop after SIGTERM before it is killed. */
  stopGraceMs: number;
}

interface Managed {
  spec: ServiceSpec;
  child?: ChildProcess;
  crashes: number;
  restarts: number;
  startedAt: number;
  restartTimer?: NodeJS.Timeout;
}

/** Runs the services as child processes, restarts the ones that crash, and stops them all on request. */
export class Supervisor {
  private readonly services = new Map<string, Managed>();
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {}

  start(spec: ServiceSpec): void {
    const managed: Managed = { spec, crashes: 0, restarts: 0, startedAt: 0 };
    this.services.set(spec.name, managed);
    this.launch(managed);
  }

  /** Restart counts by service, for the tests and the status line. */
  restarts(): Record<string, number> {
    return Object.fromEntries([...this.services].map(([name, m]) => [name, m.restarts]));
  }

  isRunning(name: string): boolean {
    const child = this.services.get(name)?.child;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  get size(): number {
    return this.services.size;
  }

  private launch(managed: Managed): void {
    const { spec } = managed;
    const { root } = this.options;
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', '-r', path.join(__dirname, 'child-guard.js'), spec.entry],
      {
        cwd: root,
        env: { ...process.env, ...spec.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.json') },
        // Each service in its own process group: Ctrl-C reaches only the runner, which stops them in order,
        // and stopping a service's group also stops helpers it started (ffmpeg).
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    managed.child = child;
    managed.startedAt = Date.now();
    const out = lineSplitter((line) => this.options.onLine(spec.name, line));
    const err = lineSplitter((line) => this.options.onLine(spec.name, line));
    child.stdout!.on('data', (c) => out.push(c));
    child.stderr!.on('data', (c) => err.push(c));
    child.on('error', (e) => this.options.notice(`${spec.name} could not be started: ${e.message}`, 'error'));
    // 'close', not 'exit': by then the last lines it wrote have been read.
    child.once('close', (code, signal) => {
      out.flush();
      err.flush();
      if (this.stopping) return;
      if (code === EXIT_CONFIG) {
        this.options.onFatal(spec.name, 'its configuration is invalid (see the lines above)');
        return;
      }
      if (Date.now() - managed.startedAt > STABLE_AFTER_MS) managed.crashes = 0;
      managed.crashes++;
      const delay = restartDelayMs(managed.crashes);
      this.options.notice(
        `${spec.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); restarting in ${Math.round(delay / 1000)} s`,
        'warn',
      );
      managed.restartTimer = setTimeout(() => {
        managed.restartTimer = undefined;
        if (this.stopping) return;
        managed.restarts++;
        this.launch(managed);
      }, delay);
    });
  }

  /** Kills every service and its helpers at once (a second Ctrl-C). */
  killAll(): void {
    this.stopping = true;
    for (const m of this.services.values()) {
      clearTimeout(m.restartTimer);
      if (m.child) signalGroup(m.child, 'SIGKILL');
    }
  }

  /** Stops every service: SIGTERM (they finish in-flight work), SIGKILL after the grace period. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.services.values()].map(async (m) => {
        clearTimeout(m.restartTimer);
        if (!m.child) return;
        const how = await stopChild(m.child, 'SIGTERM', this.options.stopGraceMs);
        if (how === 'killed') this.options.notice(`${m.spec.name} did not stop in time and was killed`, 'warn');
        await exited(m.child);
      }),
    );
  }
}
