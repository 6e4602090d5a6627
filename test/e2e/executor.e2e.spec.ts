import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import type { ScanCounts } from '@crateflow/contracts';
import { TestSystem } from './system';

interface Plan {
  id: string;
  status: string;
  totals: Record<string, number>;
  items: { sourcePath: string; destinationPath: string | null; status: string; reason: string | null; role: string }[];
}
interface Execution {
  id: string;
  status: string;
  error: string | null;
  counts: { total: number; done: number; failed: number };
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/**
 * The executor end to end through the public API, every service as its own process: scan → approved
 * proposals → plan → execute with SSE progress → files at their new paths with their hashes → rescan finds
 * them unchanged → undo → everything back; then the same in copy mode (into an output root on another
 * filesystem) where the sources never change. Proposals are approved by writing the rows the proposer and
 * the review API write (their public routes arrive in the proposals issue).
 */
describe('executing approved proposals through the public API', () => {
  let work: string;
  let library: string;
  let output: string;
  let system: TestSystem;
  const originals = new Map<string, { hash: string; mtimeMs: number }>();

  beforeAll(async () => {
    work = mkdtempSync('/tmp/cf-e2e-exec-');
    output = mkdtempSync('/dev/shm/cf-e2e-out-');
    library = path.join(work, 'library');
    const album = path.join(library, 'incoming', 'Some_Artist-Some_Album-WEB-2024');
    mkdirSync(album, { recursive: true });
    for (let i = 1; i <= 6; i++)
      writeFileSync(path.join(album, `0${i}-some_artist-track_${i}.mp3`), randomBytes(20_000 + i));
    writeFileSync(path.join(album, '01-some_artist-track_1.cue'), 'FILE "01-some_artist-track_1.mp3" MP3\n');
    writeFileSync(path.join(library, 'incoming', '.keep-me-hidden'), 'a hidden file keeps its folder');
    mkdirSync(path.join(library, 'music', 'Some Artist', 'Some Album'), { recursive: true });
    writeFileSync(path.join(library, 'music', 'Some Artist', 'Some Album', '06 - Track 6.mp3'), 'already there');
    for (const name of readdirSync(album)) {
      const p = path.join(album, name);
      originals.set(p, { hash: sha(p), mtimeMs: statSync(p).mtimeMs });
    }
    system = new TestSystem({
      // The output root is a library root too without being listed here: the organised copies are scanned
      // like any other files.
      CRATEFLOW_LIBRARY_ROOTS: library,
      CRATEFLOW_OUTPUT_ROOT: output,
      EXECUTOR_PROGRESS_INTERVAL_MS: '50',
    });
    await system.init();
    await system.start('gateway');
    await Promise.all([system.start('ingest'), system.start('executor')]);
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
  });

  async function scan(root = library): Promise<ScanCounts> {
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: root });
    expect(started.status).toBe(202);
    const done = await system.waitFor('the scan', async () => {
      const { body } = await system.api<{ status: string; counts: ScanCounts }>(
        'GET',
        `/api/v1/scans/${started.body.id}`,
      );
      return body.status === 'completed' || body.status === 'failed' ? body : undefined;
    });
    expect(done.status).toBe('completed');
    return done.counts;
  }

  /** Live events of the whole system, collected from the public SSE feed. */
  function listen(): { events: { event: string; data: Record<string, unknown> }[]; stop: () => void } {
    const events: { event: string; data: Record<string, unknown> }[] = [];
    const abort = new AbortController();
    void (async () => {
      const res = await fetch(`${system.gatewayUrl}/api/v1/events?types=execution`, { signal: abort.signal });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    })().catch(() => undefined);
    return { events, stop: () => abort.abort() };
  }

  async function waitExecution(id: string): Promise<Execution> {
    return system.waitFor(`execution ${id}`, async () => {
      const { status, body } = await system.api<Execution>('GET', `/api/v1/executions/${id}`);
      return status === 200 && (body.status === 'completed' || body.status === 'failed') ? body : undefined;
    });
  }

