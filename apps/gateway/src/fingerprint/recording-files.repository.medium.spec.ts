import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { RecordingFilesRepository } from './recording-files.repository';

/** Which file names a recording in tracklists, mix timelines and excerpt matches (real PostgreSQL). */
describe('RecordingFilesRepository.bestFileOfContents', () => {
  let db: TestDatabase;
  let repo: RecordingFilesRepository;
  const H = (c: string) => c.repeat(64);
  const ids: Record<string, string> = {};

  async function file(key: string, path: string, hash: string, tags?: { artist: string; title: string }) {
    const id = randomUUID();
    ids[key] = id;
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
       VALUES ($1, '/lib', $2, convert_to($2, 'UTF8'), convert_to('/lib', 'UTF8'), regexp_replace($2, '^.*/', ''), 'mp3', 'music', 10, 1, $3, $4, $4)`,
      [id, path, hash, randomUUID()],
    );
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, title) VALUES ($1, $2, 'read', $3, $4)`,
      [id, hash, tags?.artist ?? null, tags?.title ?? null],
    );
  }

  async function sameRecording(a: string, b: string) {
    await db.dataSource.query(
      `INSERT INTO same_recording_matches (content_hash, other_content_hash, track_id, other_track_id, coverage,
                                           other_coverage, offset_sec, score, algorithm_version)
       VALUES ($1, $2, 1, 2, 0.99, 0.99, 0, 500, 1)`,
      [a, b],
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase('recordingfiles');
    repo = new RecordingFilesRepository(db.dataSource);
    // An untagged promo (a) of a tagged album track (b); a content gone from disk (c) of the same recording.
    await file('promo', '/lib/Promos/Vibe Ace (promo) [128].mp3', H('a'));
    await file('album', '/lib/Kevin MacLeod/Vibe Ace.mp3', H('b'), { artist: 'Kevin MacLeod', title: 'Vibe Ace' });
    await sameRecording(H('a'), H('b'));
    await sameRecording(H('b'), H('c'));
    // Two untagged encodings of another recording (d, e): each keeps its own file.
    await file('d', '/lib/in/track03.m4a', H('d'));
    await file('e', '/lib/in/track03.mp3', H('e'));
    await sameRecording(H('d'), H('e'));
    // A tagged content whose untagged sibling must not replace it (f, g).
    await file('f', '/lib/Artist/Song.flac', H('f'), { artist: 'Artist', title: 'Song' });
    await file('g', '/lib/rips/song.mp3', H('g'));
    await sameRecording(H('g'), H('f'));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('names an untagged content by a tagged encoding of the same recording', async () => {
    const best = await repo.bestFileOfContents([H('a')]);
    expect(best.get(H('a'))).toMatchObject({ id: ids.album, artist: 'Kevin MacLeod', title: 'Vibe Ace' });
  });

  it('names a content gone from disk by a present encoding of the same recording', async () => {
    const best = await repo.bestFileOfContents([H('c')]);
    expect(best.get(H('c'))?.id).toBe(ids.album);
  });

  it("keeps a content's own file when it is tagged or no encoding of it is; an untagged rip takes the tagged one", async () => {
    const best = await repo.bestFileOfContents([H('b'), H('d'), H('e'), H('f'), H('g')]);
    expect(best.get(H('b'))?.id).toBe(ids.album);
    expect(best.get(H('d'))?.id).toBe(ids.d);
    expect(best.get(H('e'))?.id).toBe(ids.e);
    expect(best.get(H('f'))?.id).toBe(ids.f);
    expect(best.get(H('g'))?.id).toBe(ids.f);
  });

  it('leaves out a content with neither a file nor a present encoding', async () => {
    const best = await repo.bestFileOfContents([H('9'), H('a')]);
    expect(best.has(H('9'))).toBe(false);
    expect(best.size).toBe(1);
  });
});
