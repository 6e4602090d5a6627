import type { Command } from 'commander';
import type { CliContext } from '../context';

/** `crateflow retry STAGE`: send the files a stage failed through it again. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('retry')
    .description('send the files a stage failed through it again (metadata, fingerprint, analysis, proposer)')
    .argument('<stage>', 'the stage')
    .argument('[fileIds...]', 'only these files')
    .action(async (stage: string, fileIds: string[]) => {
      const r = await ctx.api().request<{ stage: string; requested: number; more: boolean }>('pipeline/retries', {
        method: 'POST',
        body: { stage, ...(fileIds.length ? { fileIds } : {}) },
      });
      ctx
        .out()
        .result(
          r,
          () =>
            `${r.requested} file${r.requested === 1 ? '' : 's'} sent through ${r.stage} again${r.more ? '; more failed: run it again for the rest' : ''}.`,
        );
    });
}