  it('plans, executes with live progress, keeps the library known, and undoes', async () => {
    expect((await scan()).new).toBe(8);
    const files: { id: string; path: string; kind: string; content_hash: string }[] = await system.dataSource.query(
      `SELECT id, path, kind, content_hash FROM files WHERE path LIKE '%/incoming/%' ORDER BY path`,
    );
    const music = files.filter((f) => f.kind === 'music');
    const cue = files.find((f) => f.path.endsWith('.cue'))!;
    for (const [i, f] of music.entries()) {
      const proposalId = randomUUID();
      const name = `0${i + 1} - Track ${i + 1}.mp3`;
      await system.dataSource.query(
        `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_folder, proposed_name, destination_key,
                                confidence, facts, reason, context)
         VALUES ($1, $2, $3, 'pending', 'rules', $4, 'music/Some Artist/Some Album', $5, $6, 0.9, '{}', 'scene name', '{}')`,
        [proposalId, f.id, f.content_hash, f.path, name, `music/some artist/some album/${name.toLowerCase()}`],
      );
      await system.dataSource.query(
        `INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, version, last_action) VALUES ($1, $2, $3, 'approved', 1, 'approve')`,
        [proposalId, f.id, f.content_hash],
      );
    }
    await system.dataSource.query(
      `INSERT INTO companion_links (companion_file_id, media_file_id, dir_key, reason) SELECT $1, $2, dir_key, 'same-name' FROM files WHERE id = $1`,
      [cue.id, music[0].id],
    );

    const planned = await system.api<Plan>('POST', '/api/v1/executions/plans', { mode: 'move' });
    expect(planned.status).toBe(201);
    const plan = planned.body;
    expect(plan.totals).toMatchObject({ files: 6, companions: 1, blocked: 1 });
    const blocked = plan.items.find((i) => i.status === 'blocked')!;
    expect(blocked).toMatchObject({ reason: 'destination exists' });
    expect(plan.items.find((i) => i.role === 'companion')!.destinationPath).toBe(
      path.join(library, 'music', 'Some Artist', 'Some Album', '01 - Track 1.cue'),
    );

    const feed = listen();
    await new Promise((r) => setTimeout(r, 500));
    const started = await system.api<{ id: string }>('POST', '/api/v1/executions', { planId: plan.id });
    expect(started.status).toBe(202);
    const execution = await waitExecution(started.body.id);
    expect(execution).toMatchObject({ status: 'completed', counts: { total: 6, done: 6, failed: 0 } });
    await system.waitFor('the finished event', async () =>
      feed.events.some((e) => e.event === 'execution.run.finished'),
    );
    feed.stop();
    const progress = feed.events.filter(
      (e) => e.event === 'execution.run.progressed' && e.data.executionId === execution.id,
    );
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1].data).toMatchObject({ counts: { done: 6, total: 6 } });

    // On disk: every file at its new path with its hash; the sources gone; the emptied folder removed, the
    // folder holding a hidden file kept.
    for (const item of plan.items.filter((i) => i.status === 'ready')) {
      expect(existsSync(item.sourcePath)).toBe(false);
      expect(sha(item.destinationPath!)).toBe(originals.get(item.sourcePath)!.hash);
    }
    expect(existsSync(path.dirname(plan.items[0].sourcePath))).toBe(true); // the blocked file is still there
    expect(existsSync(path.join(library, 'incoming', '.keep-me-hidden'))).toBe(true);

    const relink = await fetch(`${system.gatewayUrl}/api/v1/executions/${execution.id}/relink.csv`).then((r) =>
      r.text(),
    );
    expect(relink.split('\r\n').filter(Boolean)).toHaveLength(1 + 6);

    // The library stays known: ingest records the new paths, and a rescan finds nothing new or missing.
    await system.waitFor('ingest to record the new paths', async () => {
      const rows: { n: number }[] = await system.dataSource.query(
        `SELECT count(*)::int AS n FROM files WHERE path LIKE '%/music/Some Artist/%'`,
      );
      return rows[0].n === 7;
    });
    const rescan = await scan();
    expect(rescan).toMatchObject({ new: 0, changed: 0, missing: 0, unchanged: 8 });

    const undone = await system.api<{ id: string }>('POST', `/api/v1/executions/${execution.id}/undo`, {});
    expect(undone.status).toBe(202);
    expect(await waitExecution(undone.body.id)).toMatchObject({ status: 'completed', counts: { done: 6, failed: 0 } });
    for (const [p, o] of originals) expect(sha(p)).toBe(o.hash);
    expect(existsSync(path.join(library, 'music', 'Some Artist', 'Some Album', '01 - Track 1.mp3'))).toBe(false);

