import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Consumers, Streams, durableName, streamName } from '@crateflow/contracts';
import { NATS_URL, TestSystem } from './system';

/** A short mono 16-bit WAV tone: real audio the audio stages decode, distinct per frequency. */
function wav(freqHz: number, seconds = 3, rate = 22050): Buffer {
  const samples = seconds * rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const env = Math.min(1, i / 2000, (samples - i) / 2000);
    data.writeInt16LE(Math.round(12000 * env * Math.sin((2 * Math.PI * freqHz * i) / rate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const ACK_WAIT_MS = 2000;
/**
 * Where a file ends once the proposer has finished its round: with a proposal, PROPOSAL_GENERATED; skipped
 * (companions) or failed, the state never claims a proposal that does not exist and stays ANALYZED.
 */
const FINAL_BY_PROPOSER_OUTCOME: Record<string, string> = {
  done: 'PROPOSAL_GENERATED',
  skipped: 'ANALYZED',
  failed: 'ANALYZED',
};

/**
 * Issue 9's redelivery fault test, on the real NATS and PostgreSQL with every service as a process:
 * ingest is SIGKILLed while `file.ingest.changed` events it has already applied are unacknowledged; files
 * were touched (same bytes) and others changed. After the redeliveries every file is in its final state,
 * with one history row per real change and every stage outcome of the new round recorded. Then the changed
 * files get their first bytes back: that round's outcomes carry the same content hash as round one's and must
 * not be dropped as duplicates.
 */
describe('redelivery and repeats change nothing', () => {
  let work: string;
  let library: string;
  let system: TestSystem;
  const names = {
    changed: ['c1.wav', 'c2.wav', 'c1.nfo', 'c2.nfo', 'c3.txt'],
    touched: ['t1.wav', 't1.nfo', 't2.nfo', 't3.txt'],
    untouched: ['u1.wav', 'u1.nfo', 'u2.txt'],
  };
  const all = [...names.changed, ...names.touched, ...names.untouched];
  const original = new Map<string, Buffer>();

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-redeliver-'));
    library = path.join(work, 'library');
    mkdirSync(path.join(library, 'set'), { recursive: true });
    all.forEach((name, i) => {
      const content = name.endsWith('.wav')
        ? wav(220 + 37 * i)
        : Buffer.from(`Release notes ${i}\nArtist - Title ${i}\n`);
      original.set(name, content);
      writeFileSync(path.join(library, 'set', name), content);
    });
    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library, NATS_ACK_WAIT_MS: String(ACK_WAIT_MS) });
    await system.init();
    await system.startAll();
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  const fileOf = (name: string) => path.join(library, 'set', name);

  async function rows(): Promise<
    Map<string, { id: string; state: string; mtime_ms: number; generation: number; proposer: string | null }>
  > {
    const r = await system.dataSource.query(
      `SELECT f.id, f.name, f.state, f.mtime_ms, f.generation, s.status AS proposer
         FROM files f LEFT JOIN file_stage_statuses s
           ON s.file_id = f.id AND s.stage = 'proposer' AND s.content_hash = f.content_hash`,
    );
    return new Map(r.map((x: { name: string }) => [x.name, x]));
  }

  async function scan(): Promise<string> {
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: path.join(library, 'set') });
    expect(started.status).toBe(202);
    await system.waitFor('the scan to finish', async () => {
      const [row] = await system.dataSource.query(`SELECT status FROM scans WHERE id = $1`, [started.body.id]);
      return row && row.status !== 'running' ? row : undefined;
    });
    return started.body.id;
  }

  /** Every file at the end of the chain (the proposer finished its current round) with no stage open. */
  async function settled(): Promise<void> {
    await system.waitFor(
      'every file to finish its round',
      async () => {
        const [row] = await system.dataSource.query(
          `SELECT count(*) FILTER (WHERE NOT EXISTS (
                    SELECT 1 FROM file_stage_statuses p WHERE p.file_id = f.id AND p.stage = 'proposer'
                       AND p.content_hash = f.content_hash AND p.status IN ('done', 'skipped', 'failed')))::int
                    AS unfinished,
                  (SELECT count(*)::int FROM file_stage_statuses s JOIN files g ON g.id = s.file_id
                    WHERE s.status IN ('pending', 'running') OR s.content_hash <> g.content_hash) AS open
             FROM files f`,
        );
        return row.unfinished === 0 && row.open === 0;
      },
      180_000,
      500,
    );
  }

  /** Nothing left for the lifecycle: no message pending or delivered-but-unacknowledged. */
  async function lifecycleDrained(): Promise<void> {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await system.waitFor(
        'the lifecycle consumer to drain',
        async () => {
          const info = await jsm.consumers.info(
            streamName(system.prefix, Streams.events),
            durableName(system.prefix, Consumers.ingestLifecycle),
          );
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        120_000,
        500,
      );
    } finally {
      await nc.close();
    }
  }

  async function history(): Promise<Map<string, string[]>> {
    const r: { name: string; event: string }[] = await system.dataSource.query(
      `SELECT f.name, h.event FROM file_history h JOIN files f ON f.id = h.file_id ORDER BY h.id`,
    );
    const out = new Map<string, string[]>(all.map((n) => [n, []]));
    for (const { name, event } of r) out.get(name)!.push(event);
    return out;
  }

  /** The state agrees with the proposer's outcome of the file's current round. */
  function expectFinal(name: string, row: { state: string; proposer: string | null }): void {
    expect({ name, state: row.state }).toEqual({ name, state: FINAL_BY_PROPOSER_OUTCOME[row.proposer ?? ''] });
  }

  /** The events of each round (split at discovered/changed); every round must hold each stage exactly once. */
  function expectOneOutcomePerStagePerRound(events: string[], name: string): void {
    const rounds: string[][] = [];
    for (const e of events) {
      if (e === 'discovered' || e === 'changed') rounds.push([e]);
      else rounds[rounds.length - 1].push(e);
    }
    for (const round of rounds) {
      const stages = round.slice(1).map((e) => e.split('.')[0]);
      expect({ name, stages: [...stages].sort() }).toEqual({
        name,
        stages: ['analysis', 'fingerprint', 'metadata', 'proposer'],
      });
    }
  }

  it('runs the first round for every file', async () => {
    await scan();
    await settled();
    const h = await history();
    for (const name of all) {
      expect(h.get(name)![0]).toBe('discovered');
      expectOneOutcomePerStagePerRound(h.get(name)!, name);
    }
  });

  it('ingest killed with applied `changed` events unacknowledged: after redelivery every file is right', async () => {
    const before = await rows();
    await system.stop('ingest');
    const dying = await system.start('ingest', {}, path.join(__dirname, 'support', 'ingest-dies-before-ack.ts'));

    const later = new Date(Date.now() + 60_000);
    for (const name of names.touched) utimesSync(fileOf(name), later, later);
    names.changed.forEach((name, i) =>
      writeFileSync(
        fileOf(name),
        name.endsWith('.wav') ? wav(1000 + 91 * i) : Buffer.from(`Edited notes ${i}\nArtist - Other ${i}\n`),
      ),
    );

    const scanId = await scan();
    const applied = await system.waitFor('ingest to apply `changed` events and hang before acking', async () => {
      const lines = dying.output.join('').match(/APPLIED-CHANGED \S+/g) ?? [];
      return lines.length >= 3 ? lines : undefined;
    });
    await system.crash('ingest');
    expect(applied.length).toBeGreaterThanOrEqual(3);
    await system.start('ingest');

    const [scanRow] = await system.dataSource.query(`SELECT counts FROM scans WHERE id = $1`, [scanId]);
    expect(scanRow.counts).toMatchObject({ changed: names.changed.length, new: 0, missing: 0 });

    // Wait out the redeliveries (several ack waits), then for the chain to settle.
    await new Promise((r) => setTimeout(r, 3 * ACK_WAIT_MS));
    await settled();
    await lifecycleDrained();

    const after = await rows();
    const h = await history();
    for (const name of names.changed) {
      expect(after.get(name)!.generation).toBe(before.get(name)!.generation + 1);
      expect({ name, changed: h.get(name)!.filter((e) => e === 'changed').length }).toEqual({ name, changed: 1 });
      expectOneOutcomePerStagePerRound(h.get(name)!, name);
    }
    for (const name of names.touched) {
      expect(after.get(name)!.mtime_ms).toBeCloseTo(later.getTime(), 0);
      expect(after.get(name)!.generation).toBe(before.get(name)!.generation);
    }
    for (const name of [...names.touched, ...names.untouched]) {
      expect({ name, history: h.get(name)!.filter((e) => e === 'changed') }).toEqual({ name, history: [] });
      expectOneOutcomePerStagePerRound(h.get(name)!, name);
    }
    for (const name of all) expectFinal(name, after.get(name)!);
  });

  it('content that goes back to its first bytes runs a third round; no outcome is dropped as a duplicate', async () => {
    for (const name of names.changed) writeFileSync(fileOf(name), original.get(name)!);
    await scan();
    await settled();
    await lifecycleDrained();
    const after = await rows();
    const h = await history();
    for (const name of names.changed) {
      expect(after.get(name)!.generation).toBe(3);
      expect(h.get(name)!.filter((e) => e === 'changed')).toHaveLength(2);
      expectOneOutcomePerStagePerRound(h.get(name)!, name);
      expectFinal(name, after.get(name)!);
    }
  });
});
