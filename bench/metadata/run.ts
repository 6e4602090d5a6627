import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import * as path from 'node:path';
import { flacWithTags, m4aWithTags, mp3WithTags, oggVorbisWithTags, type BenchTags } from './retag';

/**
 * Tag-reading throughput: Crateflow's reader against Debian's python3-mutagen on the same files in
 * the same run. Generates BENCH_FILES (default 2,000) tagged MP3/FLAC/Ogg Vorbis/M4A files under
 * bench/.work/metadata from four ffmpeg templates retagged in code (40 % with a cover), warms the
 * page cache, then reads the whole set with each reader in its own process (one untimed pass, then
 * BENCH_PASSES timed passes; the fastest counts): Crateflow's TagReaderPool (worker threads, one per
 * CPU), readTags inline in one thread (BENCH_CONCURRENCY files at a time), and mutagen (one thread).
 *
 *   node -r @swc-node/register bench/metadata/run.ts
 *   BENCH_FILES=4000 BENCH_WORKERS=2 BENCH_PASSES=5 node -r @swc-node/register bench/metadata/run.ts
 */
const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'bench', '.work', 'metadata');
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const SECONDS = 12;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function makeTemplates(dir: string): Record<'mp3' | 'flac' | 'ogg' | 'm4a', Buffer> & { cover: Buffer } {
  mkdirSync(dir, { recursive: true });
  // Pink noise under a tone: compresses like music rather than like a pure sine.
  const source = [
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=d=${SECONDS}:c=pink:r=44100:a=0.15`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=220:d=${SECONDS}:sample_rate=44100`,
    '-filter_complex',
    '[0][1]amix=inputs=2[a]',
    '-map',
    '[a]',
    '-ac',
    '2',
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
  ];
  const plan: [string, string[]][] = [
    ['template.mp3', ['-c:a', 'libmp3lame', '-b:a', '192k', '-write_id3v2', '0', '-write_id3v1', '0']],
    ['template.flac', ['-c:a', 'flac']],
    ['template.ogg', ['-c:a', 'libvorbis', '-q:a', '4']],
    ['template.m4a', ['-c:a', 'aac', '-b:a', '192k']],
  ];
  for (const [name, args] of plan)
    if (!existsSync(path.join(dir, name))) ffmpeg([...source, ...args, path.join(dir, name)]);
  const cover = path.join(dir, 'cover.jpg');
  if (!existsSync(cover)) ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=500x500', '-frames:v', '1', '-q:v', '3', cover]);
  const read = (n: string) => readFileSync(path.join(dir, n));
  return {
    mp3: read('template.mp3'),
    flac: read('template.flac'),
    ogg: read('template.ogg'),
    m4a: read('template.m4a'),
    cover: read('cover.jpg'),
  };
}

const ARTISTS = [
  'Björk',
  'Âme',
  'Röyksopp',
  'Sigur Rós',
  'Ryoji Ikeda',
  '坂本龍一',
  'Moderat',
  'DJ Koze',
  'Nicolás Jaar',
  'Kölsch',
  'Mouse on Mars',
  'Ellen Allien',
];
const WORDS = [
  'Night',
  'Drive',
  'Tresor',
  'Polar',
  'Echo',
  'Subzero',
  'Nacht',
  'Lumière',
  '東京',
  'Bassline',
  'Orbit',
  'Dawn',
  'Static',
  'Fjord',
];
const GENRES = ['Techno', 'House', 'Deep House', 'Ambient', 'Drum & Bass', 'Electronica'];
const KEYS = ['Am', '8A', 'C#m', 'F', '11B', 'Ebm'];
const LABELS = ['Kompakt', 'Warp', 'Ostgut Ton', 'Raster-Noton', 'Innervisions', 'Ninja Tune'];

