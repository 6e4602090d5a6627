import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FingerprintAudioFiles, RECORDINGS } from '../../apps/fingerprint/test/audio-files';
import { TestSystem } from './system';

interface Timeline {
  jobId: string;
  status: 'running' | 'done' | 'failed';
  current: boolean;
  durationSec: number | null;
  entries: {
    position: number;
    startSec: number;
    endSec: number;
    start: string;
    speed: number;
    confidence: number;
    file: { fileId: string; path: string; artist: string | null; title: string | null } | null;
  }[];
  unknown: { startSec: number; endSec: number }[];
}

interface Group {
  key: string;
  kind: string;
  memberCount: number;
  status: string;
  members: { fileId: string; path: string; role: string | null }[];
  proposal: { canonicalFileId: string };
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Issue 4 end to end: every service runs as its own process. A library of real recordings, a re-encoding and
 * a DJ mix made of two of them (the second pitched up 4 %) is scanned through the public API; then the mix is
 * identified, its CUE sheet downloaded, an excerpt looked up and the same-recording group resolved, all
 * through the public API.
 */
describe('fingerprints through the public API', () => {
  const audio = new FingerprintAudioFiles();
  let work: string;
  let library: string;
  let system: TestSystem;
  const byName = new Map<string, string>();
  let bStartSec = 0;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-e2e-fingerprint-'));
    library = path.join(work, 'library');
    mkdirSync(path.join(library, 'Tracks'), { recursive: true });
    mkdirSync(path.join(library, 'Mixes'), { recursive: true });
    const put = (from: string, rel: string) => copyFileSync(from, path.join(library, rel));
    put(RECORDINGS.fishin, 'Tracks/Karissa Hobbs - Lets Go Fishin.ogg');
    ffmpeg([
      '-i',
      RECORDINGS.fishin,
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      '-metadata',
      'artist=Karissa Hobbs',
      '-metadata',
      'title=Lets Go Fishin',
      path.join(library, 'Tracks/Lets Go Fishin (128k).mp3'),
    ]);
    ffmpeg([
      '-i',
      RECORDINGS.sugarPlum,
      '-c:a',
      'flac',
      '-metadata',
      'artist=Kevin MacLeod',
      '-metadata',
      'title=Dance of the "Sugar Plum" Fairy',
      path.join(library, 'Tracks/Sugar Plum Fairy.flac'),
    ]);
    put(RECORDINGS.vibeAce, 'Tracks/Vibe Ace.ogg');
    const mix = audio.mix(
      'mix.mp3',
      { file: RECORDINGS.vibeAce, fromSec: 5, lengthSec: 45 },
      { file: RECORDINGS.sugarPlum, fromSec: 20, lengthSec: 60, speed: 1.04 },
      8,
    );
    bStartSec = mix.bStartSec;
    ffmpeg([
      '-i',
      mix.path,
      '-c',
      'copy',
      '-metadata',
      'artist=DJ Test',
      '-metadata',
      'title=Friday',
      path.join(library, 'Mixes/Friday mix.mp3'),
    ]);

    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library });
    await system.init();
    await system.startAll();
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
    audio.remove();
  });

  it('scans the library and fingerprints every file', async () => {
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: library });
    expect(started.status).toBe(202);
    const { body } = await system.waitFor('the files', async () => {
      const page = await system.api<{ items: { id: string; path: string }[] }>('GET', '/api/v1/files?limit=100');
      return page.body.items.length === 5 ? page : undefined;
    });
    for (const f of body.items) byName.set(path.relative(library, f.path), f.id);
    await system.waitForProposer(5);
    const detail = await system.api<{
      stages: { stage: string; status: string }[];
      fingerprint: {
        status: string;
        current: boolean;
        postings: { landmark: number; triplet: number };
        sameRecording: { path: string }[];
      };
    }>('GET', `/api/v1/files/${byName.get('Tracks/Karissa Hobbs - Lets Go Fishin.ogg')}`);
    expect(detail.body.stages.find((s) => s.stage === 'fingerprint')).toMatchObject({ status: 'done' });
    expect(detail.body.fingerprint).toMatchObject({ status: 'done', current: true });
    expect(detail.body.fingerprint.postings.landmark).toBeGreaterThan(1000);
    expect(detail.body.fingerprint.sameRecording.map((f) => path.relative(library, f.path))).toEqual([
      'Tracks/Lets Go Fishin (128k).mp3',
    ]);
  });

  it('lists the two encodings of one song as a same-recording group, and resolves and undoes it', async () => {
    const { body } = await system.api<{ items: Group[] }>('GET', '/api/v1/duplicates');
    expect(body.items).toHaveLength(1);
    const [group] = body.items;
    expect(group).toMatchObject({ kind: 'recording', memberCount: 2, status: 'unresolved' });
    expect(group.key).toMatch(/^recording:\d+$/);
    expect(group.members.map((m) => path.relative(library, m.path)).sort()).toEqual([
      'Tracks/Karissa Hobbs - Lets Go Fishin.ogg',
      'Tracks/Lets Go Fishin (128k).mp3',
    ]);
    const compare = await system.api<{ differences: string[] }>('GET', `/api/v1/duplicates/${group.key}`);
    expect(compare.status).toBe(200);
    expect(compare.body.differences).toContain('stream.codec');

    const resolved = await system.api<Group>('POST', `/api/v1/duplicates/${group.key}/resolution`);
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    const duplicate = resolved.body.members.find((m) => m.fileId !== resolved.body.proposal.canonicalFileId)!;
    await system.waitFor('the other encoding set aside', async () => {
      const d = await system.api<{ file: { state: string } }>('GET', `/api/v1/files/${duplicate.fileId}`);
      return d.body.file.state === 'DUPLICATE_RESOLVED';
    });
    expect((await system.api('DELETE', `/api/v1/duplicates/${group.key}/resolution`)).status).toBe(204);
  });

  it('identifies the tracks of the mix, stores the timeline and offers it as a CUE sheet', async () => {
    const mixId = byName.get('Mixes/Friday mix.mp3')!;
    expect((await system.api('GET', `/api/v1/mixes/${mixId}/identification`)).status).toBe(404);
    const accepted = await system.api<{ jobId: string; status: string }>('POST', `/api/v1/mixes/${mixId}/identify`);
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('queued');
    const timeline = await system.waitFor(
      'the identification',
      async () => {
        const r = await system.api<Timeline>('GET', `/api/v1/mixes/${mixId}/identification`);
        return r.status === 200 && r.body.status !== 'running' ? r.body : undefined;
      },
      120_000,
      500,
    );
    expect(timeline).toMatchObject({ jobId: accepted.body.jobId, status: 'done', current: true });
    expect(timeline.entries.map((e) => e.file && path.relative(library, e.file.path))).toEqual([
      'Tracks/Vibe Ace.ogg',
      'Tracks/Sugar Plum Fairy.flac',
    ]);
    const [first, second] = timeline.entries;
    expect(first.startSec).toBeLessThanOrEqual(2);
    expect(Math.abs(second.startSec - bStartSec)).toBeLessThanOrEqual(2);
    expect(Math.abs(second.speed - 1.04)).toBeLessThan(0.01);
    expect(second.file).toMatchObject({ artist: 'Kevin MacLeod', title: 'Dance of the "Sugar Plum" Fairy' });

    const res = await fetch(`${system.gatewayUrl}/api/v1/mixes/${mixId}/identification.cue`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-cue/);
    expect(res.headers.get('content-disposition')).toContain('Friday%20mix.cue');
    const cue = await res.text();
    expect(cue).toContain('FILE "Friday mix.mp3" MP3');
    expect(cue).toContain(`TITLE "Dance of the 'Sugar Plum' Fairy"`);
    expect(cue.match(/^ {2}TRACK \d\d AUDIO$/gm)).toHaveLength(2);

    // Companions and non-audio cannot be identified; unknown ids are 404; bulk requests are checked too.
    expect((await system.api('POST', `/api/v1/mixes/not-a-uuid/identify`)).status).toBe(404);
    const bulk = await system.api<{ count: number }>('POST', '/api/v1/mixes/identify', { fileIds: [mixId] });
    expect(bulk).toMatchObject({ status: 202, body: { count: 1 } });
    expect((await system.api('POST', '/api/v1/mixes/identify', { fileIds: ['x'] })).status).toBe(400);
  });

  it('looks up an uploaded excerpt, refuses junk with a reason and a body over the size limit', async () => {
    const clip = path.join(work, 'clip.m4a');
    ffmpeg(['-ss', '50', '-t', '15', '-i', RECORDINGS.sugarPlum, '-c:a', 'aac', '-b:a', '128k', clip]);
    const post = (body: Buffer, type: string, auth = true) =>
      fetch(`${system.gatewayUrl}/api/v1/identify`, {
        method: 'POST',
        headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${system.token}` } : {}) },
        body,
      });
    const res = await post(readFileSync(clip), 'audio/mp4');
    expect(res.status).toBe(200);
    const found = (await res.json()) as {
      excerptSec: number;
      matches: { file: { path: string }; fileOffsetSec: number; confidence: number }[];
    };
    expect(found.excerptSec).toBeCloseTo(15, 0);
    expect(path.relative(library, found.matches[0].file.path)).toBe('Tracks/Sugar Plum Fairy.flac');
    expect(Math.abs(found.matches[0].fileOffsetSec - 50)).toBeLessThan(1.5);
    expect(found.matches[0].confidence).toBeGreaterThanOrEqual(0.5);
    // The mix that plays the same passage (4 % fast) is found too, at its own position.
    const inMix = found.matches.find((m) => path.relative(library, m.file.path) === 'Mixes/Friday mix.mp3');
    expect(inMix && Math.abs(inMix.fileOffsetSec - (bStartSec - 4 + (50 - 20) / 1.04))).toBeLessThan(2);

    const junk = await post(Buffer.from('not audio at all'.repeat(100)), 'application/octet-stream');
    expect(junk.status).toBe(422);
    expect(((await junk.json()) as { detail: string }).detail).toMatch(/not audio Crateflow can decode/);
    expect((await post(readFileSync(clip), 'text/plain')).status).toBe(415);
    expect((await post(readFileSync(clip), 'audio/mp4', false)).status).toBe(401);
    expect((await post(Buffer.alloc(40 * 1024 * 1024), 'audio/wav')).status).toBe(413);
  });
});
