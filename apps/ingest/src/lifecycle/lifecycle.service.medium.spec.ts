import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { LifecycleRepository } from '../repositories/lifecycle.repository';
import { LifecycleService } from './lifecycle.service';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

describe('LifecycleService against the real database', () => {
  let db: TestDatabase;
  let service: LifecycleService;
  beforeAll(async () => {
    db = await createTestDatabase('lifecycle');
    service = new LifecycleService(new LifecycleRepository(db.dataSource));
  });
  afterAll(() => db?.drop());

  async function insertFile(hash = H1): Promise<string> {
    const id = randomUUID();
    const scan = randomUUID();
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
       VALUES ($1, '/m', $2, $3, $4, 'a.mp3', 'mp3', 'music', 1, 1, $5, $6, $6)`,
      [id, `/m/${id}.mp3`, Buffer.from(`/m/${id}.mp3`), Buffer.from('/m'), hash, scan],
    );
    await service.fileIngested('new', id, hash, scan);
    return id;
  }
  const state = async (id: string) =>
    (await db.dataSource.query(`SELECT state FROM files WHERE id = $1`, [id]))[0].state;
  const statuses = async (id: string) =>
    Object.fromEntries(
      (await db.dataSource.query(`SELECT stage, status FROM file_stage_statuses WHERE file_id = $1`, [id])).map(
        (r: { stage: string; status: string }) => [r.stage, r.status],
      ),
    );

  it('a new file has every stage pending', async () => {
    const id = await insertFile();
    expect(await statuses(id)).toEqual({
      metadata: 'pending',
      fingerprint: 'pending',
      analysis: 'pending',
      proposer: 'pending',
    });
    expect(await state(id)).toBe('DISCOVERED');
  });

  it('walks the chain; skipped and failed stages still move the file on', async () => {
    const id = await insertFile();
    await service.stageStarted(id, H1, 'metadata');
    expect((await statuses(id)).metadata).toBe('running');
    await service.stageFinished(id, H1, 'metadata', 'completed');
    expect(await state(id)).toBe('METADATA_EXTRACTED');
    await service.stageFinished(id, H1, 'fingerprint', 'failed', 'could not decode: truncated');
    expect(await state(id)).toBe('FINGERPRINTED');
    await service.stageFinished(id, H1, 'analysis', 'skipped', 'not audio');
    await service.stageFinished(id, H1, 'proposer', 'completed');
    expect(await state(id)).toBe('PROPOSAL_GENERATED');
    expect(await statuses(id)).toEqual({
      metadata: 'done',
      fingerprint: 'failed',
      analysis: 'skipped',
      proposer: 'done',
    });
    const [reason] = await db.dataSource.query(
      `SELECT reason FROM file_stage_statuses WHERE file_id = $1 AND stage = 'fingerprint'`,
      [id],
    );
    expect(reason.reason).toBe('could not decode: truncated');
    const history = await db.dataSource.query(
      `SELECT event, from_state, to_state FROM file_history WHERE file_id = $1 ORDER BY id`,
      [id],
    );
    expect(history.map((h: { event: string }) => h.event)).toEqual([
      'discovered',
      'metadata.completed',
      'fingerprint.failed',
      'analysis.skipped',
      'proposer.completed',
    ]);
    expect(history[1]).toMatchObject({ from_state: 'DISCOVERED', to_state: 'METADATA_EXTRACTED' });
    expect(history[4]).toMatchObject({ from_state: 'ANALYZED', to_state: 'PROPOSAL_GENERATED' });
  });

  it('a late "started" does not undo a finished stage, and repeats change nothing', async () => {
    const id = await insertFile();
    await service.stageFinished(id, H1, 'metadata', 'completed');
    await service.stageStarted(id, H1, 'metadata');
    await service.stageFinished(id, H1, 'metadata', 'completed');
    expect((await statuses(id)).metadata).toBe('done');
    expect(await state(id)).toBe('METADATA_EXTRACTED');
  });

  it('never moves a file backwards when events arrive out of order', async () => {
    const id = await insertFile();
    await service.stageFinished(id, H1, 'analysis', 'completed');
    expect(await state(id)).toBe('ANALYZED');
    await service.stageFinished(id, H1, 'metadata', 'completed');
    expect(await state(id)).toBe('ANALYZED');
  });

  it('ignores outcomes about content that has since changed, and re-enters changed files', async () => {
    const id = await insertFile(H1);
    await service.stageFinished(id, H1, 'metadata', 'completed');
    await db.dataSource.query(`UPDATE files SET content_hash = $2, generation = 2 WHERE id = $1`, [id, H2]);
    await service.fileIngested('changed', id, H2, randomUUID(), 2);
    expect(await state(id)).toBe('DISCOVERED');
    expect((await statuses(id)).metadata).toBe('pending');
    await service.stageFinished(id, H1, 'fingerprint', 'completed'); // stale: about H1
    expect(await state(id)).toBe('DISCOVERED');
    expect((await statuses(id)).fingerprint).toBe('pending');
  });

  it('marks a duplicate resolved and back, guarded by content and by state', async () => {
    const id = await insertFile(H1);
    const resolution = randomUUID();
    const canonical = randomUUID();
    await service.stageFinished(id, H1, 'metadata', 'completed');
    await service.duplicateResolved(id, H1, resolution, canonical);
    expect(await state(id)).toBe('DUPLICATE_RESOLVED');
    // A repeat changes nothing; later pipeline outcomes do not move a resolved file.
    await service.duplicateResolved(id, H1, resolution, canonical);
    await service.stageFinished(id, H1, 'analysis', 'completed');
    expect(await state(id)).toBe('DUPLICATE_RESOLVED');
    // Back where its data says it is: analysis finished meanwhile, and no proposal exists to claim.
    await service.duplicateUnresolved(id, H1, resolution);
    expect(await state(id)).toBe('ANALYZED');
    await service.duplicateUnresolved(id, H1, resolution);
    expect(await state(id)).toBe('ANALYZED');
  });

  it('an un-resolved duplicate returns to its proposal state only while its proposal exists', async () => {
    const id = await insertFile(H1);
    for (const stage of ['metadata', 'fingerprint', 'analysis'] as const)
      await service.stageFinished(id, H1, stage, 'completed');
    await db.dataSource.query(
      `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_name, destination_key,
                              confidence, facts, reason, context)
       VALUES ($1, $2, $3, 'pending', 'rules', 'a.mp3', 'A - B.mp3', 'a - b.mp3', 0.9, '{}', 'tags', '{}')`,
      [randomUUID(), id, H1],
    );
    await service.stageFinished(id, H1, 'proposer', 'completed');
    await service.proposalDecided(id, H1, 'approved', 'approved', randomUUID(), 1);
    expect(await state(id)).toBe('APPROVED');
    const resolution = randomUUID();
    await service.duplicateResolved(id, H1, resolution, randomUUID());
    await service.duplicateUnresolved(id, H1, resolution);
    expect(await state(id)).toBe('APPROVED');
  });

  it('follows review decisions: approve, reject, reopen; a proposer that stored nothing leaves the file ANALYZED', async () => {
    const id = await insertFile(H1);
    for (const stage of ['metadata', 'fingerprint', 'analysis'] as const)
      await service.stageFinished(id, H1, stage, 'completed');
    await service.stageFinished(id, H1, 'proposer', 'skipped', 'a companion travels with its media file');
    expect(await state(id)).toBe('ANALYZED');
    expect((await statuses(id)).proposer).toBe('skipped');
    // A decision about a file without a proposal state changes nothing.
    await service.proposalDecided(id, H1, 'approved', 'approved', randomUUID(), 1);
    expect(await state(id)).toBe('ANALYZED');

    await service.stageFinished(id, H1, 'proposer', 'completed');
    expect(await state(id)).toBe('PROPOSAL_GENERATED');
    const proposal = randomUUID();
    await service.proposalDecided(id, H1, 'approved', 'approved', proposal, 1);
    expect(await state(id)).toBe('APPROVED');
    await service.proposalDecided(id, H1, 'undone', 'pending', proposal, 2);
    expect(await state(id)).toBe('PROPOSAL_GENERATED');
    await service.proposalDecided(id, H1, 'rejected', 'rejected', proposal, 3);
    expect(await state(id)).toBe('REJECTED');
    // A decision about older content is stale.
    await service.proposalDecided(id, H2, 'approved', 'approved', proposal, 4);
    expect(await state(id)).toBe('REJECTED');
    const history = await db.dataSource.query(
      `SELECT event FROM file_history WHERE file_id = $1 AND event LIKE 'proposal.%' ORDER BY id`,
      [id],
    );
    expect(history.map((h: { event: string }) => h.event)).toEqual([
      'proposal.approved',
      'proposal.undone',
      'proposal.rejected',
    ]);
  });

  it('ignores a duplicate decision about content the file no longer has, and never touches executed files', async () => {
    const id = await insertFile(H1);
    await service.duplicateResolved(id, H2, randomUUID(), randomUUID());
    expect(await state(id)).toBe('DISCOVERED');
    await db.dataSource.query(`UPDATE files SET state = 'EXECUTED' WHERE id = $1`, [id]);
    await service.duplicateResolved(id, H1, randomUUID(), randomUUID());
    expect(await state(id)).toBe('EXECUTED');
  });

  const historyOf = async (id: string) =>
    (
      await db.dataSource.query(`SELECT event, from_state, to_state FROM file_history WHERE file_id = $1 ORDER BY id`, [
        id,
      ])
    ).map((h: { event: string }) => h.event);
  /** What ingest's scan does when it finds new bytes: record them as the file's next round. */
  const recordChange = (id: string, hash: string) =>
    db.dataSource
      .query(`UPDATE files SET content_hash = $2, generation = generation + 1 WHERE id = $1 RETURNING generation`, [
        id,
        hash,
      ])
      .then((r: [{ generation: number }[]]) => r[0][0].generation);

  it('a redelivered "changed" after the chain moved on changes nothing and leaves one history row', async () => {
    const id = await insertFile(H1);
    const g = await recordChange(id, H2);
    const scan = randomUUID();
    await service.fileIngested('changed', id, H2, scan, g);
    await service.stageFinished(id, H2, 'metadata', 'completed', undefined, g);
    // Ingest died before acknowledging: the same event comes again, twice.
    await service.fileIngested('changed', id, H2, scan, g);
    await service.fileIngested('changed', id, H2, scan, g);
    expect(await state(id)).toBe('METADATA_EXTRACTED');
    expect((await statuses(id)).metadata).toBe('done');
    expect(await historyOf(id)).toEqual(['discovered', 'changed', 'metadata.completed']);
    // A repeat of the first round's "discovered" is older still.
    await service.fileIngested('new', id, H1, scan, 1);
    expect(await historyOf(id)).toEqual(['discovered', 'changed', 'metadata.completed']);
  });

  it('a repeated stage outcome is recorded once', async () => {
    const id = await insertFile(H1);
    for (let i = 0; i < 3; i++) await service.stageFinished(id, H1, 'metadata', 'completed', undefined, 1);
    expect(await historyOf(id)).toEqual(['discovered', 'metadata.completed']);
  });

  it('outcomes that overtook their round\'s "changed" are kept, then applied in order when it arrives', async () => {
    const id = await insertFile(H1);
    await service.stageFinished(id, H1, 'metadata', 'completed', undefined, 1);
    const g = await recordChange(id, H2);
    await service.stageStarted(id, H2, 'metadata', g); // only news: ignored
    await service.stageFinished(id, H2, 'fingerprint', 'failed', 'not decodable', g);
    await service.stageFinished(id, H2, 'metadata', 'completed', undefined, g);
    await service.stageFinished(id, H2, 'metadata', 'completed', undefined, g); // a repeat while waiting
    expect(await state(id)).toBe('METADATA_EXTRACTED'); // still round 1's state: the change is not entered yet
    await service.fileIngested('changed', id, H2, randomUUID(), g);
    expect(await state(id)).toBe('FINGERPRINTED');
    expect(await statuses(id)).toMatchObject({ metadata: 'done', fingerprint: 'failed', analysis: 'pending' });
    expect(await historyOf(id)).toEqual([
      'discovered',
      'metadata.completed',
      'changed',
      'metadata.completed',
      'fingerprint.failed',
    ]);
    await service.fileIngested('changed', id, H2, randomUUID(), g); // redelivered: nothing happens
    await service.stageFinished(id, H2, 'metadata', 'completed', undefined, g);
    expect(await historyOf(id)).toHaveLength(5);
  });

  it('keeps files.stage_flags (the file list read model) equal to the failed and skipped statuses, through redelivery and new rounds', async () => {
    const id = await insertFile(H1);
    const flags = async () =>
      (await db.dataSource.query(`SELECT stage_flags FROM files WHERE id = $1`, [id]))[0].stage_flags;
    const rowVersion = async () =>
      (await db.dataSource.query(`SELECT xmin::text AS v FROM files WHERE id = $1`, [id]))[0].v as string;
    expect(await flags()).toEqual([]);
    await service.stageFinished(id, H1, 'metadata', 'completed', undefined, 1);
    await service.stageFinished(id, H1, 'fingerprint', 'failed', 'not decodable', 1);
    await service.stageFinished(id, H1, 'analysis', 'skipped', 'not audio', 1);
    expect(await flags()).toEqual(['analysis:skipped', 'fingerprint:failed']);
    // Redelivered outcomes change nothing, not even the row (no write).
    const row = await rowVersion();
    await service.stageFinished(id, H1, 'fingerprint', 'failed', 'not decodable', 1);
    await service.stageFinished(id, H1, 'analysis', 'skipped', 'not audio', 1);
    expect(await rowVersion()).toBe(row);
    expect(await flags()).toEqual(['analysis:skipped', 'fingerprint:failed']);
    // New content: every stage back to pending, no flags; the outcome of the new round that overtook the
    // `changed` event is flagged when it is recorded, and stays flagged when the round is entered.
    const g = await recordChange(id, H2);
    await service.stageFinished(id, H2, 'metadata', 'failed', 'tag parse error', g);
    expect(await flags()).toEqual(['analysis:skipped', 'fingerprint:failed', 'metadata:failed']);
    await service.fileIngested('changed', id, H2, randomUUID(), g);
    expect(await flags()).toEqual(['metadata:failed']);
    await service.fileIngested('changed', id, H2, randomUUID(), g); // redelivered
    expect(await flags()).toEqual(['metadata:failed']);
    // An outcome of the old content is stale: nothing recorded, nothing flagged.
    await service.stageFinished(id, H1, 'analysis', 'failed', 'old', 1);
    expect(await flags()).toEqual(['metadata:failed']);
    await service.stageFinished(id, H2, 'analysis', 'failed', 'truncated', g);
    expect(await flags()).toEqual(['analysis:failed', 'metadata:failed']);
  });

  it('keeps files.bpm and camelot (the file list read model) equal to the analysis of the current content', async () => {
    const id = await insertFile(H1);
    const facts = async () =>
      (
        await db.dataSource.query(`SELECT bpm::float AS bpm, camelot, xmin::text AS v FROM files WHERE id = $1`, [id])
      )[0];
    // What the analysis stage stores before it announces its outcome.
    const analysed = (hash: string, bpm: number | null, camelot: string | null, status = 'done') =>
      db.dataSource.query(
        `INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, bpm, camelot)
         VALUES ($1, $2, 1, $3, $4, $5)
         ON CONFLICT (file_id) DO UPDATE SET content_hash = $2, status = $3, bpm = $4, camelot = $5`,
        [id, hash, status, bpm, camelot],
      );
    expect(await facts()).toMatchObject({ bpm: null, camelot: null });
    await analysed(H1, 124.5, '8A');
    await service.stageFinished(id, H1, 'analysis', 'completed', undefined, 1);
    expect(await facts()).toMatchObject({ bpm: 124.5, camelot: '8A' });
    const { v } = await facts();
    await service.stageFinished(id, H1, 'analysis', 'completed', undefined, 1); // redelivered: no write
    expect((await facts()).v).toBe(v);
    // A retried analysis stores a new measurement and announces the same outcome again: followed.
    await analysed(H1, 126, '9A');
    await service.stageFinished(id, H1, 'analysis', 'completed', undefined, 1);
    expect(await facts()).toMatchObject({ bpm: 126, camelot: '9A' });
    // New content: the old analysis no longer describes the file.
    const g = await recordChange(id, H2);
    await service.fileIngested('changed', id, H2, randomUUID(), g);
    expect(await facts()).toMatchObject({ bpm: null, camelot: null });
    await analysed(H2, null, null, 'failed');
    await service.stageFinished(id, H2, 'analysis', 'failed', 'undecodable', g);
    expect(await facts()).toMatchObject({ bpm: null, camelot: null });
    await analysed(H2, 98, null);
    await service.stageFinished(id, H2, 'analysis', 'completed', undefined, g);
    expect(await facts()).toMatchObject({ bpm: 98, camelot: null });
  });

  it('content that changes back to earlier bytes runs the chain again (a new round, not a repeat)', async () => {
    const id = await insertFile(H1);
    await service.stageFinished(id, H1, 'metadata', 'completed', undefined, 1);
    await service.stageFinished(id, H1, 'fingerprint', 'completed', undefined, 1);
    const g2 = await recordChange(id, H2);
    await service.fileIngested('changed', id, H2, randomUUID(), g2);
    const g3 = await recordChange(id, H1);
    await service.fileIngested('changed', id, H1, randomUUID(), g3);
    expect(await state(id)).toBe('DISCOVERED');
    expect((await statuses(id)).metadata).toBe('pending');
    await service.stageFinished(id, H1, 'metadata', 'completed', undefined, 1); // the old round's, late: stale
    expect((await statuses(id)).metadata).toBe('pending');
    await service.stageFinished(id, H1, 'metadata', 'completed', undefined, g3);
    expect(await state(id)).toBe('METADATA_EXTRACTED');
    expect((await historyOf(id)).filter((e: string) => e === 'changed')).toHaveLength(2);
  });

  it('a redelivered "missing" is recorded once per scan', async () => {
    const id = await insertFile(H1);
    const scan = randomUUID();
    await service.fileMissing(id, scan);
    await service.fileMissing(id, scan);
    await service.fileMissing(id, randomUUID());
    expect((await historyOf(id)).filter((e: string) => e === 'missing')).toHaveLength(2);
  });

  it('ignores events for unknown files', async () => {
    await expect(service.stageFinished(randomUUID(), H1, 'metadata', 'completed')).resolves.toBeUndefined();
  });

  it('records the new path of a file the executor moved, keeping its identity, and moves it back on undo', async () => {
    const id = await insertFile();
    await db.dataSource.query(`UPDATE files SET state = 'APPROVED' WHERE id = $1`, [id]);
    const moved = {
      fileId: id,
      executionId: randomUUID(),
      operationId: randomUUID(),
      contentHash: H1,
      size: 1,
      mtimeMs: 2.5,
    };
    const to = `/m/Artist/Album/01 - Title.mp3`;
    await service.fileRelocated({ ...moved, action: 'moved', path: to, pathKey: Buffer.from(to).toString('base64') });
    const [row] = await db.dataSource.query(
      `SELECT path, path_key, dir_key, name, ext, mtime_ms, state FROM files WHERE id = $1`,
      [id],
    );
    expect(row).toMatchObject({ path: to, name: '01 - Title.mp3', ext: 'mp3', mtime_ms: 2.5, state: 'EXECUTED' });
    expect(row.path_key.toString()).toBe(to);
    expect(row.dir_key.toString()).toBe('/m/Artist/Album');
    // A repeated event changes nothing more; an undo puts the old path back and the file is APPROVED again.
    await service.fileRelocated({ ...moved, action: 'moved', path: to, pathKey: Buffer.from(to).toString('base64') });
    const back = `/m/${id}.mp3`;
    await service.fileRelocated({
      ...moved,
      action: 'restored',
      path: back,
      pathKey: Buffer.from(back).toString('base64'),
    });
    expect((await db.dataSource.query(`SELECT path, state FROM files WHERE id = $1`, [id]))[0]).toEqual({
      path: back,
      state: 'APPROVED',
    });
    // A path another row holds is never taken over.
    const other = await insertFile();
    await service.fileRelocated({
      ...moved,
      action: 'moved',
      path: `/m/${other}.mp3`,
      pathKey: Buffer.from(`/m/${other}.mp3`).toString('base64'),
    });
    expect((await db.dataSource.query(`SELECT path FROM files WHERE id = $1`, [id]))[0].path).toBe(back);
  });

  it('makes a copy into the output root a file of its own, linked to its source, and removes it on undo', async () => {
    const source = await insertFile();
    await db.dataSource.query(`UPDATE files SET state = 'APPROVED' WHERE id = $1`, [source]);
    const copyId = randomUUID();
    const to = `/out/Artist/${copyId}.mp3`;
    const copied = {
      fileId: source,
      executionId: randomUUID(),
      operationId: copyId,
      contentHash: H1,
      size: 1,
      mtimeMs: 1,
      action: 'copied' as const,
      path: to,
      pathKey: Buffer.from(to).toString('base64'),
      copyFileId: copyId,
      copyRoot: '/out',
    };
    await service.fileRelocated(copied);
    await service.fileRelocated(copied); // a repeat changes nothing
    const rows = await db.dataSource.query(
      `SELECT id, root, path, path_key, kind, size, content_hash, state, generation, lifecycle_generation, copied_from_file_id
         FROM files WHERE copied_from_file_id = $1`,
      [source],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: copyId,
      root: '/out',
      path: to,
      kind: 'music',
      content_hash: H1,
      state: 'EXECUTED',
      generation: 1,
      lifecycle_generation: 1,
    });
    expect(rows[0].path_key.toString()).toBe(to);
    // The source stays where it was, executed; its history tells of the copy.
    expect((await db.dataSource.query(`SELECT path, state FROM files WHERE id = $1`, [source]))[0]).toEqual({
      path: `/m/${source}.mp3`,
      state: 'EXECUTED',
    });
    expect(await historyOf(copyId)).toEqual(['execution.copied']);

    // Undo removed the copy from disk: its row goes; a late repeat of the copy event does not bring it back.
    const back = `/m/${source}.mp3`;
    await service.fileRelocated({
      ...copied,
      operationId: randomUUID(),
      action: 'unpublished',
      path: back,
      pathKey: Buffer.from(back).toString('base64'),
      copyRoot: undefined,
    });
    expect(await db.dataSource.query(`SELECT id FROM files WHERE id = $1`, [copyId])).toEqual([]);
    expect(await state(source)).toBe('APPROVED');
    await service.fileRelocated(copied);
    expect(await db.dataSource.query(`SELECT id FROM files WHERE id = $1`, [copyId])).toEqual([]);
  });
});
