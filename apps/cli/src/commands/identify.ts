import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { printable, speedChange, table } from '../output';
import { resolveFile } from './file-ref';
import { duration } from './files';

interface Identification {
  jobId: string;
  fileId: string;
  status: 'running' | 'done' | 'failed';
  processedSec: number;
  durationSec: number | null;
  failureReason: string | null;
  entries: {
    position: number;
    start: string;
    startSec: number;
    endSec: number;
    speed: number;
    mode: string;
    confidence: number;
    file: { fileId: string; path: string; artist: string | null; title: string | null } | null;
  }[];
  unknown: { startSec: number; endSec: number }[];
}

const POLL_MS = 1500;

export function renderTimeline(t: Identification): string[] {
  if (!t.entries.length) return ['No library track identified.'];
  return table(
    ['#', 'Start', 'End', 'Track', 'Speed', 'Conf.'],
    t.entries.map((e) => [
      e.position,
      e.start,
      duration(e.endSec),
      printable(
        e.file
          ? e.file.artist || e.file.title
            ? `${e.file.artist ?? 'ID'} – ${e.file.title ?? 'ID'}`
            : e.file.path
          : '(no copy present)',
      ),
      `${speedChange(e.speed)} ${e.mode}`,
      `${Math.round(e.confidence * 100)} %`,
    ]),
    [0, 4, 5],
  );
}

/** `crateflow identify MIX`: which library tracks play in a mix, from when to when. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('identify')
    .description('identify the library tracks inside a mix and print its timeline')
    .argument('<mix>', 'the mix: its path or file id')
    .option('--cached', 'print the last identification without asking for a new one')
    .action(async (ref: string, options: { cached?: boolean }) => {
      const api = ctx.api();
      const out = ctx.out();
      const file = await resolveFile(api, ref, ctx.cwd);
      let result: Identification;
      if (options.cached) {
        result = await api.request<Identification>(`mixes/${file.id}/identification`);
      } else {
        const job = await api.request<{ jobId: string }>(`mixes/${file.id}/identify`, { method: 'POST' });
        const progress = out.progressStream;
        for (;;) {
          const t = await api.request<Identification>(`mixes/${file.id}/identification`).catch((e: CliError) => {
            if (e.exitCode === ExitCode.failure) return undefined; // not recorded yet
            throw e;
          });
          if (t && t.jobId === job.jobId && t.status !== 'running') {
            result = t;
            break;
          }
          if (t && t.jobId === job.jobId && progress) {
            progress.write(
              `identifying: ${Math.round(t.processedSec)} s of ${t.durationSec ? Math.round(t.durationSec) : '?'} s read\n`,
            );
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      }
      out.result(result, () => [
        `Mix: ${printable(file.path)}`,
        ...(result.status === 'failed' ? [] : renderTimeline(result)),
      ]);
      if (result.status === 'failed') {
        throw new CliError(
          `identification failed: ${result.failureReason ?? 'no reason given'}`,
          ExitCode.failure,
          result,
        );
      }
    });
}
