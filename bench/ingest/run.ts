import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@crateflow/config';
import { createTestDatabase } from '@crateflow/persistence/src/testing';
import { ingestConfigShape } from '../../apps/ingest/src/ingest.config';
import { FileRepository } from '../../apps/ingest/src/repositories/file.repository';
import { ScanRepository } from '../../apps/ingest/src/repositories/scan.repository';
import { ScanService, type ScanEvents } from '../../apps/ingest/src/scans/scan.service';

/**
 * Ingest throughput: Crateflow's real scan (ScanService with the real repositories, against a fresh test
 * database) against `sha256sum` over the same files, in the same run.
 *
 * The tree (bench/.work/ingest, kept between runs) holds BENCH_FILES files (default 5,000) of random
 * content, at least BENCH_MIN_BYTES in all (default 2 GiB), in nested folders with music extensions. Its
 * first BENCH_SMALL_FILES files (default 1,000) sit in their own folder, scanned alone to show that
 * memory does not grow with the number of files.
 *
 * Each measured scan runs in a child process of its own (clean peak RSS, sampled every 20 ms). Both
 * sha256sum and the scan run twice and the second round counts: the first warms the page cache, so the
 * figures compare hashing and bookkeeping, not the disk.
 *
 *   node -r @swc-node/register bench/ingest/run.ts
 */
const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'bench', '.work', 'ingest');
const TREE = path.join(WORK, 'tree');
const FILES = Number(process.env.BENCH_FILES ?? 5000);
const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 1000);
const MIN_BYTES = Number(process.env.BENCH_MIN_BYTES ?? 2 * 1024 ** 3);
const MANIFEST_VERSION = 1;
const EXTENSIONS = ['mp3', 'flac', 'm4a', 'ogg', 'wav', 'aiff', 'opus', 'MP3'];

interface Manifest {
  version: number;
  files: number;
  smallFiles: number;
  bytes: number;
  smallBytes: number;
  list: string[];
}

interface ScanResult {
  files: number;
  bytes: number;
  seconds: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** JS heap still in use after the scan and a full garbage collection: what the scan kept. */
  retainedHeapMb: number;
  startHeapMb: number;
}

