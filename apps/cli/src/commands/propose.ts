import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';

interface Generation {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  counts: { eligible: number; generated: number; unchanged: number; skipped: number; failed: number };
  error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `crateflow propose`: ask for proposals (every eligible file, or some), and by default wait for them. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('propose')
    .description('propose a clean name and folder for every eligible file (or the given file ids); nothing moves')
    .argument('[fileIds...]', 'only these files (ids from `crateflow status` or the web UI)')
    .option('--regenerate', 'replace pending proposals too (decided ones are never replaced)')
    .option('--no-wait', 'return at once with the generation id instead of waiting for it to finish')
    .option('--timeout <seconds>', 'give up waiting after this long', '3600')
    .action(async (fileIds: string[], opts: { regenerate?: boolean; wait: boolean; timeout: string }) => {
      const api = ctx.api();
      const { id } = await api.request<{ id: string }>('proposals/generations', {
        method: 'POST',
        body: { ...(fileIds.length ? { fileIds } : {}), regenerate: Boolean(opts.regenerate) },
      });
      if (!opts.wait) {
        ctx
          .out()
          .result(
            { id, status: 'queued' },
            () => `Generation ${id} queued; follow it with \`crateflow propose\` --json or the web UI.`,
          );
        return;
      }
      const deadline = Date.now() + Number(opts.timeout) * 1000;
      let g: Generation;
      for (;;) {
        g = await api.request<Generation>(`proposals/generations/${id}`);
        if (g.status === 'completed' || g.status === 'failed') break;
        if (Date.now() > deadline)
          throw new CliError(`generation ${id} is still ${g.status}; stopped waiting`, ExitCode.failure, g);
        ctx.out().progressStream?.write(`\r${g.status}: ${g.counts.generated} proposed, ${g.counts.skipped} skipped …`);
        await sleep(1000);
      }
      ctx.out().progressStream?.write('\n');
      if (g.status === 'failed')
        throw new CliError(`generation failed: ${g.error ?? 'no reason given'}`, ExitCode.failure, g);
      ctx
        .out()
        .result(g, () => [
          `Proposals: ${g.counts.generated} new, ${g.counts.unchanged} unchanged, ${g.counts.skipped} skipped (of ${g.counts.eligible} files).`,
          'Review them with `crateflow review list` or in the web UI (#/proposals).',
        ]);
    });
}
