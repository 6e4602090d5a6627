import type { Command } from 'commander';
import type { CliContext } from '../context';
import * as duplicates from './duplicates';
import * as files from './files';
import * as fingerprintIndex from './fingerprint-index';
import * as identify from './identify';
import * as open from './open';
import * as retry from './retry';
import * as scan from './scan';
import * as propose from './propose';
import * as review from './review';
import * as execute from './execute';
import * as plan from './plan';
import * as start from './start';
import * as status from './status';
import * as tracklist from './tracklist';
import * as undo from './undo';

/**
 * Every `crateflow` command. To add one: write commands/<name>.ts exporting
 * `export function register(program: Command, ctx: CliContext): void` and list it here.
 */
const COMMANDS: { register(program: Command, ctx: CliContext): void }[] = [
  start,
  status,
  scan,
  files,
  identify,
  fingerprintIndex,
  duplicates,
  propose,
  review,
  plan,
  execute,
  undo,
  open,
  tracklist,
  retry,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const command of COMMANDS) command.register(program, ctx);
}