/** Deterministic pseudo-random numbers, so every run builds the same library. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function buildLibrary(dir: string, templates: ReturnType<typeof makeTemplates>): string[] {
  rmSync(dir, { recursive: true, force: true });
  const random = rng(20240601);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const formats = ['mp3', 'flac', 'ogg', 'm4a'] as const;
  const files: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const format = formats[i % formats.length];
    const tags: BenchTags = {
      artist: pick(ARTISTS),
      title: `${pick(WORDS)} ${pick(WORDS)} ${i}`,
      album: `${pick(WORDS)} (Deluxe)`,
      albumArtist: pick(ARTISTS),
      track: 1 + (i % 12),
      trackTotal: 12,
      year: 1990 + Math.floor(random() * 35),
      genre: pick(GENRES),
      label: pick(LABELS),
      bpm: 100 + Math.floor(random() * 75),
      key: pick(KEYS),
      comment: `bench file ${i}`,
      cover: random() < 0.4 ? templates.cover : null,
    };
    const bytes =
      format === 'mp3'
        ? mp3WithTags(templates.mp3, tags)
        : format === 'flac'
          ? flacWithTags(templates.flac, tags)
          : format === 'ogg'
            ? oggVorbisWithTags(templates.ogg, tags)
            : m4aWithTags(templates.m4a, tags);
    const folder = path.join(dir, `album-${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${String(i).padStart(5, '0')} ${tags.artist} - ${tags.title}.${format}`);
    writeFileSync(file, bytes);
    files.push(file);
  }
  // Shuffle so neither reader gets long runs of one format.
  for (let i = files.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [files[i], files[j]] = [files[j], files[i]];
  }
  return files;
}

interface RunResult {
  passes?: number[];
  files: number;
  ok: number;
  errors: number;
  seconds: number;
  cpu_seconds: number;
  max_rss_kb: number;
  firstErrors?: string[];
  sample?: string[];
}

function runChild(command: string, args: string[]): RunResult {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunResult;
}

function main(): void {
  console.log(
    `metadata bench: ${FILES} files, ${WORKERS} workers, ${PASSES} timed passes, node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  let t = performance.now();
  const templates = makeTemplates(path.join(WORK, 'templates'));
  const files = buildLibrary(path.join(WORK, 'library'), templates);
  const listFile = path.join(WORK, 'files.txt');
  writeFileSync(listFile, `${files.join('\n')}\n`);
  let bytes = 0;
  for (const f of files) bytes += readFileSync(f).length; // warms the page cache for both readers
  console.log(
    `built ${files.length} files (${(bytes / 1048576).toFixed(0)} MiB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  console.log(
    `by format: ${['mp3', 'flac', 'ogg', 'm4a'].map((e) => `${e} ${files.filter((f) => f.endsWith(e)).length}`).join(', ')}; folders: ${readdirSync(path.join(WORK, 'library')).length}`,
  );

  const ours = (mode: string, count: number) =>
    runChild(process.execPath, [
      '-r',
      '@swc-node/register',
      path.join(__dirname, 'read-ours.ts'),
      listFile,
      mode,
      String(count),
      String(PASSES),
    ]);
  const perSecond = (r: RunResult) => r.files / r.seconds;
  const mib = (r: RunResult) => `${(r.max_rss_kb / 1024).toFixed(0)} MiB`;
  t = performance.now();
  // Each reader runs in its own process: one untimed pass, then PASSES timed ones, fastest reported.
  const m = runChild(PYTHON, [path.join(__dirname, 'mutagen_read.py'), listFile, String(PASSES)]);
  console.log(`python3-mutagen passes (files/s): ${m.passes?.join(', ')}`);
  const i = ours('inline', CONCURRENCY);
  console.log(`crateflow inline passes (files/s): ${i.passes?.join(', ')}`);
  const p = ours('pool', WORKERS);
  console.log(`crateflow pool passes (files/s): ${p.passes?.join(', ')}`);
  for (const r of [p, i]) if (r.firstErrors?.length) console.log(`  errors: ${r.firstErrors.join(' | ')}`);
  console.log(`sample of what was read: ${p.sample?.join(' | ')}`);
  console.log('');
  console.log('fastest timed pass of each (files/s, peak RSS of the reading process):');
  console.log(
    `  crateflow TagReaderPool (${WORKERS} worker threads)  ${perSecond(p).toFixed(0).padStart(6)} files/s  ${mib(p).padStart(8)}  ${(perSecond(p) / perSecond(m)).toFixed(2)}× mutagen`,
  );
  console.log(
    `  crateflow readTags inline (${CONCURRENCY} at a time)     ${perSecond(i).toFixed(0).padStart(6)} files/s  ${mib(i).padStart(8)}  ${(perSecond(i) / perSecond(m)).toFixed(2)}× mutagen`,
  );
  console.log(
    `  python3-mutagen (one thread)              ${perSecond(m).toFixed(0).padStart(6)} files/s  ${mib(m).padStart(8)}`,
  );
  // Files/s depend on the CPUs being free; CPU time per file (all threads of the reading process, the
  // least any pass used) does not, so it is printed too for runs on a busy machine.
  const cpuPerFile = (r: RunResult) => (r.cpu_seconds * 1e6) / r.files;
  console.log(
    `CPU time per file (all threads): pool ${cpuPerFile(p).toFixed(0)} µs, inline ${cpuPerFile(i).toFixed(0)} µs, mutagen ${cpuPerFile(m).toFixed(0)} µs (mutagen / pool: ${(cpuPerFile(m) / cpuPerFile(p)).toFixed(2)}×)`,
  );
  const bestOurs = Math.max(perSecond(p), perSecond(i));
  console.log(
    `ratio (best crateflow / mutagen): ${(bestOurs / perSecond(m)).toFixed(2)}×  (aim ≥ 2×; ${((performance.now() - t) / 1000).toFixed(1)} s of measuring; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})`,
  );
  if ([p, m, i].some((r) => r.errors > 0)) process.exitCode = 1;
}

main();
