import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  MAX_GENERATION_FILE_IDS,
  Subjects,
  checkProposedPath,
  destinationKey,
  type ProposalDecision,
} from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';
import { cursorCodec } from '../http/cursor';
import { ProblemException } from '../http/problem';
import { ProposalReviewRepository, type ProposalRow, type ReviewState } from './proposal-review.repository';
import {
  ProposalCursorSchema,
  bandOf,
  type BulkBody,
  type EditBody,
  type GenerationBody,
  type ListProposalsQuery,
  type PreviewNode,
  type ProposalView,
} from './proposals.schemas';

const cursors = cursorCodec(ProposalCursorSchema);
const REVIEWABLE_STATES = ['PROPOSAL_GENERATED', 'APPROVED', 'REJECTED'];

export const etagOf = (id: string, version: number) => `"${id}.${version}"`;

const conflict = (detail: string) => new ProblemException({ status: HttpStatus.CONFLICT, detail });
const preconditionFailed = (detail: string) => new ProblemException({ status: HttpStatus.PRECONDITION_FAILED, detail });

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const extOf = (name: string) => (name.lastIndexOf('.') > 0 ? name.slice(name.lastIndexOf('.') + 1) : '');

function folderOf(r: ProposalRow): string | null {
  return r.folder_edited ? r.edited_folder : r.proposed_folder;
}

export function viewOf(r: ProposalRow): ProposalView {
  const folder = folderOf(r);
  const name = r.edited_name ?? r.proposed_name;
  const currentFolder = dirOf(r.original_path);
  const collision = r.collides_path
    ? { kind: 'proposal' as const, path: r.collides_path, fileId: r.collides_file }
    : r.disk_collision && !r.edited_name && !r.folder_edited
      ? { kind: 'disk' as const, path: r.disk_collision, fileId: null }
      : null;
  return {
    id: r.id,
    fileId: r.file_id,
    contentHash: r.content_hash.trim(),
    kind: r.kind,
    status: r.status,
    source: r.source as ProposalView['source'],
    model: r.model,
    confidence: r.confidence,
    band: bandOf(r.confidence),
    reason: r.reason,
    facts: r.facts ?? {},
    current: { folder: currentFolder, name: r.original_path.split('/').pop()!, path: r.original_path },
    proposed: {
      folder,
      name,
      path: folder === null ? (currentFolder ? `${currentFolder}/${name}` : name) : `${folder}/${name}`,
    },
    edited: r.edited_name !== null || !!r.folder_edited,
    collision: r.status === 'rejected' || r.status === 'superseded' ? null : collision,
    invalidReason: r.status === 'invalid' ? r.invalid_reason : null,
    version: r.version ?? 0,
    createdAt: new Date(r.created_at).toISOString(),
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
  };
}

function stateOf(r: ProposalRow): ReviewState {
  return {
    decision: r.decision ?? 'pending',
    folderEdited: !!r.folder_edited,
    editedFolder: r.edited_folder,
    editedName: r.edited_name,
    destinationKey: r.edited_name !== null || r.folder_edited ? r.key : null,
  };
}

type Action = 'approved' | 'rejected' | 'edited' | 'undone';

/**
 * Review of proposals: decisions and edits are the gateway's to write (proposal_reviews), each change
 * guarded by the version the caller saw (ETag / If-Match), and announced as events for the lifecycle.
 */
@Injectable()
export class ProposalsService {
  constructor(
    private readonly repo: ProposalReviewRepository,
    @Inject(MESSAGING) private readonly messaging: Messaging,
  ) {}

