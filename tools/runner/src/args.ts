import { parseArgs } from 'node:util';

export interface RunnerOptions {
  /** The music folder as typed (resolved later against the folder the command was started from). */
  musicDir?: string;
  /** Port of the gateway (UI and API); the next free one is taken when it is busy. */
  port?: number;
  dataDir?: string;
  /** Where copy and hardlink executions build the organised library (the sources stay untouched). */
  outputDir?: string;
  scan: boolean;
  verbose: boolean;
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm start -- [options] <music folder>

Starts every Crateflow service on this machine for one music folder, scans it and shows the
address of the UI and API. Ctrl-C stops everything.

Options:
  --port <n>         port of the UI and API (default 3000, or the next free one)
  --data-dir <dir>   where Crateflow keeps its database, message store and token
                     (default $CRATEFLOW_DATA_DIR or ~/.local/share/crateflow)
  --output <dir>     where copy and hardlink executions build the organised library, leaving
                     the music folder untouched (default $CRATEFLOW_OUTPUT_ROOT; created if
                     missing; must lie outside the music folder)
  --no-scan          start without scanning the folder
  --verbose          show every log line of every service as JSON
  --help             show this help

Uses DATABASE_URL and NATS_URL when set; otherwise a PostgreSQL and a NATS (with JetStream)
on their standard local ports; otherwise starts its own (embedded PostgreSQL, nats-server).`;

/** Parses the command line; throws UsageError with a readable reason. */
export function parseRunnerArgs(argv: string[]): RunnerOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        output: { type: 'string' },
        'no-scan': { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`expected one music folder, got ${positionals.length}: ${positionals.join(', ')}`);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
      throw new UsageError(`--port must be a number from 1 to 65535, got "${values.port}"`);
    }
  }
  const options: RunnerOptions = {
    musicDir: positionals[0],
    port,
    dataDir: values['data-dir'],
    outputDir: values.output,
    scan: !values['no-scan'],
    verbose: values.verbose,
    help: values.help,
  };
  if (!options.help && !options.musicDir) throw new UsageError('which music folder? e.g. npm start -- ~/Music');
  return options;
}
