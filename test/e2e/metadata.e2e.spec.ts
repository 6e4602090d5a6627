import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { FixtureDir, noise } from '../../apps/metadata/src/tags/test/fixtures';
import { TestSystem } from './system';

interface FileDetail {
  file: { id: string; path: string; state: string };
  stages: { stage: string; status: string; reason: string | null }[];
  tags: null | {
    status: string;
    artist: string | null;
    artists: string[];
    title: string | null;
    album: string | null;
    track: { no: number | null; of: number | null };
    year: number | null;
    stream: { codec: string | null; container: string | null; lossless: boolean | null; durationSec: number | null };
  };
  companions: {
    companions: {
      name: string;
      reason: string;
      content: null | { type: string; encoding: string | null; parsed: unknown };
    }[];
    content: null | { type: string; encoding: string | null };
    belongsTo: { name: string }[];
  };
}

interface Group {
  key: string;
  memberCount: number;
  status: string;
  members: { fileId: string; path: string; role: string | null }[];
  proposal: { canonicalFileId: string; reasons: { fileId: string; decidedBy: string; reason: string }[] };
}

/**
 * Issue 3 end to end: every service runs as its own process; a small generated library (formats, unicode,
 * a cue sheet and an nfo in old encodings, broken files, copies) is scanned through the public API and
 * what the metadata stage found is checked through the public API only.
 */
