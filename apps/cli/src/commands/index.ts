import type { Command } from 'commander';
import type { CliContext } from '../context';
import * as duplicates from './duplicates';
import * as files from './files';
import * as identify from './identify';
import * as open from './open';
import * as retry from './retry';
import * as scan from './scan';
import * as start from './start';
import * as status from './status';

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
  duplicates,
  open,
  retry,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const command of COMMANDS) command.register(program, ctx);
}
