import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';
import { createContext, type GlobalOptions } from './context';
import { CliError, ExitCode } from './exit-codes';
import { createOutput, type Streams } from './output';

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the gateway answered but the request failed (refused scan, no such file, ...)
  2  wrong arguments or options
  3  the gateway cannot be reached (is Crateflow running?)
  4  the gateway refused the API token`;

/** Builds the `crateflow` program with every command of commands/index.ts. */
export function buildProgram(env: NodeJS.ProcessEnv, cwd: string, streams: Streams): Command {
  const program = new Command('crateflow');
  let current: GlobalOptions = {};
  program
    .description('Crateflow from the command line: scan folders, follow the pipeline, search files, identify mixes.')
    .option(
      '--url <url>',
      'gateway address (default: $CRATEFLOW_URL, the one `npm start` recorded, or http://127.0.0.1:3000)',
    )
    .option('--token <token>', 'API token (default: $CRATEFLOW_TOKEN or the token in the data folder `npm start` uses)')
    .option(
      '--data-dir <dir>',
      'the data folder of `npm start` (default: $CRATEFLOW_DATA_DIR or ~/.local/share/crateflow)',
    )
    .option('--json', 'print the result as JSON (machine-readable)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
    });
  program.hook('preAction', (_program, action) => {
    current = action.optsWithGlobals<GlobalOptions>();
  });
  const ctx = createContext(() => current, env, cwd, streams);
  registerCommands(program, ctx);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the command line; resolves with the exit code (never throws). */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const program = buildProgram(env, cwd, streams);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const json = argv.includes('--json');
    const out = createOutput(json, streams);
    if (e instanceof CliError) {
      out.error(e.message, e.details);
      return e.exitCode;
    }
    out.error(`unexpected error: ${(e as Error).stack ?? String(e)}`);
    return ExitCode.failure;
  }
}
