import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { findFreePort } from './ports';
import { commandLineOf, isAlive, lineSplitter, stopChild, waitForExit } from './processes';

export const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';

export type NatsProbeResult = 'jetstream' | 'no-jetstream' | 'unreachable';

export type NatsChoice =
  { kind: 'env'; url: string } | { kind: 'local'; url: string } | { kind: 'start'; binary: string; reason: string };

export class NatsNotFoundError extends Error {
  constructor(reason: string) {
    super(
      `Crateflow needs a NATS server with JetStream, and ${reason}.\n` +
        'Install one and run this command again:\n' +
        '  Debian/Ubuntu:  sudo apt-get install nats-server\n' +
        '  macOS:          brew install nats-server\n' +
        '  other systems:  https://github.com/nats-io/nats-server/releases (put nats-server on your PATH)\n' +
        'or point NATS_URL at a NATS server (2.10 or later, started with -js).',
    );
    this.name = 'NatsNotFoundError';
  }
}

/**
 * Which NATS to use: NATS_URL when set; else a server on 127.0.0.1:4222 that has JetStream; else a
 * `nats-server` found on the PATH, started by the runner; else an error that says how to install one.
 */
export async function chooseNats(
  env: NodeJS.ProcessEnv,
  probe: (url: string) => Promise<NatsProbeResult>,
  findBinary: () => string | null,
): Promise<NatsChoice> {
  if (env.NATS_URL?.trim()) return { kind: 'env', url: env.NATS_URL.trim() };
  const local = await probe(LOCAL_NATS_URL);
  if (local === 'jetstream') return { kind: 'local', url: LOCAL_NATS_URL };
  const reason =
    local === 'no-jetstream'
      ? 'the NATS server on 127.0.0.1:4222 runs without JetStream'
      : 'no NATS server answers on 127.0.0.1:4222';
  const binary = findBinary();
  if (!binary) throw new NatsNotFoundError(`${reason} and no nats-server program was found`);
  return { kind: 'start', binary, reason };
}

/** Connects and asks JetStream for the account's details: the one check that JetStream is really there. */
export async function probeNats(url: string, timeoutMs = 2000): Promise<NatsProbeResult> {
  let nc;
  try {
    nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false, name: 'crateflow-runner-probe' });
  } catch {
    return 'unreachable';
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    await jsm.getAccountInfo();
    return 'jetstream';
  } catch {
    return 'no-jetstream';
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** Finds `nats-server` on the PATH, and in the sbin folders where distributions put it. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [
    ...(env.PATH ?? '').split(path.delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/bin',
    '/opt/homebrew/bin',
  ];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface StartedNats {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  binary: string;
  dataDir: string;
  log(line: string, important: boolean): void;
  onUnexpectedExit?(code: number | null, signal: string | null): void;
  preferredPort?: number;
}

const PID_FILE = 'nats-server.pid';

/** nats-server log lines worth showing without --verbose: warnings, errors, fatal. */
export function isImportantNatsLine(line: string): boolean {
  return /\[(WRN|ERR|FTL)\]/.test(line);
}

/** Stops a nats-server an earlier, killed run left behind on this data folder's store. */
async function stopLeftover(dataDir: string, log: StartNatsOptions['log']): Promise<void> {
  const file = path.join(dataDir, PID_FILE);
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return;
  }
  if (pid && isAlive(pid) && commandLineOf(pid).includes(path.join(dataDir, 'nats'))) {
    log(`stopping the nats-server (pid ${pid}) an earlier run left behind`, true);
    process.kill(pid, 'SIGTERM');
    await waitForExit(pid, 10_000);
  }
  rmSync(file, { force: true });
}

/** Starts `nats-server -js` with its store in the data folder, on a free local port, and waits for JetStream. */
export async function startNatsServer(options: StartNatsOptions): Promise<StartedNats> {
  const { binary, dataDir, log } = options;
  await stopLeftover(dataDir, log);
  const storeDir = path.join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true, mode: 0o700 });
  const port = await findFreePort(options.preferredPort ?? 14222);
  const child = spawn(binary, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    detached: true, // its own process group: Ctrl-C reaches the runner, which stops NATS after the services
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    log(line, isImportantNatsLine(line));
  };
  const out = lineSplitter(onLine);
  const err = lineSplitter(onLine);
  child.stdout!.on('data', (c) => out.push(c));
  child.stderr!.on('data', (c) => err.push(c));
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) options.onUnexpectedExit?.(code, signal);
  });
  const pidFile = path.join(dataDir, PID_FILE);
  if (child.pid) writeFileSync(pidFile, `${child.pid}\n`);
  const stop = async () => {
    stopping = true;
    await stopChild(child, 'SIGTERM', 10_000);
    rmSync(pidFile, { force: true });
  };

  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `nats-server stopped while starting (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}):\n${tail.join('\n')}`,
      );
    }
    if ((await probeNats(url, 1000)) === 'jetstream') break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not offer JetStream within 30 s:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, pid: child.pid!, stop };
}
