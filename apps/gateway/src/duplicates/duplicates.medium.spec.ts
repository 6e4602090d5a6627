import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FileKind } from '@crateflow/contracts';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
// The lifecycle tracker (ingest) applies the decisions; it runs in-process here, as its own service.
import { ingestConfigShape } from '../../../ingest/src/ingest.config';
import { IngestModule } from '../../../ingest/src/ingest.module';
import { LifecycleHandler } from '../../../ingest/src/lifecycle/lifecycle.handler';
import { ScanHandler } from '../../../ingest/src/scans/scan.handler';
import { gatewayService } from '../main';
import type { BulkOutcome, DuplicateComparisonView, DuplicateGroupView } from './duplicates.schemas';
import { deleteTestStreams, NATS_URL } from '../../../../test/support/service-harness';

const TOKEN = randomBytes(24).toString('hex');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface Seed {
  path: string;
  hash: string;
  size?: number;
  kind?: FileKind;
  missing?: boolean;
}

/**
 * The duplicates API through the real gateway, against the real database and NATS, with ingest's
 * lifecycle tracker applying the decisions: groups, canonical proposals with reasons, compare, resolve,
 * undo, resolve-all and undo-all, and the files' lifecycle state following each decision.
 */
describe('duplicates API (real PostgreSQL and NATS)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let gateway: RunningService;
  let ingest: RunningService;
  const ids = new Map<string, string>();
  const [A, B, C, D, EMPTY, COVER] = ['a', 'b', 'c', 'd', '', 'cover'].map(sha);
  const FILLER = Array.from({ length: 23 }, (_, i) => sha(`filler ${i}`));

  async function api<T>(method: string, route: string, body?: unknown, token: string | null = TOKEN) {
    const res = await fetch(`${gateway.url}${route}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      type: res.headers.get('content-type'),
    };
  }

  const state = async (path: string) =>
    (await db.dataSource.query(`SELECT state FROM files WHERE id = $1`, [ids.get(path)]))[0].state as string;

  async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const statesOf = async (paths: string[]) => Promise.all(paths.map(state));

  const seeds: Seed[] = [
    // Three copies of one lossless track: the organised copy has the shortest path.
    { path: '/lib/Music/Björk/Homogenic/03 Jóga.flac', hash: A, size: 30_000_000 },
    { path: '/lib/Incoming/dupes/copy of 03 Jóga.flac', hash: A, size: 30_000_000 },
    { path: '/lib/Backup/2019/Music/Björk/Homogenic/03 Jóga.flac', hash: A, size: 30_000_000 },
    { path: '/lib/Music/X/b.mp3', hash: B, size: 5_000_000 },
    { path: '/lib/Incoming/b (1).mp3', hash: B, size: 5_000_000 },
    // A copy that vanished does not count: no group.
    { path: '/lib/Music/c.mp3', hash: C, size: 4_000_000 },
    { path: '/lib/Old/c.mp3', hash: C, size: 4_000_000, missing: true },
    { path: '/lib/Videos/set.mkv', hash: D, size: 90_000_000, kind: 'video' },
    { path: '/lib/Incoming/set.mkv', hash: D, size: 90_000_000, kind: 'video' },
    // Empty files and companions are not duplicate groups.
    { path: '/lib/Broken/empty1.mp3', hash: EMPTY, size: 0 },
    { path: '/lib/Broken/empty2.mp3', hash: EMPTY, size: 0 },
    { path: '/lib/Music/X/cover.jpg', hash: COVER, kind: 'companion' },
    { path: '/lib/Music/Y/cover.jpg', hash: COVER, kind: 'companion' },
    ...FILLER.flatMap((h, i) => [
      { path: `/lib/Filler/${String(i).padStart(2, '0')}/one.mp3`, hash: h, size: 1000 + i },
      { path: `/lib/Filler/${String(i).padStart(2, '0')}/two.mp3`, hash: h, size: 1000 + i },
    ]),
  ];

  beforeAll(async () => {
    db = await createTestDatabase('duplicates');
    const scan = randomUUID();
    for (const s of seeds) ids.set(s.path, randomUUID());
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state, missing_since,
                          first_seen_scan_id, last_seen_scan_id)
       SELECT u.id, '/lib', u.path, convert_to(u.path, 'UTF8'), convert_to(regexp_replace(u.path, '/[^/]*$', ''), 'UTF8'),
              regexp_replace(u.path, '^.*/', ''), regexp_replace(u.path, '^.*\\.', ''), u.kind, u.size, 1700000000000, u.hash,
              'PROPOSAL_GENERATED', CASE WHEN u.missing THEN now() END, $6, $6
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $7::boolean[]) AS u(id, path, kind, size, hash, missing)`,
      [
        seeds.map((s) => ids.get(s.path)),
        seeds.map((s) => s.path),
        seeds.map((s) => s.kind ?? 'music'),
        seeds.map((s) => s.size ?? 100_000),
        seeds.map((s) => s.hash),
        scan,
        seeds.map((s) => s.missing ?? false),
      ],
    );
    // A file in PROPOSAL_GENERATED has a proposal (an un-resolved duplicate returns there only while it exists).
    await db.dataSource.query(
      `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_name, destination_key,
                              confidence, facts, reason, context)
       SELECT gen_random_uuid(), id, content_hash, 'pending', 'rules', path, name, lower(path), 0.5, '{}', 'seed', '{}'
         FROM files`,
    );
    // What the metadata stage stored: read for one copy of A (the others not reached yet), failed for one of B.
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, title, album, year, label, genres, codec, container,
                                  lossless, bitrate, sample_rate, channels, bits_per_sample, duration_sec, has_cover)
       VALUES ($1, $2, 'read', 'Björk', 'Jóga', 'Homogenic', 1997, 'One Little Indian', '["Electronic"]', 'FLAC', 'flac',
               true, 900000, 44100, 2, 16, 305.2, true)`,
      [ids.get('/lib/Backup/2019/Music/Björk/Homogenic/03 Jóga.flac'), A],
    );
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, failure_kind, failure_reason)
       VALUES ($1, $2, 'failed', 'unreadable', 'unreadable: permission denied')`,
      [ids.get('/lib/Incoming/b (1).mp3'), B],
    );
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
    };
    gateway = await runService(gatewayService, { ...env, CRATEFLOW_API_TOKEN: TOKEN, CRATEFLOW_UI_ENABLED: 'false' });
    ingest = await runService(
      {
        name: 'ingest',
        configShape: ingestConfigShape,
        module: IngestModule,
        subscribers: [ScanHandler, LifecycleHandler],
      },
      env,
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await ingest?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  it('lists exact groups largest first, with the proposed canonical copy and the reasons', async () => {
    const { status, body } = await api<{ items: DuplicateGroupView[]; nextCursor: string | null }>(
      'GET',
      '/api/v1/duplicates?limit=3',
    );
    expect(status).toBe(200);
    const [first, second, third] = body.items;
    expect(first).toMatchObject({
      key: `exact:${A}`,
      kind: 'exact',
      contentHash: A,
      memberCount: 3,
      size: 30_000_000,
      redundantBytes: 60_000_000,
    });
    expect(first.status).toBe('unresolved');
    expect(first.resolution).toBeNull();
    // Same bytes, same tags: every copy shows what the one that was read gave.
    expect(first.members.map((m) => [m.path, m.metadata, m.lossless, m.tagCompleteness.score])).toEqual([
      ['/lib/Music/Björk/Homogenic/03 Jóga.flac', 'read', true, 0.78],
      ['/lib/Incoming/dupes/copy of 03 Jóga.flac', 'read', true, 0.78],
      ['/lib/Backup/2019/Music/Björk/Homogenic/03 Jóga.flac', 'read', true, 0.78],
    ]);
    expect(first.proposal.canonicalFileId).toBe(ids.get('/lib/Music/Björk/Homogenic/03 Jóga.flac'));
    expect(first.proposal.reasons).toEqual([
      {
        fileId: ids.get('/lib/Incoming/dupes/copy of 03 Jóga.flac'),
        decidedBy: 'path',
        reason:
          'both lossless; same bitrate (900 kbps); equally complete tags (78%); shorter path: 39 characters beats 40',
      },
      {
        fileId: ids.get('/lib/Backup/2019/Music/Björk/Homogenic/03 Jóga.flac'),
        decidedBy: 'path',
        reason: expect.stringMatching(/shorter path: 39 characters beats 51$/),
      },
    ]);
    expect(second).toMatchObject({ key: `exact:${D}`, memberCount: 2, redundantBytes: 90_000_000 });
    expect(third).toMatchObject({ key: `exact:${B}`, memberCount: 2 });
    expect(third.members.map((m) => m.metadata)).toEqual(['pending', 'failed']);
    expect(body.nextCursor).toEqual(expect.any(String));
  });

  it('pages through every group exactly once, never a vanished copy, an empty file or a companion', async () => {
    const keys: string[] = [];
    const sizes: [number, number][] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: DuplicateGroupView[]; nextCursor: string | null } } = await api(
        'GET',
        `/api/v1/duplicates?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      keys.push(...page.body.items.map((g) => g.key));
      sizes.push(...page.body.items.map((g): [number, number] => [g.memberCount, g.redundantBytes]));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(keys).toHaveLength(3 + FILLER.length);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain(`exact:${C}`);
    expect(keys).not.toContain(`exact:${EMPTY}`);
    expect(keys).not.toContain(`exact:${COVER}`);
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i][0] < sizes[i - 1][0] || (sizes[i][0] === sizes[i - 1][0] && sizes[i][1] <= sizes[i - 1][1])).toBe(
        true,
      );
    }
    expect((await api('GET', '/api/v1/duplicates?cursor=bogus')).status).toBe(400);
    expect((await api('GET', '/api/v1/duplicates?limit=0')).status).toBe(400);
  });

  it('compares the members side by side', async () => {
    const { status, body } = await api<DuplicateComparisonView>('GET', `/api/v1/duplicates/exact:${B}`);
    expect(status).toBe(200);
    expect(body.members.map((m) => [m.name, m.metadata, m.tags, m.failureReason])).toEqual([
      ['b.mp3', 'pending', null, null],
      ['b (1).mp3', 'failed', null, 'unreadable: permission denied'],
    ]);
    const a = await api<DuplicateComparisonView>('GET', `/api/v1/duplicates/exact:${A}`);
    expect(a.body.members[0].tags).toMatchObject({
      artist: 'Björk',
      title: 'Jóga',
      album: 'Homogenic',
      year: 1997,
      label: 'One Little Indian',
    });
    expect(a.body.members[2].stream).toMatchObject({
      codec: 'FLAC',
      lossless: true,
      bitrate: 900000,
      sampleRate: 44100,
      durationSec: 305.2,
    });
    expect(a.body.differences).toEqual([]);
    for (const key of [`exact:${C}`, `exact:${'0'.repeat(64)}`, 'exact:nothex', 'recording:1', 'resolutions']) {
      const res = await api<{ type: string }>('GET', `/api/v1/duplicates/${key}`);
      expect(res.status).toBe(404);
      expect(res.type).toMatch(/^application\/problem\+json/);
    }
  });

  it('resolves a group with the proposed canonical copy, and undoes it', async () => {
    const [canonical, copy, backup] = [
      '/lib/Music/Björk/Homogenic/03 Jóga.flac',
      '/lib/Incoming/dupes/copy of 03 Jóga.flac',
      '/lib/Backup/2019/Music/Björk/Homogenic/03 Jóga.flac',
    ];
    expect((await api('POST', `/api/v1/duplicates/exact:${A}/resolution`, {}, null)).status).toBe(401);
    expect(
      (await api('POST', `/api/v1/duplicates/exact:${A}/resolution`, { canonicalFileId: ids.get('/lib/Music/c.mp3') }))
        .status,
    ).toBe(400);
    expect((await api('POST', `/api/v1/duplicates/exact:${A}/resolution`, { keep: 'all' })).status).toBe(400);

    const { status, body } = await api<DuplicateGroupView>('POST', `/api/v1/duplicates/exact:${A}/resolution`);
    expect(status).toBe(200);
    expect(body.status).toBe('resolved');
    expect(body.resolution).toMatchObject({ canonicalFileId: ids.get(canonical), canonicalWasProposed: true });
    expect(body.members.map((m) => m.role)).toEqual(['canonical', 'duplicate', 'duplicate']);
    await eventually('both copies marked', async () =>
      (await statesOf([copy, backup])).every((s) => s === 'DUPLICATE_RESOLVED'),
    );
    expect(await state(canonical)).toBe('PROPOSAL_GENERATED');
    const [stored] = await db.dataSource.query(`SELECT reasons FROM duplicate_resolutions WHERE group_key = $1`, [
      `exact:${A}`,
    ]);
    expect(stored.reasons).toHaveLength(2);

    // The same decision again is fine (and finishes one that failed half-way); another one is a conflict.
    expect(
      (await api('POST', `/api/v1/duplicates/exact:${A}/resolution`, { canonicalFileId: ids.get(canonical) })).status,
    ).toBe(200);
    const conflict = await api<{ status: number; detail: string }>('POST', `/api/v1/duplicates/exact:${A}/resolution`, {
      canonicalFileId: ids.get(copy),
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toMatch(/undo that resolution first/);
    const resolved = await api<{ items: DuplicateGroupView[] }>('GET', '/api/v1/duplicates?status=resolved');
    expect(resolved.body.items.map((g) => g.key)).toEqual([`exact:${A}`]);

    expect((await api('DELETE', `/api/v1/duplicates/exact:${A}/resolution`, undefined, null)).status).toBe(401);
    expect((await api('DELETE', `/api/v1/duplicates/exact:${A}/resolution`)).status).toBe(204);
    await eventually('both copies released', async () =>
      (await statesOf([copy, backup])).every((s) => s === 'PROPOSAL_GENERATED'),
    );
    expect((await api('DELETE', `/api/v1/duplicates/exact:${A}/resolution`)).status).toBe(404);
    const after = await api<DuplicateComparisonView>('GET', `/api/v1/duplicates/exact:${A}`);
    expect(after.body).toMatchObject({ status: 'unresolved', resolution: null });
    expect(after.body.members.map((m) => m.role)).toEqual([null, null, null]);
    const history = await db.dataSource.query(
      `SELECT undone_at IS NOT NULL AS undone, canonical_was_proposed FROM duplicate_resolutions WHERE group_key = $1`,
      [`exact:${A}`],
    );
    expect(history).toEqual([{ undone: true, canonical_was_proposed: true }]);
  });

  it('keeps the copy a person chooses instead of the proposed one', async () => {
    const chosen = ids.get('/lib/Incoming/set.mkv')!;
    const { status, body } = await api<DuplicateGroupView>('POST', `/api/v1/duplicates/exact:${D}/resolution`, {
      canonicalFileId: chosen,
    });
    expect(status).toBe(200);
    expect(body.resolution).toMatchObject({ canonicalFileId: chosen, canonicalWasProposed: false });
    expect(body.proposal.canonicalFileId).toBe(ids.get('/lib/Videos/set.mkv'));
    await eventually(
      'the other copy marked',
      async () => (await state('/lib/Videos/set.mkv')) === 'DUPLICATE_RESOLVED',
    );
    expect(await state('/lib/Incoming/set.mkv')).toBe('PROPOSAL_GENERATED');
  });

  it('resolves every group at once, and undoes them all', async () => {
    const all = await api<BulkOutcome>('POST', '/api/v1/duplicates/resolutions');
    expect(all.status).toBe(200);
    // D was resolved already; A, B and the fillers are resolved now, one duplicate each but two for A.
    expect(all.body).toEqual({ groups: 2 + FILLER.length, files: 2 + 1 + FILLER.length });
    expect((await api<{ items: unknown[] }>('GET', '/api/v1/duplicates?status=unresolved')).body.items).toEqual([]);
    const duplicates = seeds
      .filter((s) => /two\.mp3$|copy of|Backup|b \(1\)|Videos\/set/.test(s.path))
      .map((s) => s.path);
    await eventually('every duplicate marked', async () =>
      (await statesOf(duplicates)).every((s) => s === 'DUPLICATE_RESOLVED'),
    );
    expect(await state('/lib/Filler/00/one.mp3')).toBe('PROPOSAL_GENERATED');
    expect(await state('/lib/Old/c.mp3')).toBe('PROPOSAL_GENERATED');
    expect((await api<BulkOutcome>('POST', '/api/v1/duplicates/resolutions')).body).toEqual({ groups: 0, files: 0 });

    expect((await api('DELETE', '/api/v1/duplicates/resolutions', undefined, null)).status).toBe(401);
    const undone = await api<BulkOutcome>('DELETE', '/api/v1/duplicates/resolutions');
    expect(undone.status).toBe(200);
    expect(undone.body).toEqual({ groups: 3 + FILLER.length, files: duplicates.length });
    await eventually('every duplicate released', async () =>
      (await statesOf(duplicates)).every((s) => s === 'PROPOSAL_GENERATED'),
    );
    expect((await api<{ items: unknown[] }>('GET', '/api/v1/duplicates?status=resolved')).body.items).toEqual([]);
  });

  it('announces again a decision whose events were lost', async () => {
    // A decision recorded while the bus failed: no file was marked.
    const resolutionId = randomUUID();
    const [one, two] = ['/lib/Filler/05/one.mp3', '/lib/Filler/05/two.mp3'].map((p) => ids.get(p)!);
    await db.dataSource.query(
      `INSERT INTO duplicate_resolutions (id, group_key, kind, canonical_file_id, canonical_was_proposed, reasons) VALUES ($1, $2, 'exact', $3, true, '[]')`,
      [resolutionId, `exact:${FILLER[5]}`, one],
    );
    await db.dataSource.query(
      `INSERT INTO duplicate_resolution_members (resolution_id, file_id, role, content_hash) VALUES ($1, $2, 'canonical', $4), ($1, $3, 'duplicate', $4)`,
      [resolutionId, one, two, FILLER[5]],
    );
    expect(await state('/lib/Filler/05/two.mp3')).toBe('PROPOSAL_GENERATED');
    await api('POST', '/api/v1/duplicates/resolutions');
    await eventually(
      'the lost event re-sent',
      async () => (await state('/lib/Filler/05/two.mp3')) === 'DUPLICATE_RESOLVED',
    );
    await api('DELETE', '/api/v1/duplicates/resolutions');
  });
});
