import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { printable, table } from '../output';

export interface FileRow {
  id: string;
  path: string;
  name: string;
  kind: string;
  state: string;
  missingSince: string | null;
  artist: string | null;
  title: string | null;
  durationSec: number | null;
  bpm: number | null;
  camelot: string | null;
  problems: { stage: string; status: string; reason: string | null }[];
}

interface FilesOptions {
  search?: string;
  state?: string;
  kind?: string;
  bpm?: string;
  key?: string;
  compatible?: boolean;
  duplicates?: boolean;
  missing?: boolean;
  problems?: boolean;
  stage?: string;
  sort?: string;
  desc?: boolean;
  limit: string;
  cursor?: string;
}

export function duration(sec: number | null): string {
  if (sec === null) return '—';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The query of GET /api/v1/files from the command's options (the same filters as the web UI). */
export function filesQuery(o: FilesOptions): Record<string, string | undefined> {
  const q: Record<string, string | undefined> = {
    q: o.search,
    state: o.state,
    kind: o.kind,
    camelot: o.key,
    camelotCompatible: o.compatible ? 'true' : undefined,
    duplicates: o.duplicates ? 'true' : undefined,
    missing: o.missing ? 'true' : undefined,
    problems: o.problems ? 'true' : undefined,
    sort: o.sort,
    order: o.desc ? 'desc' : undefined,
    limit: o.limit,
    cursor: o.cursor,
  };
  if (o.bpm) {
    const m =
      /^\s*(\d+(?:\.\d+)?)?\s*(?:-|\.\.)\s*(\d+(?:\.\d+)?)?\s*$/.exec(o.bpm) ?? /^\s*(\d+(?:\.\d+)?)\s*$/.exec(o.bpm);
    if (!m) throw new CliError(`--bpm wants a range like 120-128, 124 or 170-, got "${o.bpm}"`, ExitCode.usage);
    q.bpmMin = m[1];
    q.bpmMax = m.length > 2 ? m[2] : m[1];
  }
  if (o.stage) {
    const [stage, status] = o.stage.split(':');
    if (!stage || !status) throw new CliError(`--stage wants <stage>:<status>, e.g. analysis:failed`, ExitCode.usage);
    q.stage = stage;
    q.stageStatus = status;
  }
  return q;
}

export function trackOf(f: FileRow): string {
  return f.artist || f.title ? `${f.artist ?? 'Unknown artist'} – ${f.title ?? 'Unknown title'}` : f.name;
}

function problemsOf(f: FileRow): string {
  const words = f.problems.map((p) => `${p.stage} ${p.status}${p.reason ? `: ${p.reason}` : ''}`);
  if (f.missingSince) words.push('missing from disk');
  return words.join('; ') || f.state;
}

/** `crateflow files`: search the library with the UI's filters; one page (or --cursor for the next). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('files')
    .description('list files with the same filters as the web UI')
    .option('-s, --search <text>', 'text in the path')
    .option('--state <state>', 'lifecycle state, e.g. ANALYZED')
    .option('--kind <kind>', 'music, video or companion')
    .option('--bpm <range>', 'measured tempo, e.g. 120-128, 174, 170-')
    .option('--key <camelot>', 'measured key on the Camelot wheel, e.g. 8A')
    .option('--compatible', 'with --key: also the keys that mix with it')
    .option('--duplicates', 'only files with another copy or encoding')
    .option('--missing', 'only files gone from disk')
    .option('--problems', 'only files a stage failed or skipped')
    .option('--stage <stage:status>', 'e.g. analysis:failed')
    .option('--sort <order>', 'path, artist, title, bpm or duration')
    .option('--desc', 'descending order')
    .option('--limit <n>', 'files per page (1-500)', '50')
    .option('--cursor <cursor>', 'the next page (printed after a full page)')
    .action(async (options: FilesOptions) => {
      const page = await ctx
        .api()
        .request<{ items: FileRow[]; nextCursor: string | null }>('files', { query: filesQuery(options) });
      ctx.out().result(page, () => {
        if (!page.items.length) return 'No files match.';
        const lines = table(
          ['Track', 'Time', 'BPM', 'Key', 'Kind', 'Problems / state', 'Path'],
          page.items.map((f) => [
            printable(trackOf(f)),
            duration(f.durationSec),
            f.bpm === null ? '—' : f.bpm.toFixed(1),
            f.camelot ?? '—',
            f.kind,
            printable(problemsOf(f)),
            printable(f.path),
          ]),
          [1, 2],
        );
        if (page.nextCursor) lines.push('', `More: crateflow files … --cursor ${page.nextCursor}`);
        return lines;
      });
    });
}