/** A seeded generator, so every run builds the same tree shape (sizes, folders, names). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the tree once; later runs reuse it when the manifest matches the requested shape. */
function ensureTree(): Manifest {
  const manifestFile = path.join(WORK, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const fits =
      manifest.version === MANIFEST_VERSION && manifest.files === FILES && manifest.smallFiles === SMALL_FILES;
    if (fits && manifest.bytes >= MIN_BYTES && manifest.list.every((f) => existsSync(f))) {
      console.log(`reusing ${manifest.files} files, ${(manifest.bytes / 1e9).toFixed(2)} GB in ${TREE}`);
      return manifest;
    }
  }
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(TREE, { recursive: true });
  console.log(`generating ${FILES} files, at least ${(MIN_BYTES / 1e9).toFixed(2)} GB, in ${TREE} …`);
  const random = prng(20240601);
  // Sizes spread from 40 KB to ~1.6 MB (scaled to reach the total); random bytes from a pool, each file
  // with its own random head so every hash differs.
  const weights = Array.from({ length: FILES }, () => Math.exp(random() * 3.7));
  const scale = (MIN_BYTES * 1.02) / weights.reduce((a, b) => a + b, 0);
  const pool = randomBytes(16 * 1024 * 1024);
  const list: string[] = [];
  let bytes = 0;
  let smallBytes = 0;
  for (let i = 0; i < FILES; i++) {
    const part = i < SMALL_FILES ? 'first-1000' : 'rest';
    const dir = path.join(
      TREE,
      part,
      `Artist ${Math.floor(i / 50) % 40}`,
      `Album ${Math.floor(i / 10)}`,
      i % 7 === 0 ? 'CD2' : '',
    );
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${String(i).padStart(5, '0')} - Track ${i}.${EXTENSIONS[i % EXTENSIONS.length]}`);
    const size = Math.max(40_000, Math.round(weights[i] * scale));
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, randomBytes(64));
      for (let written = 64; written < size;) {
        const n = Math.min(size - written, 1024 * 1024);
        const offset = Math.floor(random() * (pool.length - n));
        written += writeSync(fd, pool, offset, n);
      }
    } finally {
      closeSync(fd);
    }
    list.push(file);
    bytes += size;
    if (i < SMALL_FILES) smallBytes += size;
  }
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    files: FILES,
    smallFiles: SMALL_FILES,
    bytes,
    smallBytes,
    list,
  };
  writeFileSync(manifestFile, JSON.stringify(manifest));
  console.log(`generated ${FILES} files, ${(bytes / 1e9).toFixed(2)} GB`);
  return manifest;
}

/** sha256sum over every file of the list (xargs keeps one process per batch, like a person would run it). */
function sha256sum(listFile: string, parallel: number): number {
  const started = process.hrtime.bigint();
  const result = spawnSync('xargs', ['-0', '-a', listFile, '-n', '500', '-P', String(parallel), 'sha256sum'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`sha256sum failed (${result.status ?? result.signal})`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const noEvents: ScanEvents = {
  fileIngested: async () => undefined,
  fileMissing: async () => undefined,
  scanProgressed: async () => undefined,
  scanFinished: async () => undefined,
};

/** One measured scan, in this (child) process: a fresh database, the real ScanService, ingest's default settings. */
async function scanOnce(folder: string): Promise<ScanResult> {
  const db = await createTestDatabase('benchingest');
  try {
    const config = loadConfig('ingest', ingestConfigShape, {});
    const service = new ScanService(new FileRepository(db.dataSource), new ScanRepository(db.dataSource), noEvents, {
      libraryRoots: [TREE],
      hashConcurrency: config.INGEST_HASH_CONCURRENCY,
      batchSize: config.INGEST_BATCH_SIZE,
      progressIntervalMs: config.INGEST_PROGRESS_INTERVAL_MS,
      unstableRetries: config.INGEST_UNSTABLE_RETRIES,
      unstableRetryDelayMs: config.INGEST_UNSTABLE_RETRY_DELAY_MS,
    });
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    const startHeap = process.memoryUsage().heapUsed;
    let peak = baseline;
    let peakHeap = 0;
    const sample = () => {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    };
    const sampler = setInterval(sample, 20);
    const started = process.hrtime.bigint();
    const counts = await service.run(randomUUID(), folder);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    sample();
    global.gc?.();
    const retainedHeap = process.memoryUsage().heapUsed;
    if (counts.errors || counts.new !== counts.found) throw new Error(`unexpected counts ${JSON.stringify(counts)}`);
    return {
      files: counts.found,
      bytes: counts.bytesHashed,
      seconds,
      baselineRssMb: baseline / 2 ** 20,
      peakRssMb: peak / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      retainedHeapMb: retainedHeap / 2 ** 20,
      startHeapMb: startHeap / 2 ** 20,
    };
  } finally {
    await db.drop();
  }
}

/** Runs scanOnce in a child process, so each measurement has its own peak memory. */
function scanInChild(folder: string): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '-r', '@swc-node/register', __filename, '--scan', folder], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scan child failed (${code}): ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ScanResult);
    });
  });
}

const mbps = (bytes: number, seconds: number) => bytes / 1e6 / seconds;

async function main(): Promise<void> {
  const manifest = ensureTree();
  const listFile = path.join(WORK, 'files.list');
  writeFileSync(listFile, manifest.list.join('\0'));
  const all = TREE;
  const first = path.join(TREE, 'first-1000');

  const rounds: { sha: number; sha2: number; scan: ScanResult }[] = [];
  for (let round = 1; round <= 2; round++) {
    const sha = sha256sum(listFile, 1);
    const sha2 = sha256sum(listFile, 2);
    const scan = await scanInChild(all);
    rounds.push({ sha, sha2, scan });
    console.log(
      `round ${round}: sha256sum ${sha.toFixed(2)} s, sha256sum -P2 ${sha2.toFixed(2)} s, Crateflow scan ${scan.seconds.toFixed(2)} s`,
    );
  }
  const small = await scanInChild(first);
  const rest = await scanInChild(path.join(TREE, 'rest'));
  const { sha, sha2, scan } = rounds[1];
  const gb = manifest.bytes / 1e9;

  const row = (name: string, files: number, bytes: number, seconds: number, extra = '') =>
    `  ${name.padEnd(34)} ${String(files).padStart(6)} files ${(files / seconds).toFixed(0).padStart(7)} files/s ${mbps(
      bytes,
      seconds,
    )
      .toFixed(0)
      .padStart(6)} MB/s${extra}`;
  console.log(
    `\nIngest scan vs sha256sum, ${manifest.files} files, ${gb.toFixed(2)} GB (second of two rounds; page cache warm)`,
  );
  console.log(row('sha256sum (one process)', manifest.files, manifest.bytes, sha));
  console.log(row('sha256sum (xargs -P 2, two cores)', manifest.files, manifest.bytes, sha2));
  console.log(
    row(
      'Crateflow scan (ScanService + DB)',
      scan.files,
      scan.bytes,
      scan.seconds,
      `  peak RSS ${scan.peakRssMb.toFixed(0)} MB`,
    ),
  );
  console.log(`  ratio ours / sha256sum:          ${(sha / scan.seconds).toFixed(2)}  (aim ≥ 0.8)`);
  console.log(`  ratio ours / sha256sum -P 2:     ${(sha2 / scan.seconds).toFixed(2)}`);
  console.log('\nMemory by number of files (peak RSS of the scanning process, fresh database each)');
  for (const r of [small, rest, scan]) {
    console.log(
      `  ${String(r.files).padStart(5)} files, ${(r.bytes / 1e9).toFixed(2)} GB: peak RSS ${r.peakRssMb.toFixed(0)} MB ` +
        `(${r.baselineRssMb.toFixed(0)} MB at start, +${(r.peakRssMb - r.baselineRssMb).toFixed(0)} MB), ` +
        `JS heap ${r.startHeapMb.toFixed(0)} MB at start, ${r.peakHeapMb.toFixed(0)} MB peak, ` +
        `${r.retainedHeapMb.toFixed(0)} MB after the scan and a full GC, ${(r.files / r.seconds).toFixed(0)} files/s`,
    );
  }
  const concurrency = loadConfig('ingest', ingestConfigShape, {}).INGEST_HASH_CONCURRENCY;
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\nhash concurrency ${concurrency} (ingest default), ${availableParallelism()} CPUs, load average ${load}`,
  );
}

if (process.argv[2] === '--scan') {
  scanOnce(process.argv[3]).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (e: Error) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    },
  );
} else {
  main().catch((e: Error) => {
    console.error(e.stack);
    process.exitCode = 1;
  });
}
