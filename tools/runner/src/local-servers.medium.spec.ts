import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { clusterDirFor, startEmbeddedPostgres } from './embedded-postgres';
import { findNatsServer, probeNats, startNatsServer } from './nats';
import { isAlive } from './processes';

/** The servers the runner starts itself when the machine has none: real processes in a temporary data folder. */
describe('servers the runner starts', () => {
  let dataDir: string;
  const logs: string[] = [];
  const log = (line: string) => void logs.push(line);

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cf-runner-servers-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('embedded PostgreSQL: creates a password-protected cluster in the data folder, stops, and starts again with the data kept', async () => {
    const first = await startEmbeddedPostgres({ dataDir, log });
    try {
      expect(first.clusterDir).toBe(path.join(dataDir, 'postgres'));
      expect(statSync(path.join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
      const client = new Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (v text)');
      await client.query('INSERT INTO kept VALUES ($1)', ['still here']);
      await client.end();
      // Without the password the server turns us away (scram-sha-256, not trust).
      const anonymous = new Client({ connectionString: first.url.replace(/:[^:@/]+@/, '@') });
      anonymous.on('error', () => undefined);
      await expect(anonymous.connect()).rejects.toThrow();
      await anonymous.end().catch(() => undefined);
    } finally {
      await first.stop();
    }
    expect(isAlive(first.pid)).toBe(false);

    const second = await startEmbeddedPostgres({ dataDir, log });
    try {
      const client = new Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await client.end();
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('embedded PostgreSQL: keeps root-run clusters where the database user can reach them', () => {
    expect(clusterDirFor('/home/dj/.local/share/crateflow', false, false)).toBe(
      '/home/dj/.local/share/crateflow/postgres',
    );
    expect(clusterDirFor('/tmp/cf', true, true)).toBe('/tmp/cf/postgres');
    expect(clusterDirFor('/root/.local/share/crateflow', true, false)).toMatch(
      /^\/var\/lib\/crateflow\/postgres-[0-9a-f]{12}$/,
    );
  });

  const natsServer = findNatsServer();
  (natsServer ? it : it.skip)(
    'nats-server: starts with JetStream in the data folder and stops; a left-over server is stopped first',
    async () => {
      const nats = await startNatsServer({ binary: natsServer!, dataDir, log });
      expect(await probeNats(nats.url)).toBe('jetstream');
      expect(existsSync(path.join(dataDir, 'nats'))).toBe(true);
      expect(readFileSync(path.join(dataDir, 'nats-server.pid'), 'utf8').trim()).toBe(String(nats.pid));

      // A runner killed with SIGKILL leaves its nats-server behind; the next start stops it first.
      const again = await startNatsServer({ binary: natsServer!, dataDir, log });
      try {
        expect(isAlive(nats.pid)).toBe(false);
        expect(logs.some((l) => l.includes(`stopping the nats-server (pid ${nats.pid})`))).toBe(true);
        expect(await probeNats(again.url)).toBe('jetstream');
      } finally {
        await again.stop();
      }
      expect(isAlive(again.pid)).toBe(false);
      expect(existsSync(path.join(dataDir, 'nats-server.pid'))).toBe(false);
    },
    60_000,
  );

  it('probeNats tells a server without JetStream from one with it', async () => {
    if (!natsServer) return;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const plain = spawn(natsServer, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    try {
      let answer = 'unreachable';
      for (let i = 0; i < 50 && answer === 'unreachable'; i++) {
        answer = await probeNats(`nats://127.0.0.1:${port}`);
        if (answer === 'unreachable') await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe('no-jetstream');
    } finally {
      plain.kill('SIGTERM');
    }
    expect(await probeNats('nats://127.0.0.1:1')).toBe('unreachable');
  }, 30_000);
});
