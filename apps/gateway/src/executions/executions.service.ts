import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { cursorCodec } from '../http/cursor';
import { ProblemException, ProblemTypes } from '../http/problem';
import { ExecutionCommandsRepository } from './execution-commands.repository';
import { ExecutionReadRepository } from './execution-read.repository';
import type { AuditQuery, CreatePlanBody, ListExecutionsQuery } from './executions.schemas';

/**
 * Keyset of the executions list: creation time in exact microseconds since the epoch (a JS Date keeps only
 * milliseconds, so two executions created within one millisecond could fall between pages), then id.
 * Bounded so that a forged cursor is a 400, never a PostgreSQL range error.
 */
const executionCursor = cursorCodec(
  z.object({
    createdAtUs: z
      .string()
      .regex(/^-?\d{1,17}$/)
      .refine((v) => Math.abs(Number(v)) <= 9_000_000_000_000_000),
    id: z.uuid(),
  }),
);
/** Audit steps are keyed by their bigint id (18 digits stay inside bigint's range). */
const auditCursor = cursorCodec(z.object({ id: z.string().regex(/^\d{1,18}$/) }));

/** How long POST /plans waits for the executor before answering 202 (the plan is then fetched by id). */
const PLAN_WAIT_MS = 20_000;

function conflict(detail: string): ProblemException {
  return new ProblemException({ status: HttpStatus.CONFLICT, type: ProblemTypes.blank, title: 'Conflict', detail });
}

@Injectable()
export class ExecutionsService {
  constructor(
    private readonly read: ExecutionReadRepository,
    private readonly commands: ExecutionCommandsRepository,
  ) {}

  async createPlan(body: CreatePlanBody) {
    const planId = randomUUID();
    const status = await this.commands.requestPlan(
      {
        planId,
        mode: body.mode,
        proposalIds: body.proposalIds,
        removeEmptyFolders: body.removeEmptyFolders,
        requestedAt: new Date().toISOString(),
      },
      PLAN_WAIT_MS,
    );
    if (status === 'ready') return { status: 201, body: await this.getPlan(planId) };
    return { status: 202, body: { id: planId, status } };
  }

  async getPlan(id: string) {
    const plan = await this.read.plan(id);
    if (!plan) throw ProblemException.notFound(`no plan ${id} (a new plan appears once the executor has computed it)`);
    return plan;
  }

  /** Runs exactly a stored plan; refuses one that is not ready or whose proposals or files changed since. */
  async execute(planId: string) {
    const plan = await this.read.plan(planId);
    if (!plan) throw ProblemException.notFound(`no plan ${planId}`);
    if (plan.status !== 'ready') throw conflict(`the plan is ${plan.status}; make a new plan`);
    const changes = await this.read.planChangesSince(planId);
    if (changes.length) throw conflict(`the plan is stale; make a new plan: ${changes.slice(0, 10).join('; ')}`);
    const id = randomUUID();
    await this.commands.requestRun(id, planId);
    return { id, status: 'queued' };
  }

  async undo(executionId: string, operationIds?: string[]) {
    const e = await this.read.execution(executionId);
    if (!e) throw ProblemException.notFound(`no execution ${executionId}`);
    if (e.kind !== 'run') throw conflict('an undo cannot be undone; run the plan again instead');
    if (e.status === 'queued' || e.status === 'running')
      throw conflict(`the execution is ${e.status}; undo it once it has finished`);
    const id = randomUUID();
    await this.commands.requestUndo(id, executionId, operationIds);
    return { id, status: 'queued' };
  }

  async get(id: string) {
    const e = await this.read.execution(id);
    if (!e) throw ProblemException.notFound(`no execution ${id}`);
    return e;
  }

  async list(q: ListExecutionsQuery) {
    const before = q.cursor ? executionCursor.decode(q.cursor) : null;
    const items = await this.read.executions(before, q.limit + 1);
    const page = items.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((e) => e.view),
      nextCursor:
        items.length > q.limit && last
          ? executionCursor.encode({ createdAtUs: last.createdAtUs, id: last.view.id })
          : null,
    };
  }

  async audit(q: AuditQuery) {
    const after = q.cursor ? auditCursor.decode(q.cursor).id : null;
    const rows = await this.read.audit({ ...q, afterId: after, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page,
      nextCursor: rows.length > q.limit ? auditCursor.encode({ id: page[page.length - 1].id }) : null,
    };
  }

  async relinkMap(id: string) {
    await this.get(id);
    return this.read.relinkMap(id);
  }
}

/** CSV with every field quoted (paths contain commas, quotes and newlines). */
export function relinkCsv(rows: { fileId: string | null; role: string; oldPath: string; newPath: string }[]): string {
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  return (
    [
      'old_path,new_path,role,file_id',
      ...rows.map((r) => [q(r.oldPath), q(r.newPath), q(r.role), q(r.fileId ?? '')].join(',')),
    ].join('\r\n') + '\r\n'
  );
}
