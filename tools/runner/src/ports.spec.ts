import { createServer, type Server } from 'node:net';
import { findFreePort, isPortFree } from './ports';

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('ports', () => {
  it('sees a port in use as busy and the next one as free', async () => {
    const server = await listen();
    const port = (server.address() as { port: number }).port;
    try {
      expect(await isPortFree(port)).toBe(false);
      const found = await findFreePort(port);
      expect(found).toBeGreaterThan(port);
      expect(await isPortFree(found)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('never hands out the same port twice in one run', async () => {
    const taken = new Set<number>();
    const isFree = async () => true;
    expect(await findFreePort(3101, { taken, isFree })).toBe(3101);
    expect(await findFreePort(3101, { taken, isFree })).toBe(3102);
    expect([...taken]).toEqual([3101, 3102]);
  });

  it('gives up after the given number of busy ports', async () => {
    await expect(findFreePort(4000, { attempts: 3, isFree: async () => false })).rejects.toThrow(
      'no free port on 127.0.0.1 among 3 from 4000',
    );
  });
});
