import { Consumers, Subjects } from '@crateflow/contracts';
import type { ContextOf } from '@crateflow/messaging';
import { isSubject, subscribe, wiringProblems } from './run-service';

describe('wiringProblems (runService refuses to start unless provisioned consumers == subscribed handlers)', () => {
  const noop = async () => undefined;

  it('accepts a service whose handlers are exactly its declared consumers', () => {
    const subs = [
      subscribe(Consumers.ingestScans, { handle: noop }),
      subscribe(Consumers.ingestLifecycle, { handle: noop }),
    ];
    expect(wiringProblems('ingest', subs)).toEqual([]);
    expect(wiringProblems('gateway', [])).toEqual([]);
  });

  it('names a declared consumer without a handler, a foreign one, and one subscribed twice', () => {
    expect(wiringProblems('ingest', [subscribe(Consumers.ingestScans, { handle: noop })])).toEqual([
      'consumer ingest-lifecycle is declared for ingest but has no handler',
    ]);
    expect(
      wiringProblems('metadata', [
        subscribe(Consumers.metadata, { handle: noop }),
        subscribe(Consumers.metadata, { handle: noop }),
        subscribe(Consumers.analysis, { handle: noop }),
      ]),
    ).toEqual(['consumer metadata is subscribed twice', 'consumer analysis belongs to analysis, not metadata']);
  });

  it('types the handler by the consumer: the payload of ingestScans has scanId and path', () => {
    const seen: string[] = [];
    const sub = subscribe(Consumers.ingestScans, {
      handle: (ctx) => void seen.push(`${ctx.payload.scanId} ${ctx.payload.path}`),
    });
    expect(sub.consumer).toBe(Consumers.ingestScans);
  });

  it('isSubject tells the subjects of a consumer apart and narrows the payload to that subject', () => {
    // Compiles only because each branch's payload is narrowed: a plan request has `mode`, an undo `undoOf`.
    const route = (ctx: ContextOf<typeof Consumers.executor>): string => {
      if (isSubject(ctx, Subjects.executionPlanRequested)) return `plan ${ctx.payload.mode}`;
      if (isSubject(ctx, Subjects.executionUndoRequested)) return `undo ${ctx.payload.undoOf}`;
      return `run ${ctx.payload.planId ?? 'queued'}`;
    };
    const context = (definition: unknown, payload: unknown) =>
      ({ definition, payload }) as unknown as ContextOf<typeof Consumers.executor>;
    expect(route(context(Subjects.executionPlanRequested, { mode: 'copy' }))).toBe('plan copy');
    expect(route(context(Subjects.executionUndoRequested, { undoOf: 'x' }))).toBe('undo x');
    expect(route(context(Subjects.executionRequested, { planId: 'p' }))).toBe('run p');
  });
});
