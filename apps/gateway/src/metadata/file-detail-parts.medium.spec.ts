import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { gatewayService } from '../main';
import { COMPANION_TEXT_SHOWN } from './companions.part';
import type { FileCompanionsView, FileTagsView } from './metadata.schemas';
import { deleteTestStreams, NATS_URL } from '../../../../test/support/service-harness';

/** The metadata stage's parts of GET /api/v1/files/{id}, through the real gateway and database. */
describe('file detail: tags and companions', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let gateway: RunningService;
  const H = (c: string) => c.repeat(64);
  const ids = { mix: randomUUID(), bonus: randomUUID(), cue: randomUUID(), nfo: randomUUID(), unread: randomUUID() };

  beforeAll(async () => {
    db = await createTestDatabase('detailparts');
    const files: [string, string, string, string][] = [
      [ids.mix, '/lib/Sets/Live @ Café.mp3', 'music', H('a')],
      [ids.bonus, '/lib/Sets/Bonus.flac', 'music', H('b')],
      [ids.cue, '/lib/Sets/mix.cue', 'companion', H('c')],
      [ids.nfo, '/lib/Sets/release.nfo', 'companion', H('d')],
      [ids.unread, '/lib/Sets/new.mp3', 'music', H('e')],
    ];
    for (const [id, path, kind, hash] of files) {
      await db.dataSource.query(
        `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
         VALUES ($1, '/lib', $2, convert_to($2, 'UTF8'), convert_to('/lib/Sets', 'UTF8'), regexp_replace($2, '^.*/', ''), 'x', $3, 10, 1, $4, $5, $5)`,
        [id, path, kind, hash, randomUUID()],
      );
    }
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, artists, title, track_no, track_of, bpm_tag, key_tag, codec, container,
                                  lossless, bitrate, duration_sec, has_cover, tag_types, stream, raw, warnings)
       VALUES ($1, $2, 'read', 'Âme', '["Âme"]', 'Live @ Café', 3, 12, 124.5, '8A', 'MPEG 1 Layer 3', 'mpeg', false, 320000, 7530.5, true,
               '["ID3v2.4"]', '{"hasVideo": false}', '{"tags": {"ID3v2.4": [{"id": "TIT2", "value": "Live @ Café"}]}, "truncated": false}', '[]')`,
      [ids.mix, H('a')],
    );
    // Tags read from content the file no longer has.
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, failure_kind, failure_reason) VALUES ($1, $2, 'failed', 'truncated', 'truncated: cut')`,
      [ids.bonus, H('9')],
    );
    await db.dataSource.query(
      `INSERT INTO companion_contents (file_id, content_hash, companion_type, status, encoding, text, truncated, parsed) VALUES
         ($1, $2, 'cue', 'parsed', 'windows-1252', NULL, false, '{"performer": "Âme", "tracks": [{"number": 1, "title": "Intro"}]}'),
         ($3, $4, 'nfo', 'parsed', 'cp437', $5, false, '{"fields": {"artist": "Röyksopp"}}')`,
      [ids.cue, H('c'), ids.nfo, H('d'), `Artist: Röyksopp\n${'x'.repeat(COMPANION_TEXT_SHOWN)}`],
    );
    await db.dataSource.query(
      `INSERT INTO companion_links (companion_file_id, media_file_id, dir_key, reason) VALUES
         ($1, $3, convert_to('/lib/Sets', 'UTF8'), 'cue-file'), ($2, $3, convert_to('/lib/Sets', 'UTF8'), 'folder'),
         ($2, $4, convert_to('/lib/Sets', 'UTF8'), 'folder')`,
      [ids.cue, ids.nfo, ids.mix, ids.bonus],
    );
    gateway = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
      CRATEFLOW_API_TOKEN: randomBytes(24).toString('hex'),
      CRATEFLOW_UI_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  const detail = async (id: string) => {
    const res = await fetch(`${gateway.url}/api/v1/files/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { tags: FileTagsView | null; companions: FileCompanionsView };
  };

  it('shows the tags of a media file and the companions that belong to it, the cue sheet first', async () => {
    const { tags, companions } = await detail(ids.mix);
    expect(tags).toMatchObject({
      current: true,
      status: 'read',
      failure: null,
      artist: 'Âme',
      artists: ['Âme'],
      title: 'Live @ Café',
      track: { no: 3, of: 12 },
      bpm: 124.5,
      key: '8A',
      tagTypes: ['ID3v2.4'],
      stream: {
        codec: 'MPEG 1 Layer 3',
        container: 'mpeg',
        lossless: false,
        bitrate: 320000,
        durationSec: 7530.5,
        hasCover: true,
        details: { hasVideo: false },
      },
      raw: { tags: { 'ID3v2.4': [{ id: 'TIT2', value: 'Live @ Café' }] }, truncated: false },
    });
    expect(companions.companionsTotal).toBe(2);
    expect(companions.companions.map((c) => [c.name, c.reason, c.content?.type])).toEqual([
      ['mix.cue', 'cue-file', 'cue'],
      ['release.nfo', 'folder', 'nfo'],
    ]);
    expect(companions.companions[0].content).toMatchObject({
      current: true,
      encoding: 'windows-1252',
      parsed: { performer: 'Âme' },
    });
    const nfo = companions.companions[1].content!;
    expect(nfo.text).toHaveLength(COMPANION_TEXT_SHOWN);
    expect(nfo.textTruncated).toBe(true);
  });

  it('marks tags read from older content, and shows failures with their reason', async () => {
    const { tags } = await detail(ids.bonus);
    expect(tags).toMatchObject({
      current: false,
      status: 'failed',
      failure: { kind: 'truncated', reason: 'truncated: cut' },
      artist: null,
    });
    expect((await detail(ids.unread)).tags).toBeNull();
  });

  it('shows a companion its own content and the media files it belongs to', async () => {
    const { tags, companions } = await detail(ids.nfo);
    expect(tags).toBeNull();
    expect(companions.content).toMatchObject({
      type: 'nfo',
      encoding: 'cp437',
      parsed: { fields: { artist: 'Röyksopp' } },
    });
    expect(companions.belongsTo.map((m) => [m.name, m.reason])).toEqual([
      ['Bonus.flac', 'folder'],
      ['Live @ Café.mp3', 'folder'],
    ]);
    expect(companions.belongsToTotal).toBe(2);
  });
});