    const audit = await system.api<{ items: { phase: string }[] }>(
      'GET',
      `/api/v1/audit?executionId=${execution.id}&limit=500`,
    );
    expect(audit.body.items.map((s) => s.phase)).toEqual(expect.arrayContaining(['claiming', 'releasing', 'done']));
  });

  it('copies into the output root on another filesystem, leaving every source untouched; refuses a stale plan', async () => {
    await system.waitFor('ingest to record the restored paths', async () => {
      const rows: { n: number }[] = await system.dataSource.query(
        `SELECT count(*)::int AS n FROM files WHERE path LIKE '%/incoming/%'`,
      );
      return rows[0].n === 7;
    });
    const planned = await system.api<Plan>('POST', '/api/v1/executions/plans', { mode: 'copy' });
    expect(planned.body.totals).toMatchObject({ files: 7, crossFilesystem: 7 });
    const started = await system.api<{ id: string }>('POST', '/api/v1/executions', { planId: planned.body.id });
    const execution = await waitExecution(started.body.id);
    expect(execution).toMatchObject({ status: 'completed', counts: { done: 7, failed: 0 } });
    for (const item of planned.body.items.filter((i) => i.status === 'ready')) {
      expect(item.destinationPath!.startsWith(output)).toBe(true);
      expect(sha(item.destinationPath!)).toBe(originals.get(item.sourcePath)!.hash);
    }
    for (const [p, o] of originals) {
      expect(sha(p)).toBe(o.hash);
      expect(statSync(p).mtimeMs).toBe(o.mtimeMs);
    }
    const again = await system.api('POST', '/api/v1/executions', { planId: planned.body.id });
    expect(again.status).toBe(409);

    // Each copy is a file of its own, linked to its source, with the verified hash: a scan of the output
    // root finds every copy unchanged (nothing new to hash).
    const copies = () =>
      system.dataSource.query(
        `SELECT c.path, c.content_hash, s.path AS source_path FROM files c JOIN files s ON s.id = c.copied_from_file_id
          WHERE c.path LIKE $1 ORDER BY c.path`,
        [`${output}/%`],
      ) as Promise<{ path: string; content_hash: string; source_path: string }[]>;
    const recorded = await system.waitFor('ingest to record the copies', async () => {
      const rows = await copies();
      return rows.length === 7 ? rows : undefined;
    });
    for (const c of recorded) expect(c.content_hash).toBe(originals.get(c.source_path)!.hash);
    expect(await scan(output)).toMatchObject({ new: 0, changed: 0, missing: 0, unchanged: 7 });

    // A copy's file page names its original and shows the original's facts (stages, tags, analysis): the
    // copy is not analysed again.
    const [copyRow] = (await system.dataSource.query(
      `SELECT c.id, c.copied_from_file_id AS source_id, s.path AS source_path FROM files c
         JOIN files s ON s.id = c.copied_from_file_id WHERE c.path LIKE $1 AND c.kind <> 'companion' LIMIT 1`,
      [`${output}/%`],
    )) as { id: string; source_id: string; source_path: string }[];
    // What the metadata stage records of the original (a test of its own runs the real stage).
    await system.dataSource.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, attempts)
         SELECT id, 'metadata', 'done', content_hash, 1 FROM files WHERE id = $1
       ON CONFLICT (file_id, stage) DO UPDATE SET status = 'done'`,
      [copyRow.source_id],
    );
    const copyPage = await system.api<{
      file: { copiedFrom: { id: string; path: string } | null };
      stages: { stage: string; status: string; current: boolean }[];
    }>('GET', `/api/v1/files/${copyRow.id}`);
    const sourcePage = await system.api<{ stages: { stage: string; status: string }[]; file: { copiedFrom: unknown } }>(
      'GET',
      `/api/v1/files/${copyRow.source_id}`,
    );
    expect(copyPage.status).toBe(200);
    expect(copyPage.body.file.copiedFrom).toMatchObject({ id: copyRow.source_id, path: copyRow.source_path });
    expect(sourcePage.body.file.copiedFrom).toBeNull();
    expect(copyPage.body.stages.map((s) => [s.stage, s.status])).toEqual(
      sourcePage.body.stages.map((s) => [s.stage, s.status]),
    );
    expect(copyPage.body.stages.find((s) => s.stage === 'metadata')).toMatchObject({ status: 'done', current: true });

    // Undo of a copy removes only the copies; the sources stay exactly as they were.
    const undone = await system.api<{ id: string }>('POST', `/api/v1/executions/${execution.id}/undo`, {});
    expect(await waitExecution(undone.body.id)).toMatchObject({ status: 'completed', counts: { done: 7 } });
    expect(readdirSync(output)).toEqual([]);
    for (const [p, o] of originals) expect(sha(p)).toBe(o.hash);
    await system.waitFor('ingest to remove the copies', async () => (await copies()).length === 0);

    // A source that changes after planning makes the plan stale: the executor refuses to run it.
    const stalePlan = await system.api<Plan>('POST', '/api/v1/executions/plans', { mode: 'copy' });
    const victim = [...originals.keys()][2];
    writeFileSync(victim, 'changed after the plan');
    const stale = await system.api<{ id: string }>('POST', '/api/v1/executions', { planId: stalePlan.body.id });
    const refused = await waitExecution(stale.body.id);
    expect(refused.status).toBe('failed');
    expect(refused.error).toContain('stale');
    expect(readdirSync(output)).toEqual([]);
  });
});
