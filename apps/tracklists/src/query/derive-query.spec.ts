import { extractDate } from './dates';
import { deriveQuery } from './derive-query';
import { repairMojibake } from './mojibake';

describe('repairMojibake', () => {
  it('undoes UTF-8 read as Windows-1252, once or twice', () => {
    expect(repairMojibake('BjÃ¶rk')).toBe('Björk');
    expect(repairMojibake('Ã‰douard')).toBe('Édouard');
    expect(repairMojibake('Ã¢â‚¬â„¢')).toBe('’');
  });
  it('leaves correct text alone', () => {
    for (const s of ['Björk', 'Âme', 'naïve', '石野卓球', 'Сергей Санчес', 'Ø']) expect(repairMojibake(s)).toBe(s);
  });
});

describe('extractDate', () => {
  it('reads ISO and compact dates', () => {
    expect(extractDate('x 2019-03-12 y')).toMatchObject({ value: '2019-03-12', precision: 'day', ambiguous: false });
    expect(extractDate('x 20190312')).toMatchObject({ value: '2019-03-12' });
    expect(extractDate('x 2019.3.5')).toMatchObject({ value: '2019-03-05' });
  });
  it('flags day/month orders that read both ways', () => {
    expect(extractDate('x 03.04.2019')).toMatchObject({
      value: '2019-04-03',
      ambiguous: true,
      alternatives: ['2019-03-04'],
    });
    expect(extractDate('x 13.04.2019')).toMatchObject({ value: '2019-04-13', ambiguous: false });
    expect(extractDate('x 04-13-2019')).toMatchObject({ value: '2019-04-13', ambiguous: false });
  });
  it('falls back to the year, and finds nothing in episode numbers', () => {
    expect(extractDate('Live 2015')).toMatchObject({ value: '2015', precision: 'year' });
    expect(extractDate('Episode 123')).toBeNull();
    expect(extractDate('x 2019-13-45')).toMatchObject({ precision: 'year' });
  });
});

describe('deriveQuery', () => {
  it.each([
    ['Carl_Cox_-_Live_at_Space_Ibiza-SAT-10-08-2019-GRP.mp3', 'Carl Cox', 'Space Ibiza', '2019-08-10'],
    [
      '01 - Adam Beyer b2b Cirez D @ Awakenings Festival 2019 [SBD].flac',
      'Adam Beyer b2b Cirez D',
      'Awakenings Festival',
      '2019',
    ],
    ['Radio 1 Essential Mix - Carl Cox (2019-03-12) (WEB).mp3', 'Carl Cox', 'Radio 1 Essential Mix', '2019-03-12'],
    ['BjÃ¶rk - Live at Glastonbury 2007 [FM].mp3', 'Björk', 'Glastonbury', '2007'],
    ['Dixon.Live.At.Kappa.FuturFestival.2018.mp3', 'Dixon', 'Kappa FuturFestival', '2018'],
    [
      'Nina Kraviz - DJ Set @ Dekmantel Festival 2017-08-05 [WEB-FLAC].flac',
      'Nina Kraviz',
      'Dekmantel Festival',
      '2017-08-05',
    ],
    ['Maceo Plex - Essential Mix-SAT-03-16-2019-TALiON.mp3', 'Maceo Plex', 'Essential Mix', '2019-03-16'],
    ['石野卓球 Live at WIRE 2013.flac', '石野卓球', 'WIRE', '2013'],
    ['Solomun (Live Set).mp3', 'Solomun', null, undefined],
  ])('%s', (name, artist, event, date) => {
    const q = deriveQuery(name);
    expect(q.artist).toBe(artist);
    expect(q.event).toBe(event);
    expect(q.date?.value).toBe(date);
    expect(q.text).toBe([artist, event].filter(Boolean).join(' '));
  });
  it('survives hostile and empty names', () => {
    expect(deriveQuery('').artist).toBeNull();
    expect(deriveQuery('\u0000\u0007.mp3').artist).toBeNull();
    expect(deriveQuery('x'.repeat(5000)).text.length).toBeLessThanOrEqual(200);
  });
});
