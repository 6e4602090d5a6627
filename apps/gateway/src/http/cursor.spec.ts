import { z } from 'zod';
import { cursorCodec, toPage } from './cursor';
import { ProblemException, ProblemTypes } from './problem';

const codec = cursorCodec(z.tuple([z.string(), z.uuid()]));
const ID = '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';

function problemOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemException);
    return e as ProblemException;
  }
  throw new Error('expected a problem');
}

describe('cursor codec', () => {
  it('round-trips keys with any characters, as URL-safe text', () => {
    for (const path of [
      '/music/a.mp3',
      '/music/Björk – Jóga (Live) [100%].flac',
      '/m/quote"back\\slash\nnewline',
      '/m/\u{1F3B5}',
    ]) {
      const cursor = codec.encode([path, ID]);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(codec.decode(cursor)).toEqual([path, ID]);
    }
  });

  it.each([
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ path: '/a', id: ID })).toString('base64url')],
    ['an id that is not a uuid', Buffer.from(JSON.stringify(['/a', "x' OR 1=1"])).toString('base64url')],
    ['empty', ''],
  ])('rejects %s with a 400 naming the cursor', (_what, cursor) => {
    const problem = problemOf(() => codec.decode(cursor));
    expect(problem.getStatus()).toBe(400);
    expect(problem.problemType).toBe(ProblemTypes.validation);
    expect(problem.errors).toEqual([
      { location: 'query', field: 'cursor', message: expect.stringContaining('cursor is not valid') },
    ]);
  });
});

describe('toPage', () => {
  const rows = [1, 2, 3, 4].map((n) => ({ path: `/m/${n}`, id: ID }));

  it('drops the look-ahead row and points the cursor at the last row shown', () => {
    const page = toPage(
      rows,
      3,
      codec,
      (r) => [r.path, r.id] as [string, string],
      (r) => r.path,
    );
    expect(page.items).toEqual(['/m/1', '/m/2', '/m/3']);
    expect(codec.decode(page.nextCursor!)).toEqual(['/m/3', ID]);
  });

  it('has no cursor on the last page', () => {
    expect(
      toPage(
        rows,
        4,
        codec,
        (r) => [r.path, r.id] as [string, string],
        (r) => r.path,
      ).nextCursor,
    ).toBeNull();
    expect(
      toPage(
        [],
        10,
        codec,
        (r: (typeof rows)[number]) => [r.path, r.id] as [string, string],
        (r) => r.path,
      ),
    ).toEqual({ items: [], nextCursor: null });
  });
});
