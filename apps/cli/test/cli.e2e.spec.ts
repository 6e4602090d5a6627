import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestSystem } from '../../../test/e2e/system';

const BIN = path.join(__dirname, '..', 'bin', 'crateflow.js');
const FILES = 40;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `crateflow` command as a separate process, as a person or a script would. */
function crateflow(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The `crateflow` command against the running system (gateway and ingest as their own processes). */
describe('crateflow command (against the running system)', () => {
  let system: TestSystem;
  let work: string;
  let library: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-cli-'));
    library = path.join(work, 'library');
    dataDir = path.join(work, 'data');
    mkdirSync(path.join(library, 'Incoming'), { recursive: true });
    mkdirSync(dataDir);
    for (let i = 0; i < FILES; i++) {
      writeFileSync(path.join(library, 'Incoming', `track ${String(i).padStart(2, '0')}.mp3`), randomBytes(2000 + i));
    }
    // Two byte-identical copies.
    const same = randomBytes(5000);
    writeFileSync(path.join(library, 'Incoming', 'copy a.flac'), same);
    writeFileSync(path.join(library, 'Incoming', 'copy b.flac'), same);
    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library, INGEST_PROGRESS_INTERVAL_MS: '100' });
    await system.init();
    await system.start('gateway');
    await system.start('ingest');
    // As `npm start` leaves it: the token and the gateway's address in the data folder.
    writeFileSync(path.join(dataDir, 'api-token'), `${system.token}\n`, { mode: 0o600 });
    writeFileSync(path.join(dataDir, 'gateway-url'), `${system.gatewayUrl}\n`);
    env = { PATH: process.env.PATH, HOME: work, CRATEFLOW_DATA_DIR: dataDir };
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  it('scan follows the scan live to the end, with progress on stderr', async () => {
    const run = await crateflow(['scan', 'Incoming'], env, library);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Scanning ${path.join(library, 'Incoming')}`);
    expect(run.stdout).toContain(`Scan completed: ${FILES + 2} found, ${FILES + 2} new`);
    // Not a terminal: the progress bar writes plain lines.
    expect(run.stderr).toMatch(/\d+% \| \d+\/\d+ files \| (queued|running|completed)/);
  });

  it('scan --json prints only the finished scan as JSON', async () => {
    const run = await crateflow(['scan', path.join(library, 'Incoming'), '--json'], env);
    expect(run.code).toBe(0);
    const scan = JSON.parse(run.stdout) as { status: string; counts: { found: number; unchanged: number } };
    expect(scan.status).toBe('completed');
    expect(scan.counts).toMatchObject({ found: FILES + 2, unchanged: FILES + 2 });
  });

  it('scan refuses a folder outside the library roots (exit 1, the reason said)', async () => {
    const run = await crateflow(['scan', work], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/outside the configured library roots/);
  });

  it('scan --roots lists the library roots; scan without a folder names them (exit 2)', async () => {
    const run = await crateflow(['scan', '--roots'], env);
    expect(run.code).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith(library));
    expect(line).toMatch(/\s+ok\s+completed \d{4}-/);
    const json = await crateflow(['scan', '--roots', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        path: library,
        scannable: true,
        lastScan: expect.objectContaining({ status: 'completed' }),
      }),
    ]);
    const bare = await crateflow(['scan'], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('name the folder to scan');
    expect(bare.stderr).toContain(library);
  });

  it('status shows the pipeline; --json is the API document', async () => {
    const run = await crateflow(['status'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Files: ${FILES + 2} (0 missing from disk)`);
    const json = await crateflow(['status', '--json'], env);
    expect((JSON.parse(json.stdout) as { files: { total: number } }).files.total).toBe(FILES + 2);
  });

  it('files searches with the UI filters', async () => {
    const run = await crateflow(['files', '--search', 'track 0', '--limit', '5'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Track\s+Time\s+BPM\s+Key/m);
    expect(run.stdout).toContain('track 00.mp3');
    expect(run.stdout).toContain('--cursor');
    const dups = await crateflow(['files', '--duplicates', '--json'], env);
    const page = JSON.parse(dups.stdout) as { items: { name: string }[] };
    expect(page.items.map((f) => f.name).sort()).toEqual(['copy a.flac', 'copy b.flac']);
    const bad = await crateflow(['files', '--bpm', 'fast'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--bpm wants a range/);
  });

  it('duplicates lists the groups', async () => {
    const run = await crateflow(['duplicates'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(path.join(library, 'Incoming', 'copy a.flac'));
    expect(run.stdout).toContain(path.join(library, 'Incoming', 'copy b.flac'));
  });

  it('identify --cached prints a mix timeline, found by the mix path', async () => {
    const [mix] = await system.dataSource.query(`SELECT id, content_hash FROM files WHERE name = 'track 01.mp3'`);
    const [track] = await system.dataSource.query(`SELECT id, content_hash FROM files WHERE name = 'track 02.mp3'`);
    await system.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, title) VALUES ($1, $2, 'read', 'Björk', 'Army of Me')`,
      [track.id, track.content_hash],
    );
    await system.dataSource.query(
      `INSERT INTO mix_identifications (id, file_id, content_hash, status, algorithm_version, processed_sec, duration_sec,
                                        entries, unknown, requested_at, started_at, finished_at)
       VALUES ($1, $2, $3, 'done', 1, 600, 600, $4::jsonb, '[]'::jsonb, now(), now(), now())`,
      [
        randomUUID(),
        mix.id,
        mix.content_hash,
        JSON.stringify([
          {
            trackId: 1,
            contentHash: track.content_hash,
            startSec: 65,
            endSec: 300,
            refStartSec: 0,
            speed: 1.02,
            mode: 'vinyl',
            confidence: 0.91,
            score: 80,
          },
        ]),
      ],
    );
    const run = await crateflow(['identify', '--cached', path.join(library, 'Incoming', 'track 01.mp3')], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1\s+1:05\s+5:00\s+Björk – Army of Me\s+\+2\.0 % vinyl\s+91 %/);
    const json = await crateflow(['identify', '--cached', mix.id, '--json'], env);
    expect((JSON.parse(json.stdout) as { entries: unknown[] }).entries).toHaveLength(1);
    const unknown = await crateflow(['identify', path.join(library, 'nope.mp3')], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no file in the library at/);
  });

  it('retry sends the failed files of a stage through it again', async () => {
    const run = await crateflow(['retry', 'analysis', '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ stage: 'analysis', requested: 0, more: false });
    const bad = await crateflow(['retry', 'polishing'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/stage/);
  });

  it('open prints the address of the UI', async () => {
    const run = await crateflow(['open', 'library', '--print', '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ url: `${system.gatewayUrl}/#/library` });
  });

  it('says so when the token is wrong (exit 4)', async () => {
    const run = await crateflow(['scan', 'Incoming', '--token', 'wrong-token-wrong-token'], env, library);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/refused the API token \(--token\)/);
    const viaEnv = await crateflow(
      ['scan', 'Incoming', '--json'],
      { ...env, CRATEFLOW_TOKEN: 'nope-nope-nope' },
      library,
    );
    expect(viaEnv.code).toBe(4);
    expect(JSON.parse(viaEnv.stderr).error).toMatch(/CRATEFLOW_TOKEN/);
  });

  it('says so when the gateway is not running (exit 3)', async () => {
    const run = await crateflow(['status', '--url', 'http://127.0.0.1:9'], env);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Cannot reach the Crateflow gateway at http:\/\/127\.0\.0\.1:9/);
    const json = await crateflow(['--json', 'files', '--url', 'http://127.0.0.1:9'], env);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr).error).toMatch(/Is Crateflow running/);
  });

  it('refuses wrong usage with exit 2', async () => {
    const run = await crateflow(['no-such-command'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command/);
  });
});
