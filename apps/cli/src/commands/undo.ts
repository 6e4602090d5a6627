import type { Command } from 'commander';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { followExecution, renderSummary } from './execute';

/** `crateflow undo <executionId>`: moves the files of an execution back (all, or some), by the same protocol. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('undo <executionId>')
    .description(
      'move the files of an execution back (refused per file when the original path is taken or the file changed)',
    )
    .option('--operation <id...>', 'only these operations of the execution')
    .action(async (executionId: string, opts: { operation?: string[] }) => {
      const accepted = await ctx.api().request<{ id: string }>(`executions/${executionId}/undo`, {
        method: 'POST',
        body: opts.operation?.length ? { operationIds: opts.operation } : {},
      });
      const summary = await followExecution(ctx, accepted.id);
      ctx.out().result(summary, () => renderSummary(summary));
      if (summary.status !== 'completed' || summary.counts.failed) process.exitCode = ExitCode.failure;
    });
}
