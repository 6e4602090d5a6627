import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { printable, table } from '../output';

interface TrackView {
  id: string;
  position: number;
  artist: string | null;
  title: string | null;
  remix: string | null;
  cue: string | null;
  confidence: number | null;
  unknown: boolean;
  agreedBy: string[];
}

interface TracklistView {
  id: string;
  source: string;
  status: string;
  title: string | null;
  artist: string | null;
  event: string | null;
  date: string | null;
  version: number;
  tracks: TrackView[];
}

interface MixTracklists {
  fileId: string;
  name: string;
  lookup: { status: string; candidates: { title: string; date: string | null; score: number; url: string }[] } | null;
  tracklists: TracklistView[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A file id, or the path of a file the gateway knows. */
async function resolveMix(ctx: CliContext, mix: string): Promise<string> {
  if (UUID.test(mix)) return mix;
  const wanted = path.resolve(ctx.cwd, mix);
  const page = await ctx.api().request<{ items: { id: string; path: string }[] }>('files', {
    query: { q: path.basename(mix), limit: 100 },
  });
  const hit = page.items.find((f) => f.path === wanted) ?? (page.items.length === 1 ? page.items[0] : undefined);
  if (!hit)
    throw new CliError(`No file in the library matches ${JSON.stringify(mix)}; give its path or id.`, ExitCode.failure);
  return hit.id;
}

/** The tracklist to show: the one of the asked source, else an approved one, else the first (fingerprint first). */
function choose(view: MixTracklists, source?: string): TracklistView | undefined {
  const pool = source ? view.tracklists.filter((t) => t.source === source) : view.tracklists;
  return pool.find((t) => t.status === 'approved') ?? pool.find((t) => t.status !== 'rejected') ?? pool[0];
}

/** `crateflow tracklist MIX`: a mix's tracklist (every source with --all); `--cue` writes it as a CUE sheet. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('tracklist')
    .description(
      "print a mix's tracklist (from its fingerprints, cue sheet or 1001Tracklists); --cue writes a CUE sheet",
    )
    .argument('<mix>', "the mix's file id or path")
    .option('--source <source>', 'fingerprint, cue, 1001tracklists or manual')
    .option('--all', 'print every source side by side')
    .option('--cue [file]', 'write the CUE sheet (default: <mix name>.cue in the current folder; never overwrites)')
    .action(async (mix: string, opts: { source?: string; all?: boolean; cue?: string | boolean }) => {
      const out = ctx.out();
      const fileId = await resolveMix(ctx, mix);
      const view = await ctx.api().request<MixTracklists>(`mixes/${fileId}/tracklists`);
      const chosen = choose(view, opts.source);
      if (opts.cue !== undefined) {
        if (!chosen) throw new CliError(`${view.name} has no tracklist yet.`, ExitCode.failure);
        const sheet = await ctx.api().request<string>(`tracklists/${chosen.id}/cue-sheet`, { query: { fileId } });
        const target = path.resolve(
          ctx.cwd,
          typeof opts.cue === 'string' ? opts.cue : view.name.replace(/\.[^.]*$/, '') + '.cue',
        );
        try {
          // Exclusive create: an existing file is never replaced.
          writeFileSync(target, sheet, { encoding: 'utf8', flag: 'wx' });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new CliError(
            code === 'EEXIST'
              ? `${target} exists; not replacing it (give another file with --cue FILE).`
              : `Cannot write ${target}: ${(e as Error).message}`,
            ExitCode.failure,
          );
        }
        out.result(
          { written: target, tracklistId: chosen.id, source: chosen.source },
          () => `Wrote ${target} (${chosen.source}, ${chosen.tracks.length} tracks)`,
        );
        return;
      }
      const shown = opts.all ? view.tracklists : chosen ? [chosen] : [];
      out.result(
        opts.all ? view : { fileId: view.fileId, name: view.name, lookup: view.lookup, tracklist: chosen ?? null },
        () => render(view, shown),
      );
      if (!chosen && !out.json) process.exitCode = ExitCode.failure;
    });
}

export function render(view: MixTracklists, shown: TracklistView[]): string[] {
  const lines = [printable(view.name)];
  if (shown.length === 0) {
    lines.push('No tracklist yet.');
    if (view.lookup) lines.push(`1001Tracklists look-up: ${view.lookup.status}`);
    for (const c of view.lookup?.candidates ?? [])
      lines.push(`  candidate ${c.score}: ${printable(c.title)} ${c.date ?? ''} ${c.url}`);
    return lines;
  }
  for (const t of shown) {
    const heading = [t.artist, t.event ?? t.title, t.date].filter(Boolean).map(printable).join(' - ');
    lines.push('', `${t.source} (${t.status}, version ${t.version})${heading ? `: ${heading}` : ''}`);
    lines.push(
      ...table(
        ['#', 'Start', 'Artist', 'Title', 'Conf.'],
        t.tracks.map((x) => [
          x.position,
          x.cue ?? '',
          x.unknown ? 'ID' : printable(x.artist ?? ''),
          x.unknown ? 'ID' : printable(x.title ?? '') + (x.remix ? ` (${printable(x.remix)})` : ''),
          x.confidence == null ? '' : `${Math.round(x.confidence * 100)}%${x.agreedBy.length ? '+' : ''}`,
        ]),
        [0, 4],
      ),
    );
  }
  return lines;
}
