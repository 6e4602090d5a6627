import { ListFilesQuerySchema } from '../files/file.schemas';
import { CreateScanBodySchema } from '../scans/scan.schemas';
import { ProblemException } from './problem';
import { ZodValidationPipe } from './zod-validation.pipe';

function problemOf(fn: () => unknown): ProblemException {
  try {
    fn();
  } catch (e) {
    return e as ProblemException;
  }
  throw new Error('expected a validation problem');
}

describe('ZodValidationPipe', () => {
  const query = new ZodValidationPipe(ListFilesQuerySchema);
  const body = new ZodValidationPipe(CreateScanBodySchema);

  it('coerces and defaults query values', () => {
    expect(query.transform({ limit: '25', missing: 'true' }, { type: 'query' })).toEqual({
      limit: 25,
      missing: true,
      sort: 'path',
      order: 'asc',
    });
    expect(query.transform({}, { type: 'query' })).toEqual({ limit: 100, sort: 'path', order: 'asc' });
  });

  it('lists every bad field with where it was', () => {
    const e = problemOf(() => query.transform({ limit: '501', state: 'NOPE', colour: 'red' }, { type: 'query' }));
    expect(e.getStatus()).toBe(400);
    const fields = e.errors!.map((x) => `${x.location}:${x.field}`).sort();
    expect(fields).toEqual(['query:colour', 'query:limit', 'query:state']);
  });

  it('requires stage and stageStatus together', () => {
    const e = problemOf(() => query.transform({ stage: 'metadata' }, { type: 'query' }));
    expect(e.errors).toEqual([
      { location: 'query', field: 'stageStatus', message: '`stage` and `stageStatus` go together' },
    ]);
  });

  it('refuses a missing or non-object body', () => {
    for (const value of [undefined, 'x', [], { path: 42 }, { path: '' }]) {
      const e = problemOf(() => body.transform(value, { type: 'body' }));
      expect(e.getStatus()).toBe(400);
      expect(e.errors![0].location).toBe('body');
    }
  });
});
