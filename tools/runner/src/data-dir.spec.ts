import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ensureApiToken,
  MusicFolderError,
  resolveDataDir,
  resolveMusicDir,
  resolveOutputDir,
  TOKEN_FILE,
} from './data-dir';

describe('resolveDataDir', () => {
  it('prefers --data-dir, then CRATEFLOW_DATA_DIR, then the XDG data home', () => {
    expect(resolveDataDir('/opt/cf', { CRATEFLOW_DATA_DIR: '/x' }, '/cwd', '/home/dj')).toBe('/opt/cf');
    expect(resolveDataDir(undefined, { CRATEFLOW_DATA_DIR: 'rel' }, '/cwd', '/home/dj')).toBe('/cwd/rel');
    expect(resolveDataDir(undefined, { CRATEFLOW_DATA_DIR: '~/cf' }, '/cwd', '/home/dj')).toBe('/home/dj/cf');
    expect(resolveDataDir(undefined, {}, '/cwd', '/home/dj')).toBe('/home/dj/.local/share/crateflow');
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/xdg' }, '/cwd', '/home/dj')).toBe('/xdg/crateflow');
  });
});

describe('files in a temporary folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-runner-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('resolveMusicDir', () => {
    it('resolves relative paths from where the command was typed, and symlinks', () => {
      mkdirSync(path.join(dir, 'Music'));
      symlinkSync(path.join(dir, 'Music'), path.join(dir, 'link'));
      expect(resolveMusicDir('link', dir)).toBe(path.join(dir, 'Music'));
      expect(resolveMusicDir('~/Music', '/', dir)).toBe(path.join(dir, 'Music'));
    });

    it('says clearly when the folder is missing or is a file', () => {
      writeFileSync(path.join(dir, 'song.mp3'), '');
      expect(() => resolveMusicDir(path.join(dir, 'nope'), dir)).toThrow(
        new MusicFolderError(`the music folder ${path.join(dir, 'nope')} does not exist`),
      );
      expect(() => resolveMusicDir('song.mp3', dir)).toThrow(/is not a folder/);
    });
  });

  describe('resolveOutputDir', () => {
    it('is --output, else CRATEFLOW_OUTPUT_ROOT, else none; created when missing, symlinks resolved', () => {
      const music = path.join(dir, 'Music');
      mkdirSync(music);
      expect(resolveOutputDir(undefined, {}, music, dir)).toBeUndefined();
      expect(resolveOutputDir('Organised', { CRATEFLOW_OUTPUT_ROOT: '/elsewhere' }, music, dir)).toBe(
        path.join(dir, 'Organised'),
      );
      expect(statSync(path.join(dir, 'Organised')).isDirectory()).toBe(true);
      symlinkSync(path.join(dir, 'Organised'), path.join(dir, 'out-link'));
      expect(resolveOutputDir(undefined, { CRATEFLOW_OUTPUT_ROOT: '~/out-link' }, music, '/', dir)).toBe(
        path.join(dir, 'Organised'),
      );
    });

    it('refuses a folder inside the music folder, one holding it, or a file', () => {
      const music = path.join(dir, 'Music');
      mkdirSync(music);
      expect(() => resolveOutputDir(path.join(music, 'sorted'), {}, music, dir)).toThrow(
        /lies inside the music folder/,
      );
      expect(() => resolveOutputDir(music, {}, music, dir)).toThrow(/lies inside the music folder/);
      expect(() => resolveOutputDir(dir, {}, music, dir)).toThrow(/music folder .* lies inside the output folder/);
      writeFileSync(path.join(dir, 'file'), '');
      expect(() => resolveOutputDir('file', {}, music, dir)).toThrow(MusicFolderError);
    });
  });

  describe('ensureApiToken', () => {
    it('uses CRATEFLOW_API_TOKEN without writing anything', () => {
      expect(ensureApiToken(dir, { CRATEFLOW_API_TOKEN: ' secret-from-env-123 ' })).toEqual({
        token: 'secret-from-env-123',
        source: 'env',
      });
      expect(() => statSync(path.join(dir, TOKEN_FILE))).toThrow();
    });

    it('generates a token once, stores it readable only by the user, and reuses it', () => {
      const first = ensureApiToken(dir, {});
      expect(first.source).toBe('generated');
      expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const file = path.join(dir, TOKEN_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(first.token);
      expect(ensureApiToken(dir, {})).toEqual({ token: first.token, source: 'file', file });
    });

    it('tightens a token file that others could read', () => {
      const file = path.join(dir, TOKEN_FILE);
      writeFileSync(file, 'an-existing-token-value\n');
      chmodSync(file, 0o644);
      expect(ensureApiToken(dir, {}).token).toBe('an-existing-token-value');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('replaces an empty token file', () => {
      writeFileSync(path.join(dir, TOKEN_FILE), '\n', { mode: 0o644 });
      const token = ensureApiToken(dir, {});
      expect(token.source).toBe('generated');
      expect(statSync(path.join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    });
  });
});
