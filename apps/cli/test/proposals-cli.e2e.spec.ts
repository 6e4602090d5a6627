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

function crateflow(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `crateflow propose` and `crateflow review` against a gateway on the real PostgreSQL and NATS. */
describe('crateflow propose and review', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let service: RunningService;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const ids: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-cli-proposals-'));
    const dataDir = path.join(work, 'data');
    mkdirSync(path.join(work, 'library'), { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    db = await createTestDatabase('cliproposals');
    const rows: [string, string, number][] = [
      ['in/a.mp3', 'Caribou - Sun.mp3', 0.9],
      ['in/b.mp3', 'Bicep - Glue.mp3', 0.4],
    ];
    for (const [p, name, confidence] of rows) {
      const fileId = randomUUID();
      const id = randomUUID();
      const hash = randomBytes(32).toString('hex');
      await db.dataSource.query(
        `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                            first_seen_scan_id, last_seen_scan_id)
         VALUES ($1::uuid, '/music', '/music/' || $2, convert_to($5, 'UTF8'), '\\x00', 'x.mp3', 'mp3', 'music', 1000,
                 1700000000000, $3, 'PROPOSAL_GENERATED', $4, $4)`,
        [fileId, p, hash, randomUUID(), fileId],
      );
      await db.dataSource.query(
        `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_folder, proposed_name,
                                destination_key, confidence, facts, reason, context)
         VALUES ($1, $2, $3, 'pending', 'rules', $4, 'music', $5, lower('music/' || $5), $6, '{}', 'from the tags', '{}')`,
        [id, fileId, hash, p, name, confidence],
      );
      ids.push(id);
    }
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

  it('lists proposals, as a table and as JSON', async () => {
    const run = await crateflow(['review', 'list'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/in\/a\.mp3\s+music\/Caribou - Sun\.mp3/);
    // The whole id, as `review show` and `approve` take it.
    for (const id of ids) expect(run.stdout).toContain(id);
    const json = JSON.parse((await crateflow(['review', 'list', '--json', '--band', 'low'], env)).stdout);
    expect(json.items.map((p: { id: string }) => p.id)).toEqual([ids[1]]);
  });

  it('approves, edits, undoes and previews', async () => {
    const approve = await crateflow(['review', 'approve', ids[0]], env);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toMatch(/approved: in\/a\.mp3 → music\/Caribou - Sun\.mp3/);
    const edit = await crateflow(
      ['review', 'edit', ids[1], '--name', 'Bicep - Glue (Original Mix).flac', '--json'],
      env,
    );
    expect(JSON.parse(edit.stdout)).toMatchObject({
      status: 'pending',
      proposed: { name: 'Bicep - Glue (Original Mix).mp3' },
    });
    const undo = await crateflow(['review', 'undo', ids[1]], env);
    expect(undo.code).toBe(0);
    const shown = JSON.parse((await crateflow(['review', 'show', ids[1], '--json'], env)).stdout);
    expect(shown.proposed.name).toBe('Bicep - Glue.mp3');
    const bad = await crateflow(['review', 'edit', ids[1], '--folder', '../../etc'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/climbs out/);
    const preview = await crateflow(['review', 'preview'], env);
    expect(preview.stdout).toMatch(/1 files/);
    expect(preview.stdout).toMatch(/music\/\s+\(1\)/);
  });

  it('bulk decisions report applied and skipped; propose queues a generation', async () => {
    const bulk = JSON.parse(
      (await crateflow(['review', 'bulk', 'approve', '--min-confidence', '0.5', '--json'], env)).stdout,
    );
    expect(bulk).toEqual({ applied: [], skipped: [] });
    expect((await crateflow(['review', 'bulk', 'maybe'], env)).code).toBe(2);
    const propose = await crateflow(['propose', '--no-wait', '--json'], env);
    expect(propose.code).toBe(0);
    expect(JSON.parse(propose.stdout)).toMatchObject({ status: 'queued' });
  });
});
