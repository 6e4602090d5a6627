import type { Command } from 'commander';
import type { CliContext } from '../context';

/**
 * `crateflow start [options] <music folder>`: the local runner (the same as `npm start -- …`), so an
 * installed `crateflow` starts the whole system too. Options pass through to the runner untouched.
 */
export function register(program: Command, _ctx: CliContext): void {
  program
    .command('start')
    .description('start every Crateflow service on this machine for a music folder (same as `npm start -- <folder>`)')
    .argument('[args...]', "the runner's options and music folder (see `crateflow start --help`)")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      const runner = (await import('@crateflow/runner')) as { main(argv: string[]): Promise<void> };
      await runner.main(args);
    });
}
