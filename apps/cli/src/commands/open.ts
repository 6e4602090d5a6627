import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import type { CliContext } from '../context';

/** The program that opens a URL in the person's browser on this platform. */
export function opener(platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  return { command: 'xdg-open', args: [] };
}

/** `crateflow open [page]`: the web UI in a browser. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('open')
    .description('open the web UI in a browser')
    .argument('[page]', 'files, library, or a file id', '')
    .option('--print', 'only print the address')
    .action(async (pageName: string, options: { print?: boolean }) => {
      const api = ctx.api();
      // Check it answers, so a stopped gateway is reported rather than a browser opened on nothing.
      await api.request('/health');
      const hash = !pageName
        ? '#/'
        : /^[0-9a-f-]{36}$/i.test(pageName)
          ? `#/files/${pageName}`
          : `#/${encodeURIComponent(pageName)}`;
      const url = `${api.url('/')}${hash}`;
      if (!options.print) {
        const { command, args } = opener();
        const child = spawn(command, [...args, url], { stdio: 'ignore', detached: true });
        child.on('error', () => ctx.out().info(`Could not start a browser (${command}); open ${url} yourself.`));
        child.unref();
      }
      ctx.out().result({ url }, () => url);
    });
}
