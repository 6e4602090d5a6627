import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { makePlan, renderPlan } from './plan';

export interface ExecutionSummary {
  id: string;
  kind: string;
  status: string;
  error: string | null;
  counts: {
    total: number;
    done: number;
    failed: number;
    skipped: number;
    pending: number;
    bytesDone: number;
    bytesTotal: number;
  };
  failures: { sourcePath: string; destinationPath: string; code: string | null; error: string | null }[];
}

interface Progressed {
  executionId: string;
  counts: ExecutionSummary['counts'];
  bytesPerSecond: number;
  etaSeconds: number | null;
}

/** Follows an execution (live events, with a poll as a safety net) until it ends; returns its summary. */
export async function followExecution(ctx: CliContext, id: string): Promise<ExecutionSummary> {
  const out = ctx.out();
  const bar = out.progressStream
    ? new SingleBar({
        stream: out.progressStream,
        format: ' {bar} {value}/{total} files | {mib} MiB | {rate} MiB/s | ETA {eta_formatted}',
        hideCursor: true,
      })
    : null;
  let started = false;
  const abort = new AbortController();
  const show = (c: ExecutionSummary['counts'], rate = 0) => {
    if (!bar) return;
    const payload = { mib: (c.bytesDone / 1048576).toFixed(1), rate: (rate / 1048576).toFixed(1) };
    if (!started) {
      bar.start(c.total, 0, payload);
      started = true;
    }
    bar.update(c.done + c.failed + c.skipped, payload);
  };
  const live = ctx
    .api()
    .events(
      ['execution'],
      (subject, payload) => {
        const p = payload as Progressed;
        if (p.executionId === id && subject.endsWith('progressed')) show(p.counts, p.bytesPerSecond);
      },
      abort.signal,
    )
    .catch(() => undefined);
  try {
    for (;;) {
      const e = await ctx
        .api()
        .request<ExecutionSummary>(`executions/${id}`)
        .catch((err) => {
          if (err instanceof CliError && err.exitCode === ExitCode.failure) return null; // not stored yet
          throw err;
        });
      if (e) show(e.counts);
      if (e && (e.status === 'completed' || e.status === 'failed')) return e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    abort.abort();
    await live;
    bar?.stop();
  }
}

export function renderSummary(e: ExecutionSummary): string[] {
  const c = e.counts;
  const lines = [
    `${e.kind === 'undo' ? 'Undo' : 'Execution'} ${e.id} ${e.status}: ${c.done} done, ${c.failed} failed, ${c.skipped} skipped of ${c.total}; ${(c.bytesDone / 1048576).toFixed(1)} MiB`,
  ];
  if (e.error) lines.push(`  ${e.error}`);
  for (const f of e.failures.slice(0, 50)) lines.push(`  [${f.code ?? 'failed'}] ${f.sourcePath}: ${f.error ?? ''}`);
  if (e.kind !== 'undo' && c.done)
    lines.push(
      `Relink map: crateflow execute --relink ${e.id} > map.csv   (or GET /api/v1/executions/${e.id}/relink.csv)`,
    );
  return lines;
}

/** `crateflow execute [planId]`: runs a stored plan (or plans and runs), with a progress bar and a summary. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('execute [planId]')
    .description(
      'run a stored plan (without an id: plan the approved proposals first and ask nothing more); progress bar, then a summary',
    )
    .option('--mode <mode>', 'when planning here: move, copy or hardlink', 'move')
    .option('--relink <executionId>', 'print the old → new path map (CSV) of an execution instead')
    .action(async (planId: string | undefined, opts: { mode: string; relink?: string }) => {
      if (opts.relink) {
        const csv = await ctx.api().request<string>(`executions/${opts.relink}/relink.csv`);
        ctx.streams.stdout.write(typeof csv === 'string' ? csv : JSON.stringify(csv));
        return;
      }
      let id = planId;
      if (!id) {
        const plan = await makePlan(ctx, { mode: opts.mode });
        ctx.out().info(renderPlan(plan).slice(0, 1).join('\n'));
        id = plan.id;
      }
      const accepted = await ctx.api().request<{ id: string }>('executions', { method: 'POST', body: { planId: id } });
      const summary = await followExecution(ctx, accepted.id);
      ctx.out().result(summary, () => renderSummary(summary));
      if (summary.status !== 'completed' || summary.counts.failed) process.exitCode = ExitCode.failure;
    });
}
