import type { Command } from 'commander';
import type { CliContext } from '../context';
import * as start from './start';
import * as status from './status';

/**
 * Every `crateflow` command. To add one: write commands/<name>.ts exporting
 * `export function register(program: Command, ctx: CliContext): void` and list it here.
 */
const COMMANDS: { register(program: Command, ctx: CliContext): void }[] = [start, status];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const command of COMMANDS) command.register(program, ctx);
}
