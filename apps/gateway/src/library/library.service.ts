import { Injectable } from '@nestjs/common';
import { BPM_BUCKET, BPM_FROM, BPM_TO, LibraryOverviewRepository, SIZE_BANDS } from './library-overview.repository';
import { LibraryPathRepository } from '../repositories/library-path.repository';
import { ScanReadRepository } from '../repositories/scan.repository';
import { scanView } from '../scans/scans.service';
import type { LibraryOverview, LibraryRoots } from './library.schemas';

/** The overview aggregates whole tables (about a second at a million files): computed at most this often. */
export const OVERVIEW_CACHE_MS = 30_000;
const MAX_FORMATS = 20;

const n = (v: unknown) => Number(v ?? 0);

@Injectable()
export class LibraryService {
  private cached?: { at: number; value: Promise<LibraryOverview> };

  constructor(
    private readonly repository: LibraryOverviewRepository,
    private readonly paths: LibraryPathRepository,
    private readonly scans: ScanReadRepository,
  ) {}

  /** The configured roots, whether each can be scanned now, and the newest scan of each. */
  async roots(): Promise<LibraryRoots> {
    const roots = await this.paths.roots();
    const real = roots.flatMap((r) => (r.realPath ? [r.realPath] : []));
    const latest = new Map((real.length ? await this.scans.latestPerRoot(real) : []).map((s) => [s.root, s]));
    return {
      items: roots.map((r) => {
        const scan = r.realPath ? latest.get(r.realPath) : undefined;
        return {
          path: r.path,
          realPath: r.realPath,
          scannable: r.problem === null,
          problem: r.problem,
          lastScan: scan ? scanView(scan) : null,
        };
      }),
    };
  }

  overview(now = Date.now()): Promise<LibraryOverview> {
    if (this.cached && now - this.cached.at < OVERVIEW_CACHE_MS) return this.cached.value;
    const value = this.compute();
    this.cached = { at: now, value };
    value.catch(() => (this.cached = undefined));
    return value;
  }

  private async compute(): Promise<LibraryOverview> {
    const r = this.repository;
    const [totals, kinds, formats, sizes, bpm, keys, exact, recordings] = await Promise.all([
      r.totals(),
      r.kinds(),
      r.formats(),
      r.sizes(),
      r.bpm(),
      r.keys(),
      r.exactDuplicates(),
      r.recordingPairs(),
    ]);
    const formatRows = formats.map((f) => ({ ext: String(f.ext || '(none)'), files: n(f.files), bytes: n(f.bytes) }));
    const rest = formatRows.slice(MAX_FORMATS);
    const bpmByBucket = new Map(bpm.map((b) => [n(b.bucket), n(b.files)]));
    const buckets = [];
    for (let from = BPM_FROM; from < BPM_TO; from += BPM_BUCKET)
      buckets.push({ from, files: bpmByBucket.get(from) ?? 0 });
    const sizeByBand = new Map(sizes.map((s) => [n(s.band), n(s.files)]));
    return {
      generatedAt: new Date().toISOString(),
      files: { total: n(totals[0]?.files), bytes: n(totals[0]?.bytes), missing: n(totals[0]?.missing) },
      kinds: kinds.map((k) => ({
        kind: k.kind as LibraryOverview['kinds'][number]['kind'],
        files: n(k.files),
        bytes: n(k.bytes),
      })),
      formats: rest.length
        ? [
            ...formatRows.slice(0, MAX_FORMATS),
            {
              ext: 'other',
              files: rest.reduce((s, f) => s + f.files, 0),
              bytes: rest.reduce((s, f) => s + f.bytes, 0),
            },
          ]
        : formatRows,
      sizes: [...SIZE_BANDS, null].map((upTo, i) => ({ upToBytes: upTo, files: sizeByBand.get(i) ?? 0 })),
      bpm: { bucketWidth: BPM_BUCKET, buckets, analysed: buckets.reduce((s, b) => s + b.files, 0) },
      keys: keys.map((k) => ({ camelot: String(k.camelot), files: n(k.files) })),
      duplicates: {
        exactGroups: n(exact[0]?.groups),
        exactCopies: n(exact[0]?.copies),
        exactWastedBytes: n(exact[0]?.wasted),
        recordingPairs: n(recordings[0]?.pairs),
      },
    };
  }
}
