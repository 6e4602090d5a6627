import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Consumers, Streams, streamName } from '@crateflow/contracts';
import { generateTracks } from '../support/generated-tracks';
import { NATS_URL, TestSystem, type RunningProcess } from './system';

interface SseEvent {
  id: number;
  event: string;
  data: { scanId?: string; status?: string };
}

/** Reads a Server-Sent Events response until `until` is satisfied or the time is up. */
async function followEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean,
  timeoutMs: number,
  onOpen?: () => void | Promise<void>,
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { headers, signal: abort.signal });
    expect(res.status).toBe(200);
    await onOpen?.();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        if (fields.has('event'))
          events.push({
            id: Number(fields.get('id')),
            event: fields.get('event')!,
            data: JSON.parse(fields.get('data')!),
          });
      }
      if (until(events)) break;
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

/** Sum of a counter's samples in a Prometheus text exposition, filtered by labels. */
function sumOf(exposition: string, metric: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * Several replicas (issue 13): two processes of a stage share its durable consumer and split the work with
 * nothing handled twice; two gateways behind one address answer alike: a scan accepted by one is known to
 * the other at once, and its progress can be followed (and resumed) on the other's event stream.
 */
describe('several replicas of a service', () => {
  let work: string;
  let library: string;
  let system: TestSystem;
  let metadataReplicas: RunningProcess[];
  let secondGateway: RunningProcess;
  const TRACKS = 40;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-e2e-replicas-'));
    library = path.join(work, 'library');
    await generateTracks(path.join(library, 'generated'), TRACKS, { seconds: 4 });
    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library, INGEST_PROGRESS_INTERVAL_MS: '100' });
    await system.init();
    await system.start('gateway');
    await Promise.all([system.start('ingest'), system.start('metadata')]);
    secondGateway = await system.startReplica('gateway');
    metadataReplicas = [system.processes.get('metadata')!, await system.startReplica('metadata')];
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${system.token}` });

  it('follows a scan started on one gateway on the other gateway, which knows the scan at once', async () => {
    const gatewayA = system.gatewayUrl;
    const gatewayB = secondGateway.url;
    let scanId = '';
    let seenOnB: number | undefined;
    const events = await followEvents(
      `${gatewayB}/api/v1/events?types=scan`,
      auth(),
      (evs) => evs.some((e) => e.event.endsWith('scan.finished') && e.data.scanId === scanId),
      120_000,
      async () => {
        const res = await fetch(`${gatewayA}/api/v1/scans`, {
          method: 'POST',
          headers: { ...auth(), 'content-type': 'application/json' },
          body: JSON.stringify({ path: path.join(library, 'generated') }),
        });
        expect(res.status).toBe(202);
        scanId = ((await res.json()) as { id: string }).id;
        // Asked right away, before ingest may have recorded it: the other gateway knows it too.
        const onB = await fetch(`${gatewayB}/api/v1/scans/${scanId}`, { headers: auth() });
        expect(onB.status).toBe(200);
        seenOnB = onB.status;
        const body = (await onB.json()) as { id: string; status: string };
        expect(body.id).toBe(scanId);
        expect(['queued', 'running', 'completed']).toContain(body.status);
      },
    );
    expect(seenOnB).toBe(200);
    const ofScan = events.filter((e) => e.data.scanId === scanId);
    // At least the command (scan.requested, seen because the stream was open before the POST) and the end.
    expect(ofScan[0].event).toBe('scan.requested');
    expect(ofScan.at(-1)).toMatchObject({ event: 'scan.finished', data: { status: 'completed' } });

    // Both gateways list it alike.
    const listA = (await (await fetch(`${gatewayA}/api/v1/scans`, { headers: auth() })).json()) as {
      items: { id: string; status: string }[];
    };
    const listB = (await (await fetch(`${gatewayB}/api/v1/scans`, { headers: auth() })).json()) as typeof listA;
    expect(listA.items.find((s) => s.id === scanId)).toEqual(listB.items.find((s) => s.id === scanId));

    // A client that reconnects to the other gateway with Last-Event-ID gets what followed, with the same ids.
    {
      const resumed = await followEvents(
        `${gatewayA}/api/v1/events?types=scan`,
        { ...auth(), 'last-event-id': String(ofScan[0].id) },
        (evs) => evs.some((e) => e.id === ofScan.at(-1)!.id),
        30_000,
      );
      expect(resumed.filter((e) => e.data.scanId === scanId).map((e) => e.id)).toEqual(
        ofScan.slice(1).map((e) => e.id),
      );
    }
  });

  it('splits the metadata work between two replicas with nothing processed twice', async () => {
    // Every file discovered by the scan above is one message for the metadata consumer.
    const nc = await connect({ servers: NATS_URL });
    let published = 0;
    try {
      const jsm = await jetstreamManager(nc);
      const stream = streamName(system.prefix, Streams.events);
      const durable = `${system.prefix}-${Consumers.metadata.durable}`;
      await system.waitFor('the metadata consumer to finish', async () => {
        const info = await jsm.consumers.info(stream, durable);
        return info.num_pending + info.num_ack_pending === 0 && info.delivered.stream_seq > 0;
      });
      const info = await jsm.streams.info(stream, {
        subjects_filter: `${system.prefix}.${Consumers.metadata.filter}`,
      });
      published = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
      const consumer = await jsm.consumers.info(stream, durable);
      // No message went out twice (a redelivery would count here).
      expect(consumer.num_redelivered).toBe(0);
    } finally {
      await nc.close();
    }
    expect(published).toBe(TRACKS);

    const handledBy = await Promise.all(
      metadataReplicas.map(async (replica) => {
        const text = await (await fetch(`${replica.url}/metrics`)).text();
        return sumOf(text, 'crateflow_messages_processed_total', { stage: 'metadata' });
      }),
    );
    // Both replicas worked, and together they handled each message exactly once.
    expect(handledBy.every((n) => n > 0)).toBe(true);
    expect(handledBy.reduce((a, b) => a + b, 0)).toBe(TRACKS);
    const rows: { n: number }[] = await system.dataSource.query(`SELECT count(*)::int AS n FROM file_metadata`);
    expect(rows[0].n).toBe(TRACKS);
  });
});
