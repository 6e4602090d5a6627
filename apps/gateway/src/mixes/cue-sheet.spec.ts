import { cueString, cueTime, renderCueSheet } from './cue-sheet';

describe('CUE sheets', () => {
  it('writes mm:ss:ff with 75 frames per second, past 99 minutes for long mixes', () => {
    expect(cueTime(0)).toBe('00:00:00');
    expect(cueTime(61.4)).toBe('01:01:30');
    expect(cueTime(3 * 3600 + 40 * 60 + 1)).toBe('220:01:00');
  });

  it('keeps hostile tag text inside its string: no quotes, no line breaks, no control characters', () => {
    expect(cueString('Say "Hi"\r\nFILE "evil.wav" WAVE\u0000', 'x')).toBe(`"Say 'Hi' FILE 'evil.wav' WAVE"`);
    expect(cueString('   ', 'ID')).toBe('"ID"');
    expect(cueString('x'.repeat(1000), 'ID')).toHaveLength(252);
  });

  it('lists the tracks in order, the first at 00:00:00, with ID for what has no tags', () => {
    const sheet = renderCueSheet({
      fileName: 'Friday "live" mix.mp3',
      performer: 'DJ Test',
      title: null,
      tracks: [
        { startSec: 301.2, performer: null, title: null },
        { startSec: 3.5, performer: 'Björk', title: 'Army of Me' },
      ],
    });
    expect(sheet.split('\r\n')).toEqual([
      'REM GENERATOR "Crateflow"',
      'PERFORMER "DJ Test"',
      `TITLE "Friday 'live' mix.mp3"`,
      `FILE "Friday 'live' mix.mp3" MP3`,
      '  TRACK 01 AUDIO',
      '    TITLE "Army of Me"',
      '    PERFORMER "Björk"',
      '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO',
      '    TITLE "ID"',
      '    PERFORMER "ID"',
      '    INDEX 01 05:01:15',
      '',
    ]);
  });
});