  async list(q: ListProposalsQuery): Promise<{ items: ProposalView[]; nextCursor: string | null }> {
    const after = q.cursor ? (cursors.decode(q.cursor) as [string | number, string]) : undefined;
    const rows = await this.repo.list({ ...q, after, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit).map(viewOf);
    const last = rows.length > q.limit ? rows[q.limit - 1] : null;
    const key = (r: ProposalRow): string | number =>
      q.sort === 'confidence'
        ? r.confidence
        : q.sort === 'path'
          ? r.original_path
          : new Date(r.created_at).toISOString();
    return { items, nextCursor: last ? cursors.encode([key(last), last.id]) : null };
  }

  async detail(id: string) {
    const r = await this.repo.get(id);
    if (!r) throw ProblemException.notFound(`no proposal ${id}`);
    return {
      ...viewOf(r),
      context: r.context ?? {},
      canUndo: r.previous !== null && r.previous !== undefined,
      lastAction: r.last_action,
    };
  }

  async requestGeneration(body: GenerationBody): Promise<{ id: string }> {
    const id = randomUUID();
    const requestedAt = new Date().toISOString();
    const chunks = body.fileIds
      ? Array.from({ length: Math.ceil(body.fileIds.length / MAX_GENERATION_FILE_IDS) }, (_, i) =>
          body.fileIds!.slice(i * MAX_GENERATION_FILE_IDS, (i + 1) * MAX_GENERATION_FILE_IDS),
        )
      : [undefined];
    // A large selection becomes several commands; the first carries the id the caller follows.
    for (const [i, fileIds] of chunks.entries()) {
      const generationId = i === 0 ? id : randomUUID();
      await this.messaging.publish(
        Subjects.proposalGenerationRequested,
        { generationId, ...(fileIds ? { fileIds } : {}), regenerate: body.regenerate, requestedAt },
        { msgId: `generation:${generationId}` },
      );
    }
    return { id };
  }

  async generation(id: string) {
    const g = await this.repo.generation(id);
    const empty = { eligible: 0, generated: 0, unchanged: 0, skipped: 0, failed: 0 };
    if (!g) return { id, status: 'queued' as const, counts: empty, error: null };
    return {
      id,
      status: g.status as 'running' | 'completed' | 'failed',
      counts: { ...empty, ...g.counts },
      error: g.error,
    };
  }

  /** Approve or reject. `ifMatch` null: a bulk decision on the version it reads. */
  async decide(id: string, decision: 'approved' | 'rejected', ifMatch: string | null): Promise<ProposalView> {
    return this.change(id, ifMatch, async (r) => {
      if (r.status === 'superseded') throw conflict('this proposal was replaced by a newer one; review that instead');
      if (r.content_hash.trim() !== r.file_hash.trim()) {
        throw conflict('the file changed after this proposal was made; a new proposal will follow');
      }
      if (!REVIEWABLE_STATES.includes(r.file_state)) {
        throw conflict(
          r.file_state === 'DUPLICATE_RESOLVED'
            ? 'the file is a resolved duplicate; undo that resolution first'
            : `the file is ${r.file_state}, not awaiting review`,
        );
      }
      if (r.decision === decision) return null; // already so: nothing to change
      if (decision === 'approved') {
        if (r.status === 'invalid') throw conflict(`the proposal is invalid (${r.invalid_reason}); edit it first`);
        const v = viewOf(r);
        if (v.collision) {
          throw conflict(
            v.collision.kind === 'proposal'
              ? `collides with ${v.collision.path}, proposed for the same destination ${v.proposed.path}`
              : `a file already exists at ${v.collision.path}`,
          );
        }
      }
      return { ...stateOf(r), decision, lastAction: decision, previous: stateOf(r) };
    });
  }

  async edit(id: string, body: EditBody, ifMatch: string | null): Promise<ProposalView> {
    return this.change(id, ifMatch, async (r) => {
      if (r.status === 'superseded') throw conflict('this proposal was replaced by a newer one; edit that instead');
      const folder = body.folder !== undefined ? body.folder : folderOf(r);
      const name = body.name ?? r.edited_name ?? r.proposed_name;
      const check = checkProposedPath(folder, name, extOf(r.file_name));
      if (!check.ok) {
        throw ProblemException.validation([
          { location: 'body', field: body.name !== undefined ? 'name' : 'folder', message: check.reason },
        ]);
      }
      const key = destinationKey(check.folder, check.name, dirOf(r.original_path));
      const root = await this.repo.rootOf(r.file_id);
      const target =
        check.folder === null
          ? dirOf(r.original_path)
            ? `${dirOf(r.original_path)}/${check.name}`
            : check.name
          : `${check.folder}/${check.name}`;
      if (root && target.toLowerCase() !== r.original_path.toLowerCase()) {
        const existing = await this.repo.fileAt(root, target, r.file_id);
        if (existing) throw conflict(`a file already exists at ${target}`);
      }
      return {
        decision: 'pending' as ProposalDecision,
        folderEdited: body.folder !== undefined || !!r.folder_edited,
        editedFolder: body.folder !== undefined ? check.folder : r.edited_folder,
        editedName: check.name,
        destinationKey: key,
        lastAction: 'edited',
        previous: stateOf(r),
      };
    });
  }

  async undo(id: string, ifMatch: string | null): Promise<ProposalView> {
    return this.change(id, ifMatch, async (r) => {
      if (!r.previous) throw conflict('there is nothing to undo');
      if (r.status === 'superseded') throw conflict('this proposal was replaced by a newer one');
      return { ...r.previous, lastAction: 'undone', previous: null };
    });
  }

  async bulk(body: BulkBody): Promise<{ applied: string[]; skipped: { id: string; reason: string }[] }> {
    const applied: string[] = [];
    const skipped: { id: string; reason: string }[] = [];
    const pending = new Set(
      await this.repo.pendingIds(body.ids, body.decision === 'approved' ? body.minConfidence : 0),
    );
    const ids = body.ids ?? [...pending];
    for (const id of ids) {
      if (!pending.has(id)) {
        const r = await this.repo.get(id);
        skipped.push({
          id,
          reason: !r
            ? 'no such proposal'
            : r.status !== 'pending'
              ? `not pending (${r.status})`
              : `confidence ${r.confidence} is below ${body.minConfidence}`,
        });
        continue;
      }
      try {
        await this.decide(id, body.decision, null);
        applied.push(id);
      } catch (e) {
        if (e instanceof ProblemException) skipped.push({ id, reason: e.detail });
        else throw e;
      }
    }
    return { applied, skipped };
  }

  async preview(status: 'approved' | 'pending'): Promise<{
    status: 'approved' | 'pending';
    files: number;
    stay: number;
    truncated: boolean;
    tree: PreviewNode[];
  }> {
    const LIMIT = 200_000;
    const rows = await this.repo.destinations(status, LIMIT + 1);
    const truncated = rows.length > LIMIT;
    const root: PreviewNode = { name: '', path: '', files: 0, children: [] };
    const index = new Map<string, PreviewNode>([['', root]]);
    let stay = 0;
    for (const { folder } of rows.slice(0, LIMIT)) {
      if (folder === null) {
        stay++;
        continue;
      }
      let node = root;
      let path = '';
      node.files++;
      for (const part of folder.split('/')) {
        path = path ? `${path}/${part}` : part;
        const key = path.toLowerCase();
        let child = index.get(key);
        if (!child) {
          child = { name: part, path, files: 0, children: [] };
          index.set(key, child);
          node.children.push(child);
        }
        child.files++;
        node = child;
      }
    }
    const sort = (n: PreviewNode) => {
      n.children.sort((a, b) => a.name.localeCompare(b.name));
      n.children.forEach(sort);
    };
    sort(root);
    return { status, files: Math.min(rows.length, LIMIT), stay, truncated, tree: root.children };
  }

  /**
   * One review change in a transaction with the proposal locked: check the caller's If-Match against the
   * version, compute the next review state (null: nothing to change), write it, then announce it.
   */
  private async change(
    id: string,
    ifMatch: string | null,
    next: (r: ProposalRow) => Promise<(ReviewState & { lastAction: string; previous: ReviewState | null }) | null>,
  ): Promise<ProposalView> {
    const result = await this.repo.transaction(async (m) => {
      const r = await this.repo.get(id, m);
      if (!r) throw ProblemException.notFound(`no proposal ${id}`);
      const version = r.version ?? 0;
      if (ifMatch !== null && !matches(ifMatch, id, version)) {
        throw preconditionFailed(
          `the proposal changed since you read it (now ${etagOf(id, version)}); reload it and decide again`,
        );
      }
      const state = await next(r);
      if (!state) return { row: r, action: null as Action | null, version };
      const written = await this.repo.write(m, r, version, state);
      if (written === null) throw preconditionFailed('someone else changed the proposal at the same moment; reload it');
      return { row: r, action: state.lastAction as Action, version: written, decision: state.decision };
    });
    if (result.action) {
      const subject = {
        approved: Subjects.proposalApproved,
        rejected: Subjects.proposalRejected,
        edited: Subjects.proposalEdited,
        undone: Subjects.proposalUndone,
      }[result.action];
      await this.messaging.publish(
        subject,
        {
          proposalId: id,
          fileId: result.row.file_id,
          contentHash: result.row.content_hash.trim(),
          decision: (result as { decision: ProposalDecision }).decision,
          version: result.version,
          decidedAt: new Date().toISOString(),
        },
        { msgId: `proposal-review:${id}:${result.version}` },
      );
    }
    const fresh = await this.repo.get(id);
    return viewOf(fresh!);
  }
}

/** If-Match: `*`, or a list of entity tags, weak or strong (`W/"id.3"`, `"id.3"`). */
export function matches(header: string, id: string, version: number): boolean {
  const wanted = `${id}.${version}`;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((t) => t === '*' || t === wanted);
}