describe('metadata, companions and duplicates through the public API', () => {
  const fx = new FixtureDir();
  let work: string;
  let library: string;
  let system: TestSystem;
  const byName = new Map<string, string>();

  function write(rel: string, data: Buffer | string): string {
    const file = path.join(library, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    return file;
  }
  const tone = (rel: string, args: string[], metadata: Record<string, string>) =>
    write(rel, readFileSync(fx.tone(`t${byName.size}-${path.basename(rel)}`, { args, metadata })));

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-e2e-metadata-'));
    library = path.join(work, 'library');
    const album = { artist: 'Röyksopp', album: 'Melody A.M.', date: '2001', genre: 'Electronic' };
    tone('Röyksopp/Melody A.M./01 So Easy.flac', ['-c:a', 'flac'], { ...album, title: 'So Easy', track: '1/10' });
    tone('Röyksopp/Melody A.M./02 Eple.mp3', ['-c:a', 'libmp3lame', '-b:a', '192k', '-id3v2_version', '4'], {
      ...album,
      title: 'Eple',
      track: '2/10',
    });
    writeFileSync(path.join(library, 'Röyksopp/Melody A.M./cover.jpg'), readFileSync(fx.cover()));
    const nfo = [
      '╔════════════╗',
      '║ ▓▒░ RIP ░▒▓ ║',
      '╚════════════╝',
      'Artist: Röyksopp',
      'Album : Melody A.M.',
      'Label : Wall of Sound',
    ].join('\r\n');
    write('Röyksopp/Melody A.M./release.nfo', iconv.encode(nfo, 'cp437'));
    // A mix with a cue sheet written by a Windows tool (Windows-1252), naming the WAV it was cut from.
    tone('Sets/Âme live.ogg', ['-c:a', 'libvorbis'], { artist: 'Âme', title: 'Live @ Café' });
    const cue = [
      'PERFORMER "Âme"',
      'TITLE "Live @ Café"',
      'FILE "Âme live.wav" WAVE',
      '  TRACK 01 AUDIO',
      '    TITLE "Rej – Intro"',
      '    INDEX 01 00:00:00',
    ];
    write('Sets/tracklist.cue', iconv.encode(cue.join('\r\n'), 'win1252'));
    fx.video('clip.mkv', ['-c:v', 'mpeg4'], ['-c:a', 'flac'], { title: 'Boiler Room' });
    write('Sets/clip.mkv', readFileSync(fx.path('clip.mkv')));
    // Broken files.
    write('Broken/zero.mp3', Buffer.alloc(0));
    write('Broken/readme.flac', 'This is a text file, not audio.\n');
    write('Broken/noise.mp3', noise(200_000, 4));
    // Copies of one track.
    mkdirSync(path.join(library, 'Incoming/dupes from the old laptop'), { recursive: true });
    copyFileSync(
      path.join(library, 'Röyksopp/Melody A.M./02 Eple.mp3'),
      path.join(library, 'Incoming/dupes from the old laptop/Eple (copy).mp3'),
    );
    mkdirSync(path.join(library, 'Backup/2019/Music/Röyksopp/Melody A.M.'), { recursive: true });
    copyFileSync(
      path.join(library, 'Röyksopp/Melody A.M./02 Eple.mp3'),
      path.join(library, 'Backup/2019/Music/Röyksopp/Melody A.M./02 Eple.mp3'),
    );

    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library });
    await system.init();
    await system.startAll();
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
    fx.remove();
  });

  const detail = async (name: string) => {
    const { status, body } = await system.api<FileDetail>('GET', `/api/v1/files/${byName.get(name)}`);
    expect(status).toBe(200);
    return body;
  };
  const stage = (d: FileDetail, name: string) => d.stages.find((s) => s.stage === name)!;
  // Where the automatic chain leaves a file: PROPOSAL_GENERATED with a stored proposal, else ANALYZED.
  const endOfChain = (d: FileDetail) =>
    d.file.state === (stage(d, 'proposer').status === 'done' ? 'PROPOSAL_GENERATED' : 'ANALYZED');

  it('scans the library and every file reaches the end of the automatic chain, the broken ones too', async () => {
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: library });
    expect(started.status).toBe(202);
    const scan = await system.waitFor('the scan', async () => {
      const { body } = await system.api<{ status: string; counts: { found: number } }>(
        'GET',
        `/api/v1/scans/${started.body.id}`,
      );
      return body.status === 'completed' || body.status === 'failed' ? body : undefined;
    });
    expect(scan).toMatchObject({ status: 'completed', counts: { found: 12 } });
    const { body } = await system.api<{ items: { id: string; name: string; path: string }[] }>(
      'GET',
      '/api/v1/files?limit=100',
    );
    for (const f of body.items) byName.set(path.relative(library, f.path), f.id);
    expect(byName.size).toBe(12);
    await system.waitForProposer(12);
  });

  it('shows the tags read from each format, unicode intact', async () => {
    const flac = await detail('Röyksopp/Melody A.M./01 So Easy.flac');
    expect(stage(flac, 'metadata').status).toBe('done');
    expect(flac.tags).toMatchObject({
      status: 'read',
      artist: 'Röyksopp',
      title: 'So Easy',
      album: 'Melody A.M.',
      track: { no: 1, of: 10 },
      year: 2001,
      stream: { container: 'flac', lossless: true },
    });
    const mp3 = await detail('Röyksopp/Melody A.M./02 Eple.mp3');
    expect(mp3.tags).toMatchObject({
      artist: 'Röyksopp',
      title: 'Eple',
      track: { no: 2, of: 10 },
      stream: { container: 'mpeg', lossless: false },
    });
    const ogg = await detail('Sets/Âme live.ogg');
    expect(ogg.tags).toMatchObject({ artist: 'Âme', title: 'Live @ Café', stream: { container: 'ogg' } });
    const mkv = await detail('Sets/clip.mkv');
    expect(mkv.tags).toMatchObject({ title: 'Boiler Room', stream: { container: 'matroska' } });
  });

  it('fails broken files with a readable reason and keeps them visible', async () => {
    const reasons: Record<string, RegExp> = {
      'Broken/zero.mp3': /^zero-byte file$/,
      'Broken/readme.flac': /^not a FLAC file: .*plain text/,
      'Broken/noise.mp3': /^not an MP3 file/,
    };
    for (const [name, reason] of Object.entries(reasons)) {
      const d = await detail(name);
      expect(stage(d, 'metadata')).toMatchObject({ status: 'failed', reason: expect.stringMatching(reason) });
      expect(d.tags).toMatchObject({ status: 'failed' });
      // The proposer skips a file whose metadata failed: it stays ANALYZED and says why.
      expect(stage(d, 'proposer').status).toBe('skipped');
      expect(d.file.state).toBe('ANALYZED');
    }
    const failed = await system.api<{ items: { id: string }[] }>(
      'GET',
      '/api/v1/files?stage=metadata&stageStatus=failed',
    );
    expect(failed.body.items).toHaveLength(3);
  });

  it('links the cue sheet to its mix and the folder companions to every track, decoded from their encodings', async () => {
    const mix = await detail('Sets/Âme live.ogg');
    expect(mix.companions.companions.map((c) => [c.name, c.reason])).toEqual([['tracklist.cue', 'cue-file']]);
    expect(mix.companions.companions[0].content).toMatchObject({
      type: 'cue',
      encoding: 'windows-1252',
      parsed: {
        performer: 'Âme',
        title: 'Live @ Café',
        tracks: [expect.objectContaining({ title: 'Rej – Intro', startSec: 0 })],
      },
    });
    for (const track of ['Röyksopp/Melody A.M./01 So Easy.flac', 'Röyksopp/Melody A.M./02 Eple.mp3']) {
      const d = await detail(track);
      expect(d.companions.companions.map((c) => [c.name, c.reason]).sort()).toEqual([
        ['cover.jpg', 'folder'],
        ['release.nfo', 'folder'],
      ]);
    }
    const nfo = await detail('Röyksopp/Melody A.M./release.nfo');
    expect(stage(nfo, 'metadata').status).toBe('done');
    expect(nfo.companions.content).toMatchObject({ type: 'nfo', encoding: 'cp437' });
    expect(nfo.companions.belongsTo.map((m) => m.name).sort()).toEqual(['01 So Easy.flac', '02 Eple.mp3']);
  });

  it('groups the copies, proposes the organised one, and resolves and undoes through the API', async () => {
    const { body } = await system.api<{ items: Group[] }>('GET', '/api/v1/duplicates');
    expect(body.items).toHaveLength(1);
    const [group] = body.items;
    expect(group.memberCount).toBe(3);
    const organised = byName.get('Röyksopp/Melody A.M./02 Eple.mp3');
    expect(group.proposal.canonicalFileId).toBe(organised);
    expect(group.proposal.reasons.every((r) => r.decidedBy === 'path' && /shorter path/.test(r.reason))).toBe(true);

    const resolved = await system.api<Group>('POST', `/api/v1/duplicates/${group.key}/resolution`, {});
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    const copies = [
      'Incoming/dupes from the old laptop/Eple (copy).mp3',
      'Backup/2019/Music/Röyksopp/Melody A.M./02 Eple.mp3',
    ];
    await system.waitFor('the copies marked', async () =>
      (await Promise.all(copies.map(detail))).every((d) => d.file.state === 'DUPLICATE_RESOLVED'),
    );
    expect(endOfChain(await detail('Röyksopp/Melody A.M./02 Eple.mp3'))).toBe(true);

    expect((await system.api('DELETE', `/api/v1/duplicates/${group.key}/resolution`)).status).toBe(204);
    await system.waitFor('the copies released', async () => (await Promise.all(copies.map(detail))).every(endOfChain));
  });
});
