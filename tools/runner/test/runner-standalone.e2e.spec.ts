import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findNatsServer } from '../src/nats';
import { listProcesses } from './proc';

/**
 * A newcomer's machine: no PostgreSQL and no NATS listening. The runner is started in a network namespace
 * of its own (where nothing listens on 5432 or 4222), so it must start an embedded PostgreSQL and a
 * nats-server with their data in the data folder, run every service on them, scan, and stop it all on
 * Ctrl-C. Started a second time, it reuses the same database.
 *
 * Needs `unshare -n` (root, as in CI) and nats-server; skipped, saying why, without them.
 */
const ROOT = path.resolve(__dirname, '../../..');
const natsServer = findNatsServer();
const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
const why = !canUnshare ? 'unshare -n is not permitted here' : !natsServer ? 'nats-server is not installed' : '';
if (why) console.warn(`runner-standalone.e2e: skipped: ${why}`);

(why ? describe.skip : describe)('npm start on a machine with no PostgreSQL and no NATS running', () => {
  let work: string;
  let music: string;
  let dataDir: string;

  interface Run {
    child: ChildProcess;
    output: () => string;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  }

  /** The runner in a fresh network namespace with only loopback up. */
  function start(...args: string[]): Run {
    const command = `ip link set lo up && exec "${process.execPath}" tools/runner/bin/crateflow.js "$@"`;
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const name of ['DATABASE_URL', 'NATS_URL', 'NATS_PREFIX', 'CRATEFLOW_API_TOKEN', 'CRATEFLOW_DATA_DIR'])
      delete env[name];
    // unshare and sh exec into the runner, so this child's pid is the runner's.
    const child = spawn('unshare', ['-n', 'sh', '-c', command, 'sh', '--data-dir', dataDir, ...args, music], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, output: () => output, exit };
  }

  async function waitFor(run: Run, pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(run.output())) {
      if (run.child.exitCode !== null)
        throw new Error(`the runner exited (${run.child.exitCode}) before ${pattern}:\n${run.output()}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Processes this test's runner started: services (by their data folder) and the servers (by command line). */
  const leftovers = () =>
    listProcesses().filter((p) => p.env.get('CRATEFLOW_DATA_DIR') === dataDir || p.cmdline.includes(dataDir));

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-runner-standalone-'));
    // Run as root, PostgreSQL runs as its own user, which must be able to enter the data folder's parents
    // (mkdtemp makes them private); otherwise the cluster would go under /var/lib/crateflow instead.
    chmodSync(work, 0o755);
    music = path.join(work, 'Music');
    dataDir = path.join(work, 'data');
    mkdirSync(path.join(music, 'Album'), { recursive: true });
    for (const name of ['01 - One.mp3', '02 - Two.flac', 'cover.jpg'])
      writeFileSync(path.join(music, 'Album', name), randomBytes(4096));
  });

  afterAll(() => {
    for (const p of leftovers()) process.kill(p.pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('starts an embedded PostgreSQL and a nats-server, runs every service, scans, and stops cleanly', async () => {
    const run = start();
    try {
      await waitFor(run, /scan complete: 3 files found, 3 new/, 240_000);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const output = run.output();
    expect(output).toMatch(/no PostgreSQL answers on 127\.0\.0\.1:5432; starting an embedded PostgreSQL/);
    expect(output).toMatch(/no NATS server answers on 127\.0\.0\.1:4222; starting .*nats-server/);
    expect(output).toMatch(/all \d+ services are healthy/);
    expect(output).toMatch(/Database: +postgres:\/\/crateflow:\*\*\*@127\.0\.0\.1:\d+\/crateflow/); // the password is not shown
    expect(output).toMatch(
      /stopping the services[\s\S]*stopping nats-server[\s\S]*stopping the embedded PostgreSQL[\s\S]*stopped/,
    );
    expect(statSync(path.join(dataDir, 'postgres', 'PG_VERSION')).isFile()).toBe(true);
    expect(statSync(path.join(dataDir, 'nats')).isDirectory()).toBe(true);
    expect(statSync(path.join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
    expect(leftovers().map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  });

  it('starts again on the same data, with the schema already in place', async () => {
    const run = start('--no-scan');
    try {
      await waitFor(run, /Press Ctrl-C to stop/, 240_000);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('database schema is up to date');
    expect(run.output()).not.toContain('creating a PostgreSQL cluster');
    expect(run.output()).not.toMatch(/scanning /);
    expect(leftovers().map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  });
});
