import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FingerprintAudioFiles, RECORDINGS } from '../../apps/fingerprint/test/audio-files';
import { TestSystem } from './system';

interface Track {
  id: string;
  position: number;
  artist: string | null;
  title: string | null;
  cueSec: number | null;
  unknown: boolean;
  agreedBy: string[];
  confidence: number | null;
}
interface MixTracklists {
  fileId: string;
  tracklists: { id: string; source: string; status: string; tracks: Track[] }[];
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const cueClock = (sec: number) => {
  const frames = Math.round(sec * 75);
  return `${String(Math.floor(frames / 4500)).padStart(2, '0')}:${String(Math.floor(frames / 75) % 60).padStart(2, '0')}:${String(frames % 75).padStart(2, '0')}`;
};

/**
 * Issue 12 end to end, every service its own process: a DJ mix made of two library recordings (the second 4 %
 * fast) with a .cue sheet beside it is scanned, fingerprinted and identified through the public API; it gets a
 * fingerprint tracklist with the right tracks in order, a CUE sheet whose INDEX times are within 2 s of the
 * truth, and the cue companion as a second source shown beside the first. The `crateflow` CLI reads the same.
 */
describe('tracklists through the public API', () => {
  const audio = new FingerprintAudioFiles();
  let work: string;
  let library: string;
  let system: TestSystem;
  let mixId: string;
  let bStartSec = 0;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-e2e-tracklists-'));
    library = path.join(work, 'library');
    mkdirSync(path.join(library, 'Tracks'), { recursive: true });
    mkdirSync(path.join(library, 'Mixes'), { recursive: true });
    const tagged = (source: string, rel: string, artist: string, title: string) =>
      ffmpeg([
        '-i',
        source,
        '-c:a',
        'flac',
        '-metadata',
        `artist=${artist}`,
        '-metadata',
        `title=${title}`,
        path.join(library, rel),
      ]);
    tagged(RECORDINGS.vibeAce, 'Tracks/Vibe Ace.flac', 'Kevin MacLeod', 'Vibe Ace');
    tagged(RECORDINGS.sugarPlum, 'Tracks/Sugar Plum Fairy.flac', 'Kevin MacLeod', 'Dance of the Sugar Plum Fairy');
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
    // The DJ's own cue sheet: the second track's start rounded to the second, as DJ software writes it.
    writeFileSync(
      path.join(library, 'Mixes/Friday mix.cue'),
      [
        'PERFORMER "DJ Test"',
        'TITLE "Friday"',
        'FILE "Friday mix.mp3" MP3',
        '  TRACK 01 AUDIO',
        '    PERFORMER "Kevin MacLeod"',
        '    TITLE "Vibe Ace"',
        '    INDEX 01 00:00:00',
        '  TRACK 02 AUDIO',
        '    PERFORMER "Kevin MacLeod"',
        '    TITLE "Dance of the Sugar Plum Fairy"',
        `    INDEX 01 ${cueClock(Math.round(bStartSec))}`,
        '',
      ].join('\r\n'),
    );
    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library });
    await system.init();
    await system.startAll();
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
    audio.remove();
  });

  it('scans and fingerprints the library; the cue sheet becomes a tracklist of the mix', async () => {
    expect((await system.api('POST', '/api/v1/scans', { path: library })).status).toBe(202);
    const files = await system.waitFor('the files', async () => {
      const page = await system.api<{ items: { id: string; path: string }[] }>('GET', '/api/v1/files?limit=100');
      return page.body.items.length === 4 ? page.body.items : undefined;
    });
    mixId = files.find((f) => f.path.endsWith('Friday mix.mp3'))!.id;
    const audioIds = files.filter((f) => !f.path.endsWith('.cue')).map((f) => f.id);
    await system.waitFor(
      'every recording fingerprinted',
      async () => {
        for (const id of audioIds) {
          const d = await system.api<{ fingerprint: { status: string } | null }>('GET', `/api/v1/files/${id}`);
          if (d.body.fingerprint?.status !== 'done') return false;
        }
        return true;
      },
      180_000,
      1000,
    );
    const view = await system.waitFor('the cue tracklist', async () => {
      const r = await system.api<MixTracklists>('GET', `/api/v1/mixes/${mixId}/tracklists`);
      return r.body.tracklists?.some((t) => t.source === 'cue') ? r.body : undefined;
    });
    const cue = view.tracklists.find((t) => t.source === 'cue')!;
    expect(cue.tracks.map((t) => [t.title, t.cueSec])).toEqual([
      ['Vibe Ace', 0],
      ['Dance of the Sugar Plum Fairy', Math.round(bStartSec)],
    ]);
  });

  it('identifies the mix: a fingerprint tracklist in order, beside the cue sheet, exported as a CUE sheet', async () => {
    expect((await system.api('POST', `/api/v1/mixes/${mixId}/identify`)).status).toBe(202);
    const view = await system.waitFor(
      'the fingerprint tracklist',
      async () => {
        const r = await system.api<MixTracklists>('GET', `/api/v1/mixes/${mixId}/tracklists`);
        return r.body.tracklists?.some((t) => t.source === 'fingerprint') ? r.body : undefined;
      },
      180_000,
      1000,
    );
    expect(view.tracklists.map((t) => t.source)).toEqual(['fingerprint', 'cue']);
    const fp = view.tracklists[0];
    const known = fp.tracks.filter((t) => !t.unknown);
    expect(known.map((t) => [t.artist, t.title])).toEqual([
      ['Kevin MacLeod', 'Vibe Ace'],
      ['Kevin MacLeod', 'Dance of the Sugar Plum Fairy'],
    ]);
    // The two sources agree on both tracks, which raises the fingerprint confidence.
    for (const t of known) expect(t.agreedBy).toEqual(['cue']);

    const res = await fetch(`${system.gatewayUrl}/api/v1/tracklists/${fp.id}/cue-sheet?fileId=${mixId}`);
    expect(res.status).toBe(200);
    const sheet = await res.text();
    expect(sheet).toContain('FILE "Friday mix.mp3" MP3');
    const indexes = [...sheet.matchAll(/^ {4}INDEX 01 (\d+):(\d\d):(\d\d)$/gm)].map(
      (m) => Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) / 75,
    );
    const titles = [...sheet.matchAll(/^ {4}TITLE "(.*)"$/gm)].map((m) => m[1]);
    const truth = new Map([
      ['Vibe Ace', 0],
      ['Dance of the Sugar Plum Fairy', bStartSec],
    ]);
    for (const [title, at] of truth) {
      const i = titles.indexOf(title);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(Math.abs(indexes[i] - at)).toBeLessThanOrEqual(2);
    }
    const text = await (await fetch(`${system.gatewayUrl}/api/v1/tracklists/${fp.id}/text`)).text();
    expect(text).toMatch(/Kevin MacLeod - Vibe Ace/);
  });

  it('approves through the API and prints the tracklist with the crateflow CLI, writing the CUE sheet', async () => {
    const view = (await system.api<MixTracklists>('GET', `/api/v1/mixes/${mixId}/tracklists`)).body;
    const fp = view.tracklists.find((t) => t.source === 'fingerprint')!;
    expect(
      (await system.api<{ status: string }>('PUT', `/api/v1/tracklists/${fp.id}/review`, { status: 'approved' })).body
        .status,
    ).toBe('approved');
    const bin = path.join(__dirname, '..', '..', 'apps', 'cli', 'bin', 'crateflow.js');
    const env = { ...process.env, CRATEFLOW_URL: system.gatewayUrl, CRATEFLOW_TOKEN: system.token };
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [bin, ...args], { env, cwd: work, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        ),
      );
    const printed = await run(['tracklist', mixId, '--json']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout).tracklist).toMatchObject({
      id: fp.id,
      source: 'fingerprint',
      status: 'approved',
    });
    const human = await run(['tracklist', path.join(library, 'Mixes/Friday mix.mp3')]);
    expect(human.stdout).toContain('Vibe Ace');
    const written = await run(['tracklist', mixId, '--cue']);
    expect(written.code).toBe(0);
    expect(readFileSync(path.join(work, 'Friday mix.cue'), 'utf8')).toContain('FILE "Friday mix.mp3" MP3');
    // Never over an existing file.
    const again = await run(['tracklist', mixId, '--cue']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; not replacing it/);
  });
});
