import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase } from '@crateflow/persistence/src/testing';
import { deleteTestStreams } from '../../../test/support/service-harness';
import { findFreePort } from '../src/ports';
import { processesWithEnv } from './proc';

/**
 * The README's first command, end to end: the runner is started as a person would start it, on a small
 * music folder, against a fresh database and a NATS prefix of its own; then it is stopped with Ctrl-C.
 */
const ROOT = path.resolve(__dirname, '../../..');
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('npm start -- <music folder>', () => {
  const prefix = `e2erun${randomBytes(4).toString('hex')}`;
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let work: string;
  let music: string;
  let dataDir: string;
  let outputDir: string;
  let runner: ChildProcess;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let port: number;
  const tracked = new Map<string, Buffer>();

  const waitForOutput = async (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = output.match(pattern);
      if (match) return match;
      if (runner.exitCode !== null)
        throw new Error(`the runner exited (${runner.exitCode}) before printing ${pattern}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    db = await createEmptyDatabase('runnere2e');
    work = mkdtempSync(path.join(tmpdir(), 'cf-runner-e2e-'));
    music = path.join(work, 'Music');
    dataDir = path.join(work, 'data');
    outputDir = path.join(work, 'Organised'); // created by the runner
    for (const [rel, size] of [
      ['Artist - Album (2024)/01 - Opening.mp3', 3000],
      ['Artist - Album (2024)/02 - Closing.flac', 5000],
      ['Artist - Album (2024)/album.cue', 200],
      ['Mixes/Live @ Club 2023.06.01.m4a', 8000],
      ['Mixes/Live @ Club 2023.06.01.mkv', 4000],
    ] as const) {
      const file = path.join(music, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      const content = randomBytes(size);
      writeFileSync(file, content);
      tracked.set(file, content);
    }
    writeFileSync(path.join(music, 'Mixes', 'notes.docx'), 'ignored');

    port = await findFreePort(3400 + Math.floor(Math.random() * 500));
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, NATS_PREFIX: prefix, NO_COLOR: '1' };
    delete env.NATS_URL; // found on its standard port, as on a developer's machine
    delete env.CRATEFLOW_API_TOKEN; // generated and stored in the data folder
    delete env.CRATEFLOW_DATA_DIR;
    runner = spawn(
      process.execPath,
      ['tools/runner/bin/crateflow.js', '--port', String(port), '--data-dir', dataDir, '--output', outputDir, music],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    runner.stdout!.on('data', (c) => (output += c));
    runner.stderr!.on('data', (c) => (output += c));
    exit = new Promise((resolve) => runner.once('exit', (code, signal) => resolve({ code, signal })));
  });

  afterAll(async () => {
    if (runner && runner.exitCode === null) {
      runner.kill('SIGINT');
      await exit;
    }
    // Anything still running with our prefix is a leak this test reports; do not leave it behind either.
    for (const p of processesWithEnv('NATS_PREFIX', prefix)) process.kill(p.pid, 'SIGKILL');
    // The installation's streams and its key-value buckets (the gateway's accepted scans).
    await deleteTestStreams(prefix, NATS_URL);
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('prints the address of the UI and API once every service is healthy', async () => {
    const [, url] = await waitForOutput(/UI and API:\s+(http:\/\/\S+)/, 240_000);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'gateway' });
    expect(output).toMatch(/all \d+ services are healthy/);
  });

  it('prints the API token it generated and stored readable only by the user', () => {
    const file = path.join(dataDir, 'api-token');
    const token = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(output).toContain(`API token:   ${token}`);
  });

  it('runs every service as a child with its own port, the database, the prefix, the music folder as library root and the output folder', () => {
    const children = processesWithEnv('NATS_PREFIX', prefix).filter((p) => /apps\/\w+\/src\/main\.ts/.test(p.cmdline));
    const names = children.map((p) => /apps\/(\w+)\/src\/main\.ts/.exec(p.cmdline)![1]).sort();
    expect(names).toEqual(expect.arrayContaining(['gateway', 'ingest']));
    expect(new Set(names).size).toBe(names.length);
    const ports = children.map((p) => p.env.get('HTTP_PORT'));
    expect(new Set(ports).size).toBe(children.length);
    for (const child of children) {
      expect(child.env.get('DATABASE_URL')).toBe(db.url);
      expect(child.env.get('CRATEFLOW_LIBRARY_ROOTS')).toBe(music);
      expect(child.env.get('CRATEFLOW_OUTPUT_ROOT')).toBe(outputDir);
    }
    expect(output).toContain(`Output:      ${outputDir}`);
  });

  it('scans the folder through the API and prints the progress until it completes', async () => {
    const [, scanId] = await waitForOutput(/scanning .* \(scan ([0-9a-f-]{36})\)/, 60_000);
    await waitForOutput(/scan complete: 5 files found, 5 new/, 120_000);
    const scan = (await (await fetch(`http://127.0.0.1:${port}/api/v1/scans/${scanId}`)).json()) as {
      status: string;
      counts: Record<string, number>;
    };
    expect(scan.status).toBe('completed');
    expect(scan.counts).toMatchObject({ found: 5, new: 5, changed: 0, missing: 0, errors: 0, ignored: 1 });

    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ path: string; content_hash: string }>(
        'SELECT path, content_hash FROM files',
      );
      expect(rows.map((r) => r.path).sort()).toEqual([...tracked.keys()].sort());
      for (const row of rows)
        expect(row.content_hash).toBe(createHash('sha256').update(tracked.get(row.path)!).digest('hex'));
    } finally {
      await client.end();
    }
  });

  it('restarts a service that crashes', async () => {
    const ingest = processesWithEnv('NATS_PREFIX', prefix).find((p) => p.cmdline.includes('apps/ingest/src/main.ts'))!;
    process.kill(ingest.pid, 'SIGKILL');
    await waitForOutput(/ingest stopped unexpectedly \(SIGKILL\); restarting in 1 s/, 30_000);
    const ingestPort = ingest.env.get('HTTP_PORT');
    const deadline = Date.now() + 120_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      healthy = await fetch(`http://127.0.0.1:${ingestPort}/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 500));
    }
    expect(healthy).toBe(true);
    const again = processesWithEnv('NATS_PREFIX', prefix).find((p) => p.cmdline.includes('apps/ingest/src/main.ts'));
    expect(again?.pid).not.toBe(ingest.pid);
  });

  it('stops everything on Ctrl-C and exits with 0, leaving no process behind', async () => {
    expect(processesWithEnv('NATS_PREFIX', prefix).length).toBeGreaterThan(1);
    runner.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/stopping the services[\s\S]*stopped/);
    expect(processesWithEnv('NATS_PREFIX', prefix).map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  });
});
