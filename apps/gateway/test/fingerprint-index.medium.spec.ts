import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CODE_INDEX_VERSION } from '@crateflow/fingerprint';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import type { FingerprintIndexStatusView } from '../src/fingerprint/index-status.schemas';
import { gatewayService } from '../src/main';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';

const CLI = path.join(__dirname, '..', '..', 'cli', 'bin', 'crateflow.js');

/** `GET /api/v1/fingerprint/index` and `crateflow index` over the generations table (real PostgreSQL). */
describe('fingerprint index status (gateway and CLI)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let service: RunningService;
  let work: string;

  const get = async () => {
    const res = await fetch(`${service.url}/api/v1/fingerprint/index`);
    expect(res.status).toBe(200);
    return (await res.json()) as FingerprintIndexStatusView;
  };
  const crateflow = (args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { env: { PATH: process.env.PATH, HOME: work, CRATEFLOW_URL: service.url }, timeout: 90_000 },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-fpindex-'));
    db = await createTestDatabase('fpindexapi');
    // Generation 1 (the migration's) holds 10 tracks.
    await db.dataSource.query(
      `INSERT INTO fingerprint_tracks (external_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT gen_random_uuid(), 200, 100, 80, 1, now() FROM generate_series(1, 10)`,
    );
    service = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CRATEFLOW_API_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(async () => {
    await service?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the active generation, then an upgrade with done/total, failures, rate and ETA, in the API and the CLI', async () => {
    let status = await get();
    expect(status.active).toMatchObject({ generation: 1, state: 'active', tracks: 10, algorithmVersion: 1 });
    expect(status.rebuild).toBeNull();
    expect(status.codeVersion).toEqual(CODE_INDEX_VERSION);
    let cli = await crateflow(['index']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('Active: generation 1 (algorithm 1, layout 1), 10 tracks');
    expect(cli.stdout).toContain('No upgrade under way');

    // An upgrade under way (as the fingerprint service records it): 6 tracks re-indexed, 1 failed, 3 to go.
    await db.dataSource.query(
      `INSERT INTO fingerprint_index_generations (generation, slot, algorithm_version, layout_version, state, total_tracks, created_at)
       VALUES (2, 'b', 2, 1, 'building', 10, now() - interval '10 minutes')`,
    );
    await db.dataSource.query(
      `INSERT INTO fingerprint_b_tracks (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT track_id, 200, 90, 70, 2, now() - interval '1 minute' FROM fingerprint_tracks ORDER BY track_id LIMIT 6`,
    );
    await db.dataSource.query(
      `INSERT INTO fingerprint_rebuild_failures (generation, track_id, reason)
       SELECT 2, track_id, 'no file holds this content any more' FROM fingerprint_tracks ORDER BY track_id OFFSET 6 LIMIT 1`,
    );
    status = await get();
    expect(status.rebuild).toMatchObject({
      generation: { generation: 2, state: 'building', algorithmVersion: 2, layoutVersion: 1 },
      done: 6,
      failed: 1,
      total: 10,
      percent: 70,
      lookupsFrom: 'active',
    });
    // 7 finished in the last 5 minutes: 1.4 per minute, 3 left ≈ 129 s.
    expect(status.rebuild!.ratePerMin).toBeCloseTo(1.4, 1);
    expect(status.rebuild!.etaSec).toBeGreaterThan(100);
    expect(status.rebuild!.etaSec).toBeLessThan(160);
    expect(status.rebuild!.recentFailures).toEqual([
      expect.objectContaining({ reason: 'no file holds this content any more' }),
    ]);
    cli = await crateflow(['index']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(
      'Upgrade: generation 2 (algorithm 2, layout 1) being built: 6 of 10 tracks (70 %), 1 failed',
    );
    expect(cli.stdout).toContain('look-ups answer from generation 1 until the new one is complete');
    const json = JSON.parse((await crateflow(['index', '--json'])).stdout) as FingerprintIndexStatusView;
    expect(json.rebuild?.done).toBe(6);

    // The flip: generation 2 active, 1 retired.
    await db.dataSource.query(
      `UPDATE fingerprint_index_generations SET state = 'retired', retired_at = now() WHERE generation = 1`,
    );
    await db.dataSource.query(
      `UPDATE fingerprint_index_generations SET state = 'active', activated_at = now() WHERE generation = 2`,
    );
    status = await get();
    expect(status.active).toMatchObject({ generation: 2, tracks: 6 });
    expect(status.rebuild).toBeNull();
    expect(status.lastUpgrade).toMatchObject({ generation: 1, state: 'retired' });
    const doc = (await (await fetch(`${service.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths['/api/v1/fingerprint/index']).toBeDefined();
  }, 180_000);
});
