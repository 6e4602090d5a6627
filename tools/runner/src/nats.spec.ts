import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chooseNats, findNatsServer, isImportantNatsLine, NatsNotFoundError, type NatsProbeResult } from './nats';

describe('chooseNats', () => {
  const probeAnswering = (answer: NatsProbeResult) => {
    const asked: string[] = [];
    return { asked, probe: async (url: string) => (asked.push(url), answer) };
  };

  it('uses NATS_URL as given', async () => {
    const { asked, probe } = probeAnswering('unreachable');
    expect(await chooseNats({ NATS_URL: 'nats://broker:4222' }, probe, () => null)).toEqual({
      kind: 'env',
      url: 'nats://broker:4222',
    });
    expect(asked).toEqual([]);
  });

  it('uses the local server when it has JetStream', async () => {
    const { asked, probe } = probeAnswering('jetstream');
    expect(await chooseNats({}, probe, () => '/usr/sbin/nats-server')).toEqual({
      kind: 'local',
      url: 'nats://127.0.0.1:4222',
    });
    expect(asked).toEqual(['nats://127.0.0.1:4222']);
  });

  it.each([
    ['unreachable', 'no NATS server answers on 127.0.0.1:4222'],
    ['no-jetstream', 'the NATS server on 127.0.0.1:4222 runs without JetStream'],
  ] as const)('starts nats-server from the PATH when the local one is %s', async (answer, reason) => {
    const { probe } = probeAnswering(answer);
    expect(await chooseNats({}, probe, () => '/usr/sbin/nats-server')).toEqual({
      kind: 'start',
      binary: '/usr/sbin/nats-server',
      reason,
    });
  });

  it('says how to install nats-server when there is none', async () => {
    const { probe } = probeAnswering('unreachable');
    const choice = chooseNats({}, probe, () => null);
    await expect(choice).rejects.toThrow(NatsNotFoundError);
    await expect(choice).rejects.toThrow(
      /apt-get install nats-server[\s\S]*brew install nats-server[\s\S]*github\.com\/nats-io\/nats-server\/releases/,
    );
  });
});

describe('findNatsServer', () => {
  it('finds an executable nats-server on the PATH and ignores one that cannot run', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cf-nats-bin-'));
    try {
      const bin = path.join(dir, 'nats-server');
      writeFileSync(bin, '#!/bin/sh\n');
      chmodSync(bin, 0o644);
      const withoutSystemDirs = findNatsServer({ PATH: dir });
      expect(withoutSystemDirs === null || !withoutSystemDirs.startsWith(dir)).toBe(true);
      chmodSync(bin, 0o755);
      expect(findNatsServer({ PATH: dir })).toBe(bin);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('isImportantNatsLine', () => {
  it('keeps warnings and errors only', () => {
    expect(isImportantNatsLine('[1234] 2024/01/01 10:00:00.000000 [INF] Server is ready')).toBe(false);
    expect(isImportantNatsLine('[1234] 2024/01/01 10:00:00.000000 [WRN] JetStream is low on disk')).toBe(true);
    expect(isImportantNatsLine('[1234] 2024/01/01 10:00:00.000000 [FTL] cannot listen')).toBe(true);
  });
});
