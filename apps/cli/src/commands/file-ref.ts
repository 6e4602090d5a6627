import * as path from 'node:path';
import type { GatewayClient } from '../gateway-client';
import { CliError, ExitCode } from '../exit-codes';
import type { FileRow } from './files';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A file named on the command line: its id, or its path (absolute or relative to here) as the library knows it. */
export async function resolveFile(api: GatewayClient, ref: string, cwd: string): Promise<{ id: string; path: string }> {
  if (UUID.test(ref)) return { id: ref.toLowerCase(), path: ref };
  const absolute = path.resolve(cwd, ref);
  const page = await api.request<{ items: FileRow[] }>('files', { query: { q: path.basename(absolute), limit: 500 } });
  const match = page.items.find((f) => f.path === absolute);
  if (!match)
    throw new CliError(
      `no file in the library at ${absolute} (scan its folder first, or give the file id)`,
      ExitCode.failure,
    );
  return { id: match.id, path: match.path };
}
