import type { SubjectDefinition } from '@crateflow/contracts';
import type { HandlerContext } from './types';

/**
 * Narrows a handler context to one subject of the consumer, e.g.
 * `if (isSubject(ctx, Subjects.metadata.failed)) { ctx.payload.reason }`.
 */
export function isSubject<D extends SubjectDefinition>(ctx: HandlerContext, definition: D): ctx is HandlerContext<D> {
  return ctx.definition === definition;
}
