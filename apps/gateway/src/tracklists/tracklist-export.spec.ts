import { renderCueSheet } from '../mixes/cue-sheet';
import { clockTime, renderPlainText } from './plain-text';
import { agreedConfidence, sameTrack } from './source-agreement';

describe('plain-text tracklists', () => {
  it('numbers tracks, shows times, remixes and labels, and keeps hostile text on its line', () => {
    const text = renderPlainText('DJ Test - Club\nNight', [
      { position: 1, cueSec: 0, artist: 'Björk', title: 'Jóga', remix: 'Live', label: 'One Little Indian' },
      { position: 2, cueSec: 3725, artist: null, title: null, remix: null, label: null },
      { position: 3, cueSec: null, artist: 'A\r\nINJECTED', title: 'B', remix: null, label: null },
    ]);
    expect(text.split('\n')).toEqual([
      'DJ Test - Club Night',
      '',
      '01. [0:00] Björk - Jóga (Live) [One Little Indian]',
      '02. [1:02:05] ID - ID',
      '03. A INJECTED - B',
      '',
    ]);
    expect(clockTime(59.9)).toBe('0:59');
  });
});

describe('CUE sheets of tracklists', () => {
  it('writes INDEX at 75 frames per second, FILE type from the extension, and text that cannot leave its quotes', () => {
    const sheet = renderCueSheet({
      fileName: 'Ünï "mix".aiff',
      performer: 'DJ "X"\nREM EVIL',
      title: null,
      tracks: [
        { startSec: 0, performer: 'A', title: 'One' },
        { startSec: 61.5, performer: 'B', title: 'Two "2"' },
        { startSec: 6000.04, performer: null, title: null },
      ],
    });
    expect(sheet).toContain(`FILE "Ünï 'mix'.aiff" AIFF`);
    expect(sheet).toContain(`PERFORMER "DJ 'X' REM EVIL"`);
    expect(sheet).toContain('INDEX 01 01:01:38');
    expect(sheet).toContain('INDEX 01 100:00:03');
    expect(sheet).toContain(`TITLE "Two '2'"`);
    expect(sheet.split('\r\n').filter((l) => l.startsWith('REM EVIL'))).toEqual([]);
    expect(renderCueSheet({ fileName: 'x.mp3', performer: null, title: null, tracks: [] })).toContain(
      'FILE "x.mp3" MP3',
    );
    expect(renderCueSheet({ fileName: 'x.flac', performer: null, title: null, tracks: [] })).toContain(
      'FILE "x.flac" WAVE',
    );
  });
});

describe('agreement between sources', () => {
  it('matches the same track at nearly the same time, spelled a little differently', () => {
    const a = { artist: 'Karissa Hobbs', title: 'Lets Go Fishin', cueSec: 95, unknown: false };
    expect(sameTrack(a, { artist: 'Karissa Hobbs', title: "Let's Go Fishin'", cueSec: 110, unknown: false })).toBe(
      true,
    );
    expect(sameTrack(a, { artist: 'Karissa Hobbs', title: 'Lets Go Fishin', cueSec: 200, unknown: false })).toBe(false);
    expect(sameTrack(a, { artist: 'Someone Else', title: 'Lets Go Fishin', cueSec: 95, unknown: false })).toBe(false);
    expect(sameTrack(a, { artist: null, title: null, cueSec: 95, unknown: true })).toBe(false);
  });
  it('halves the doubt per agreeing source', () => {
    expect(agreedConfidence(0.6, 1)).toBe(0.8);
    expect(agreedConfidence(null, 2)).toBe(0.875);
    expect(agreedConfidence(0.3, 0)).toBe(0.3);
  });
});
