import type { Command } from 'commander';
import type { CliContext } from '../context';
import * as start from './start';
import * as status from './status';
import * as tracklist from './tracklist';

/**
 * Every `crateflow` command. To add one: write commands/<name>.ts exporting
 * `export function register(program: Command, ctx: CliContext): void` and list it here.
 */
const COMMANDS: { register(program: Command, ctx: CliContext): void }[] = [start, status, tracklist];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const command of COMMANDS) command.register(program, ctx);
}
