import { createServer } from 'node:net';

/** True when nothing listens on host:port (checked by binding it for a moment). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The first free port from `preferred` upwards, skipping ports already handed out in this run (`taken`),
 * so services started side by side never get the same one. Throws after `attempts` busy ports.
 */
export async function findFreePort(
  preferred: number,
  options: { host?: string; taken?: Set<number>; attempts?: number; isFree?: (port: number) => Promise<boolean> } = {},
): Promise<number> {
  const { host = '127.0.0.1', taken = new Set<number>(), attempts = 100 } = options;
  const isFree = options.isFree ?? ((p: number) => isPortFree(p, host));
  for (let port = preferred, tried = 0; tried < attempts && port <= 65535; port++) {
    if (taken.has(port)) continue;
    tried++;
    if (await isFree(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port on ${host} among ${attempts} from ${preferred}`);
}
