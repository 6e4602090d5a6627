import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Messaging } from '@crateflow/messaging';
import { AcceptedScanRepository } from './accepted-scan.repository';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * The note of accepted scans lives in NATS, so two gateway processes (two connections here) see the same
 * notes: what one accepted, the other answers for; what one forgets, the other no longer shows.
 */
describe('AcceptedScanRepository on the real NATS, seen from two gateways', () => {
  const prefix = `acc${randomBytes(4).toString('hex')}`;
  let gatewayA: Messaging;
  let gatewayB: Messaging;
  let repoA: AcceptedScanRepository;
  let repoB: AcceptedScanRepository;

  beforeAll(async () => {
    gatewayA = await Messaging.connect({ url: NATS_URL, prefix, name: 'gateway-a' });
    gatewayB = await Messaging.connect({ url: NATS_URL, prefix, name: 'gateway-b' });
    repoA = new AcceptedScanRepository(gatewayA);
    repoB = new AcceptedScanRepository(gatewayB);
  });

  afterAll(async () => {
    await gatewayA?.close();
    await gatewayB?.close();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for await (const info of jsm.streams.list())
      if (info.config.name.startsWith(`KV_${prefix}-`)) await jsm.streams.delete(info.config.name);
    await nc.close();
  });

  it('answers on one gateway for a scan accepted by the other, newest first', async () => {
    const older = { id: randomUUID(), path: '/music/a', acceptedAt: new Date('2026-01-01T10:00:00Z') };
    const newer = { id: randomUUID(), path: '/music/b: "odd" name', acceptedAt: new Date('2026-01-01T10:00:05Z') };
    await repoA.add(older);
    await repoA.add(newer);
    expect(await repoB.get(newer.id)).toEqual(newer);
    expect(await repoB.get(randomUUID())).toBeUndefined();
    expect(await repoB.pending()).toEqual([newer, older]);

    await repoB.forget(older.id);
    expect(await repoA.get(older.id)).toBeUndefined();
    expect(await repoA.pending()).toEqual([newer]);
  });
});
