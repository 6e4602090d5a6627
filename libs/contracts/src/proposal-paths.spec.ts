import { checkProposedPath, destinationKey, sanitizeComponentText, truncateUtf8 } from './proposal-paths';

describe('checkProposedPath', () => {
  it('accepts a clean relative path unchanged', () => {
    expect(checkProposedPath('music/Björk/Homogenic', 'Björk - 03 - Jóga.flac', 'flac')).toEqual({
      ok: true,
      folder: 'music/Björk/Homogenic',
      name: 'Björk - 03 - Jóga.flac',
      repairs: [],
    });
  });

  it.each([
    ['../../etc', 'passwd.mp3', /climbs out/],
    ['music/../../..', 'x.mp3', /climbs out/],
    ['music\\..\\..\\etc', 'x.mp3', /climbs out/],
    ['/etc', 'x.mp3', /absolute/],
    ['C:\\Windows', 'x.mp3', /absolute/],
    ['\\\\server\\share', 'x.mp3', /absolute/],
    ['~/Music', 'x.mp3', /absolute/],
    ['music', '../../x.mp3', /climbs out/],
  ])('refuses an escape: %s / %s', (folder, name, reason) => {
    const r = checkProposedPath(folder, name, 'mp3');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('repairs what is cosmetic and says so', () => {
    const r = checkProposedPath('music//AC/DC./', 'CON.mp3', 'mp3');
    expect(r.ok).toBe(true);
    expect(r).toMatchObject({ folder: 'music/AC/DC', name: 'CON_.mp3' });
    const bidi = checkProposedPath('music', 'evil\u202Egnp.mp3', 'mp3');
    expect(bidi).toMatchObject({ ok: true, name: 'evilgnp.mp3' });
    const ctl = checkProposedPath('a\u0000b', 'x\ny<>:"|?*.mp3', 'mp3');
    expect(ctl.ok).toBe(true);
    expect(ctl.name).not.toMatch(/[<>:"|?*\n]/);
    expect(ctl.folder).toBe('ab');
    // A line break or tab between words stays a space between them.
    expect(checkProposedPath('Unsorted', 'Hungarian Dance\nno 5.m4a', 'm4a')).toMatchObject({
      ok: true,
      name: 'Hungarian Dance no 5.m4a',
    });
    expect(checkProposedPath('A\tB', 'x.mp3', 'mp3')).toMatchObject({ ok: true, folder: 'A B' });
    expect(checkProposedPath('music', 'Track.   ', 'mp3')).toMatchObject({ ok: true, name: 'Track.mp3' });
    expect(checkProposedPath('music', 'nul', 'MP3')).toMatchObject({ ok: true, name: 'nul_.MP3' });
  });

  it('keeps the extension exactly, replacing a different media extension instead of stacking', () => {
    expect(checkProposedPath(null, 'Song.flac', 'MP3')).toMatchObject({ ok: true, name: 'Song.MP3' });
    expect(checkProposedPath(null, 'Song.mp3', 'MP3')).toMatchObject({ ok: true, name: 'Song.MP3' });
    expect(checkProposedPath(null, 'Mr. Scruff', 'mp3')).toMatchObject({ ok: true, name: 'Mr. Scruff.mp3' });
    expect(checkProposedPath(null, '.mp3', 'mp3').ok).toBe(false);
  });

  it('normalises to NFC and keeps every component within 255 bytes and the path within 1,024', () => {
    const nfd = 'Be\u0301la Barto\u0301k.flac';
    expect(checkProposedPath(null, nfd, 'flac').name).toBe('Béla Bartók.flac');
    const long = checkProposedPath('a'.repeat(300), '字'.repeat(200) + '.flac', 'flac');
    expect(long.ok).toBe(true);
    expect(Buffer.byteLength(long.name)).toBeLessThanOrEqual(255);
    expect(long.name.endsWith('.flac')).toBe(true);
    expect(Buffer.byteLength(long.folder!)).toBeLessThanOrEqual(255);
    const deep = checkProposedPath(Array(8).fill('b'.repeat(200)).join('/'), 'x.mp3', 'mp3');
    expect(deep).toMatchObject({ ok: false, reason: expect.stringMatching(/1024 bytes/) });
  });
});

describe('destination keys and text', () => {
  it('compare case-insensitively after NFC, stay-in-place in its own namespace', () => {
    expect(destinationKey('Music/Björk', 'JÓGA.flac', 'x')).toBe(destinationKey('music/bjo\u0308rk', 'jóga.flac', 'y'));
    expect(destinationKey(null, 'a.mp3', 'music')).not.toBe(destinationKey('music', 'a.mp3', 'other'));
  });

  it('sanitises values and cuts on code points', () => {
    expect(sanitizeComponentText(' ../AC/DC: Live?. ')).toBe('-AC-DC - Live.');
    expect(sanitizeComponentText('. . .')).toBe('');
    expect(sanitizeComponentText('..')).toBe('');
    expect(truncateUtf8('a😀b', 3)).toBe('a');
  });
});
