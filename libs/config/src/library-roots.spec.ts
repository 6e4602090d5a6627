import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LibraryPathError, resolveLibraryPath, withOutputRoot } from './library-roots';

describe('withOutputRoot', () => {
  it("adds the executor's output root to the library roots, unless a root already holds it", () => {
    expect(withOutputRoot(['/music'], '/output')).toEqual(['/music', '/output']);
    expect(withOutputRoot([], '/output')).toEqual(['/output']);
    expect(withOutputRoot(['/music', '/output'], '/output')).toEqual(['/music', '/output']);
    expect(withOutputRoot(['/music'], '/music/organised')).toEqual(['/music']);
    expect(withOutputRoot(['/music'], '/music-organised')).toEqual(['/music', '/music-organised']);
  });

  it('leaves the roots alone without an output root (or with a relative one, which the executor refuses)', () => {
    expect(withOutputRoot(['/music'], '')).toEqual(['/music']);
    expect(withOutputRoot(['/music'], undefined)).toEqual(['/music']);
    expect(withOutputRoot(['/music'], 'output')).toEqual(['/music']);
  });

  it('lets a scan start in the output root when only the music is listed as a library root', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'cf-roots-'));
    try {
      const music = path.join(work, 'music');
      const output = path.join(work, 'output');
      mkdirSync(path.join(output, 'Artist'), { recursive: true });
      mkdirSync(music);
      await expect(resolveLibraryPath(path.join(output, 'Artist'), [music])).rejects.toBeInstanceOf(LibraryPathError);
      await expect(resolveLibraryPath(path.join(output, 'Artist'), withOutputRoot([music], output))).resolves.toEqual({
        root: output,
        path: path.join(output, 'Artist'),
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
