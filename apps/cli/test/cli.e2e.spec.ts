import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { gatewayService } from '../../gateway/src/main';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';

const BIN = path.join(__dirname, '..', 'bin', 'crateflow.js');
const TOKEN = randomBytes(24).toString('hex');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `crateflow` command as a separate process, as a person or a script would. */
function crateflow(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The `crateflow` command against a gateway on the real PostgreSQL and NATS. */
describe('crateflow command (against a running gateway)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let service: RunningService;
  let work: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-cli-'));
    dataDir = path.join(work, 'data');
    mkdirSync(path.join(work, 'library'), { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    db = await createTestDatabase('cli');
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id)
       VALUES ($1, '/music', '/music/a.flac', '\\x01', '\\x00', 'a.flac', 'flac', 'music', 1000, 1700000000000,
               repeat('ab', 32), 'DISCOVERED', $2, $2)`,
      [randomUUID(), randomUUID()],
    );
    service = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CRATEFLOW_API_TOKEN: TOKEN,
      CRATEFLOW_LIBRARY_ROOTS: path.join(work, 'library'),
      LOG_LEVEL: 'warn',
    });
    // As `npm start` leaves it: the token and the gateway's address in the data folder.
    writeFileSync(path.join(dataDir, 'api-token'), `${TOKEN}\n`, { mode: 0o600 });
    writeFileSync(path.join(dataDir, 'gateway-url'), `${service.url}\n`);
    env = { PATH: process.env.PATH, HOME: work, CRATEFLOW_DATA_DIR: dataDir };
  });

  afterAll(async () => {
    await service?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
    rmSync(work, { recursive: true, force: true });
  });

  it('status prints the pipeline, found through the data folder', async () => {
    const run = await crateflow(['status'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Files: 1 (0 missing from disk)');
    expect(run.stdout).toMatch(/DISCOVERED\s+1/);
  });

  it('status --json prints one JSON document', async () => {
    const run = await crateflow(['status', '--json'], env);
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stdout) as { files: { total: number } };
    expect(stats.files.total).toBe(1);
  });

  it('says clearly when the gateway is not running (exit 3)', async () => {
    const run = await crateflow(['status', '--url', 'http://127.0.0.1:9'], env);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Cannot reach the Crateflow gateway at http:\/\/127\.0\.0\.1:9/);
    const json = await crateflow(['--json', 'status', '--url', 'http://127.0.0.1:9'], env);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr).error).toMatch(/Cannot reach/);
  });

  it('refuses wrong usage with exit 2', async () => {
    const run = await crateflow(['no-such-command'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command/);
  });
});
