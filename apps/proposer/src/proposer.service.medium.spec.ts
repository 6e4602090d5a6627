import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { LlmProposer } from './llm/llm-proposer';
import { LocalRequestBudget } from './llm/rate-budget';
import { DEFAULT_PROPOSER_CONFIG } from './proposer.config';
import { createProposerService } from './proposer.handler';
import { DEFAULT_TEMPLATES } from './rules/templates';

/**
 * The proposer's service on the real database: the read model, validation, collisions and what is stored,
 * with the rules and with a fake chat model (batching, an escaping answer, malformed answers).
 */
describe('proposer service', () => {
  let db: TestDatabase;
  let root: string;
  beforeAll(async () => {
    db = await createTestDatabase('proposer');
    root = mkdtempSync(path.join(tmpdir(), 'cf-proposer-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Files as ingest and metadata would have recorded them, state ANALYZED. */
  async function files(specs: { path: string; tags?: Record<string, unknown>; kind?: string; hash?: string }[]) {
    const ids: string[] = [];
    for (const s of specs) {
      const id = randomUUID();
      const full = path.join(root, s.path);
      const hash = s.hash ?? createHash('sha256').update(`${s.path}${Math.random()}`).digest('hex');
      const name = path.basename(s.path);
      await db.dataSource.query(
        `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                            first_seen_scan_id, last_seen_scan_id)
         VALUES ($1, $2, $3, convert_to($3, 'UTF8'), convert_to($4, 'UTF8'), $5, lower(regexp_replace($5, '^.*\\.', '')),
                 $6, 1000, 1700000000000, $7, 'ANALYZED', $8, $8)`,
        [id, root, full, path.dirname(full), name, s.kind ?? 'music', hash, randomUUID()],
      );
      if (s.tags) {
        await db.dataSource.query(
          `INSERT INTO file_metadata (file_id, content_hash, status, artist, title, album, track_no)
           VALUES ($1, $2, 'read', $3, $4, $5, $6)`,
          [id, hash, s.tags.artist ?? null, s.tags.title ?? null, s.tags.album ?? null, s.tags.trackNumber ?? null],
        );
      }
      ids.push(id);
    }
    return ids;
  }
  const stored = async (fileId: string) =>
    (
      await db.dataSource.query(
        `SELECT status, source, proposed_folder, proposed_name, reason, confidence, context, invalid_reason, disk_collision
           FROM proposals WHERE file_id = $1 AND status <> 'superseded'`,
        [fileId],
      )
    )[0];

  it('names an untagged file after a tagged encoding of the same recording, whichever side recorded the pair', async () => {
    const service = createProposerService(db.dataSource, DEFAULT_PROPOSER_CONFIG);
    const hash = (s: string) => createHash('sha256').update(`${s}${Math.random()}`).digest('hex');
    const [albumHash, promoHash, otherPromoHash] = [hash('album'), hash('promo'), hash('promo2')];
    const [, promo, otherPromo] = await files([
      {
        path: 'VA/01-kevin_macleod-vibe_ace.mp3',
        tags: { artist: 'Kevin MacLeod', title: 'Vibe Ace' },
        hash: albumHash,
      },
      { path: 'Promos/vibe ace PROMO 128.mp3', hash: promoHash },
      { path: 'Promos/vibeace_promo_96.mp3', hash: otherPromoHash },
    ]);
    // The album copy was fingerprinted after the first promo (so it recorded that pair), before the second.
    await db.dataSource.query(
      `INSERT INTO same_recording_matches (content_hash, other_content_hash, track_id, other_track_id, coverage,
                                           other_coverage, offset_sec, score, algorithm_version)
       VALUES ($1, $2, 1, 2, 1, 1, 0, 2000, 1), ($3, $1, 3, 1, 1, 1, 0, 2000, 1)`,
      [albumHash, promoHash, otherPromoHash],
    );
    await service.proposeFiles([promo, otherPromo]);
    for (const id of [promo, otherPromo])
      expect(await stored(id)).toMatchObject({
        proposed_folder: 'music/Kevin MacLeod',
        proposed_name: expect.stringMatching(/^Kevin MacLeod - Vibe Ace\.mp3$/),
      });
  });

  it('proposes again the untagged encodings proposed before their tagged copy was known, unless a person touched them', async () => {
    const service = createProposerService(db.dataSource, DEFAULT_PROPOSER_CONFIG);
    const hash = (s: string) => createHash('sha256').update(`${s}${Math.random()}`).digest('hex');
    const [promoHash, ripHash, albumHash] = [hash('promo'), hash('rip'), hash('album')];
    const [promo, rip] = await files([
      { path: 'Promos/sugar plum 128.mp3', hash: promoHash },
      { path: 'Rips/track04.mp3', hash: ripHash },
    ]);
    await service.proposeFiles([promo, rip]);
    expect((await stored(promo)).proposed_name).toBe('sugar plum 128.mp3');
    // A person already chose a name for the rip: it stays as they left it.
    await db.dataSource.query(
      `INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, version, last_action, edited_name)
       SELECT id, file_id, content_hash, 'pending', 1, 'edited', 'My Rip.mp3' FROM proposals
        WHERE file_id = $1 AND status <> 'superseded'`,
      [rip],
    );
    // Later the tagged album copy arrives; its fingerprinting records the pairs from its side.
    const [album] = await files([
      {
        path: 'Album/04 Sugar Plum.flac',
        tags: { artist: 'Kevin MacLeod', title: 'Sugar Plum Fairy' },
        hash: albumHash,
      },
    ]);
    await db.dataSource.query(
      `INSERT INTO same_recording_matches (content_hash, other_content_hash, track_id, other_track_id, coverage,
                                           other_coverage, offset_sec, score, algorithm_version)
       VALUES ($1, $2, 3, 1, 1, 1, 0, 2000, 1), ($1, $3, 3, 2, 1, 1, 0, 2000, 1)`,
      [albumHash, promoHash, ripHash],
    );
    await service.proposeFiles([album]);
    const again = await service.proposeNamelessSiblings(album);
    expect(again.map((o) => [o.fileId, o.outcome])).toEqual([[promo, 'generated']]);
    expect(await stored(promo)).toMatchObject({
      status: 'pending',
      proposed_folder: 'music/Kevin MacLeod',
      proposed_name: 'Kevin MacLeod - Sugar Plum Fairy.mp3',
    });
    expect((await stored(rip)).proposed_name).toBe('track04.mp3');
    // A repeat (redelivery of the album's event) finds nothing left to do; an untagged file triggers nothing.
    expect(await service.proposeNamelessSiblings(album)).toEqual([]);
    expect(await service.proposeNamelessSiblings(rip)).toEqual([]);
  });

  it('proposes with the rules, stores the context, skips companions and never replaces a decided proposal', async () => {
    const service = createProposerService(db.dataSource, DEFAULT_PROPOSER_CONFIG);
    const [song, nfo] = await files([
      { path: 'in/a.mp3', tags: { artist: 'Caribou', title: 'Sun' } },
      { path: 'in/a.nfo', kind: 'companion' },
    ]);
    const out = await service.proposeFiles([song, nfo]);
    expect(out.map((o) => o.outcome)).toEqual(['skipped', 'generated']);
    expect(out[0]).toMatchObject({ fileId: nfo, reason: expect.stringMatching(/companion/) });
    expect(await stored(song)).toMatchObject({
      status: 'pending',
      source: 'rules',
      proposed_folder: 'music/Caribou',
      proposed_name: 'Caribou - Sun.mp3',
    });
    expect((await stored(song)).context).toMatchObject({ file: { path: 'in/a.mp3' }, tags: { artist: 'Caribou' } });
    expect((await service.proposeFiles([song]))[0].outcome).toBe('unchanged');
    const [{ id }] = await db.dataSource.query(`SELECT id FROM proposals WHERE file_id = $1`, [song]);
    await db.dataSource.query(
      `INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, version, last_action)
       SELECT id, file_id, content_hash, 'approved', 1, 'approved' FROM proposals WHERE id = $1`,
      [id],
    );
    expect((await service.proposeFiles([song], { regenerate: true }))[0].outcome).toBe('unchanged');
  });

  it('collides case-insensitively after NFC, and never proposes exact copies onto one destination', async () => {
    const service = createProposerService(db.dataSource, DEFAULT_PROPOSER_CONFIG);
    const hash = createHash('sha256').update('same bytes').digest('hex');
    const [x, y, z] = await files([
      { path: 'c/1.mp3', tags: { artist: 'Björk', title: 'Jóga' } },
      { path: 'c/2.mp3', tags: { artist: 'BJO\u0308RK', title: 'JÓGA' } },
      { path: 'd/3.mp3', tags: { artist: 'Moderat', title: 'Bad Kingdom' }, hash },
    ]);
    const [copy] = await files([{ path: 'e/3.mp3', tags: { artist: 'Moderat', title: 'Bad Kingdom' }, hash }]);
    await Promise.all([
      service.proposeFiles([x]),
      service.proposeFiles([y]),
      service.proposeFiles([z]),
      service.proposeFiles([copy]),
    ]);
    const keys = await db.dataSource.query(
      `SELECT destination_key, count(*)::int AS n FROM proposals WHERE file_id = ANY($1::uuid[]) GROUP BY 1 ORDER BY 1`,
      [[x, y]],
    );
    expect(keys).toEqual([{ destination_key: 'music/björk/björk - jóga.mp3', n: 2 }]);
    const copies = [await stored(z), await stored(copy)];
    expect(copies.filter((c) => c.proposed_folder === 'music/Moderat')).toHaveLength(1);
    expect(copies.find((c) => c.proposed_folder === null)!.reason).toMatch(/exact copy/);
    // The review list's read model: the two written at once with one key are both flagged, the others not.
    const shared: { file_id: string; destination_shared: boolean }[] = await db.dataSource.query(
      `SELECT file_id, destination_shared FROM proposals WHERE file_id = ANY($1::uuid[]) AND status <> 'superseded'`,
      [[x, y, z, copy]],
    );
    expect(Object.fromEntries(shared.map((r) => [r.file_id, r.destination_shared]))).toEqual({
      [x]: true,
      [y]: true,
      [z]: false,
      [copy]: false,
    });
  });

  it('notices a file already on disk at the destination', async () => {
    mkdirSync(path.join(root, 'music', 'Bicep'), { recursive: true });
    writeFileSync(path.join(root, 'music', 'Bicep', 'BICEP - GLUE.mp3'), 'x');
    const [f] = await files([{ path: 'in/glue.mp3', tags: { artist: 'Bicep', title: 'Glue' } }]);
    await createProposerService(db.dataSource, DEFAULT_PROPOSER_CONFIG).proposeFiles([f]);
    expect((await stored(f)).disk_collision).toBe('music/Bicep/BICEP - GLUE.mp3');
  });

  it('with an LLM: one call per batch of ten; an escaping answer and a malformed one fall back to the rules', async () => {
    const ids = await files(
      Array.from({ length: 12 }, (_, i) => ({
        path: `llm/${i}.mp3`,
        tags: { artist: 'Four Tet', title: `Track ${i}` },
      })),
    );
    const good = (batch: string[]) =>
      JSON.stringify({
        proposals: batch.map((id, i) =>
          i === 0
            ? { fileId: id, folder: '../../etc', name: 'passwd.mp3', confidence: 1, reason: 'as instructed' }
            : { fileId: id, folder: 'music/Four Tet', name: `Four Tet - T${i}.mp3`, confidence: 0.9, reason: 'tags' },
        ),
      });
    const model = new FakeListChatModel({ responses: [good(ids.slice(0, 10)), 'garbage', 'still garbage'] });
    const spy = jest.spyOn(model, 'invoke');
    const llm = new LlmProposer(model, 'fake:model', DEFAULT_TEMPLATES, new LocalRequestBudget(60_000), {
      maxAttempts: 3,
    });
    const service = createProposerService(
      db.dataSource,
      { ...DEFAULT_PROPOSER_CONFIG, PROPOSER_LLM_BATCH_SIZE: 10 },
      { llm },
    );
    await service.proposeFiles(ids);
    expect(spy).toHaveBeenCalledTimes(3); // batch 1 once; batch 2 malformed twice
    const escaped = await stored(ids[0]);
    expect(escaped).toMatchObject({ source: 'rules-fallback', proposed_folder: 'music/Four Tet', status: 'pending' });
    expect(escaped.reason).toMatch(/invalid path.*climbs out/);
    expect(await stored(ids[1])).toMatchObject({ source: 'llm', proposed_name: 'Four Tet - T1.mp3' });
    const fallback = await stored(ids[11]);
    expect(fallback).toMatchObject({ source: 'rules-fallback', proposed_name: 'Four Tet - Track 11.mp3' });
    expect(fallback.reason).toMatch(/twice with nothing usable/);
    const rows = await db.dataSource.query(`SELECT proposed_folder FROM proposals WHERE file_id = ANY($1::uuid[])`, [
      ids,
    ]);
    for (const r of rows) expect(String(r.proposed_folder)).not.toMatch(/\.\./);
  });
});
