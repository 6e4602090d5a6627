import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { printable, table } from '../output';

interface ScanCounts {
  found: number;
  new: number;
  changed: number;
  unchanged: number;
  missing: number;
  errors: number;
  bytesHashed: number;
}
interface ScanView {
  id: string;
  path: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  counts: ScanCounts;
  error: string | null;
}

interface LibraryRoot {
  path: string;
  scannable: boolean;
  problem: string | null;
  lastScan: (ScanView & { finishedAt: string | null }) | null;
}

const POLL_MS = 2000;

/** The library roots as lines for a person: where a scan may start, and how each stands. */
function describeRoots(roots: LibraryRoot[]): string[] {
  if (!roots.length) return ['No library roots are configured (set CRATEFLOW_LIBRARY_ROOTS and restart Crateflow).'];
  return table(
    ['ROOT', 'STATE', 'LAST SCAN'],
    roots.map((r) => [
      printable(r.path),
      r.scannable ? 'ok' : `cannot be scanned: ${r.problem ?? 'unknown'}`,
      r.lastScan ? `${r.lastScan.status} ${r.lastScan.finishedAt ?? ''}`.trim() : 'never',
    ]),
  );
}

/** Files the scan has finished with (hashed, compared or given up on), of those found so far. */
export function processed(c: ScanCounts): number {
  return c.new + c.changed + c.unchanged + c.errors;
}

export function describeCounts(c: ScanCounts): string {
  return `${c.found} found, ${c.new} new, ${c.changed} changed, ${c.unchanged} unchanged, ${c.missing} missing, ${c.errors} errors`;
}

/**
 * `crateflow scan PATH`: asks the gateway to scan a folder and follows it live (the event stream, with a
 * poll as a safety net) with a progress bar until it completes or fails.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('scan a folder inside a library root, showing live progress until it finishes')
    .argument('[path]', 'the folder (relative to here or absolute): a library root or a folder inside one')
    .option('--no-wait', 'return once the scan is queued')
    .option('--roots', 'list the library roots scans may start in, and stop')
    .addHelpText(
      'after',
      '\nThe library roots are the folders Crateflow was started with; `crateflow scan --roots` lists them.',
    )
    .action(async (folder: string | undefined, options: { wait: boolean; roots?: boolean }) => {
      const api = ctx.api();
      const out = ctx.out();
      if (options.roots || folder === undefined) {
        const { items } = await api.request<{ items: LibraryRoot[] }>('library/roots');
        if (options.roots) {
          out.result(items, () => describeRoots(items));
          return;
        }
        throw new CliError(
          ['name the folder to scan: a library root or a folder inside one', ...describeRoots(items)].join('\n'),
          ExitCode.usage,
          { roots: items },
        );
      }
      const absolute = path.resolve(ctx.cwd, folder);
      // Listen before asking, so no progress event can slip past between the two; events of the scan
      // arriving before its id is known are kept and applied once it is.
      const abort = new AbortController();
      const seen: { scanId: string; subject: string; counts?: ScanCounts }[] = [];
      const live: { follow?: (event: { subject: string; counts?: ScanCounts }) => void } = {};
      const stream = options.wait
        ? api
            .events(
              ['scan'],
              (subject, payload) => {
                const p = payload as { scanId?: string; counts?: ScanCounts };
                if (!p.scanId) return;
                seen.push({ scanId: p.scanId, subject, counts: p.counts });
                live.follow?.({ subject, counts: p.counts });
              },
              abort.signal,
            )
            .catch(() => undefined)
        : undefined;

      let accepted: { id: string };
      try {
        accepted = await api.request<{ id: string }>('scans', { method: 'POST', body: { path: absolute } });
      } catch (e) {
        abort.abort();
        throw e;
      }
      if (!options.wait) {
        out.result(accepted, () => `Scan ${accepted.id} queued for ${printable(absolute)}`);
        return;
      }
      const scanId = accepted.id;
      out.info(`Scanning ${printable(absolute)} (scan ${scanId})`);
      let latest: ScanView = {
        id: scanId,
        path: absolute,
        status: 'queued',
        counts: { found: 0, new: 0, changed: 0, unchanged: 0, missing: 0, errors: 0, bytesHashed: 0 },
        error: null,
      };
      const bar = progressBar(ctx);
      let wake: (() => void) | undefined;
      const onEvent = (event: { subject: string; counts?: ScanCounts }) => {
        if (event.counts) latest = { ...latest, counts: event.counts };
        if (latest.status === 'queued' && event.subject === 'scan.progressed')
          latest = { ...latest, status: 'running' };
        bar.update(latest);
        if (event.subject === 'scan.finished') wake?.();
      };
      bar.update(latest);
      for (const e of seen.filter((x) => x.scanId === scanId)) onEvent(e);
      live.follow = (event) => {
        if (seen[seen.length - 1]?.scanId === scanId) onEvent(event);
      };
      try {
        for (;;) {
          const scan = await api.request<ScanView>(`scans/${scanId}`).catch((e: CliError) => {
            // Ingest may not have recorded the scan yet; keep waiting on the event stream.
            if (e.exitCode === ExitCode.failure) return undefined;
            throw e;
          });
          if (scan) {
            latest = { ...scan };
            bar.update(latest);
            if (scan.status === 'completed' || scan.status === 'failed') break;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, POLL_MS);
          });
        }
      } finally {
        bar.stop();
        abort.abort();
        await stream;
      }
      const final = latest;
      out.result(final, () => [
        `Scan ${final.status}: ${describeCounts(final.counts)}`,
        ...(final.error ? [`Why: ${printable(final.error)}`] : []),
      ]);
      if (final.status === 'failed') {
        throw new CliError(`the scan failed: ${final.error ?? 'no reason given'}`, ExitCode.failure, final);
      }
    });
}

/** A progress bar on a terminal; plain lines (at most one a second) when stderr is not one; nothing with --json. */
function progressBar(ctx: CliContext): { update(scan: ScanView): void; stop(): void } {
  const stream = ctx.out().progressStream;
  if (!stream) return { update: () => undefined, stop: () => undefined };
  const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
  const bar = new SingleBar({
    stream: stream as NodeJS.WritableStream & { isTTY: boolean },
    format: '{bar} {percentage}% | {value}/{total} files | {detail}',
    hideCursor: tty,
    noTTYOutput: !tty,
    notTTYSchedule: 1000,
    barsize: 30,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(scan) {
      const c = scan.counts;
      const payload = { detail: `${scan.status}: ${describeCounts(c)}` };
      const total = Math.max(1, c.found);
      if (!started) {
        bar.start(total, Math.min(processed(c), total), payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(Math.min(processed(c), total), payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
