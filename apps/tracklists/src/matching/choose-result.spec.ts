import { deriveQuery } from '../query/derive-query';
import { chooseResult, dateProximity, scoreRow, type SearchRow } from './choose-result';

const row = (
  artist: string,
  event: string,
  date: string | null,
  url = `https://www.1001tracklists.com/tracklist/${artist.length}${event.length}/x.html`,
): SearchRow => ({
  url,
  title: `${artist} @ ${event}`,
  artist,
  event,
  date,
});

describe('scoreRow', () => {
  it('weights artist 0.5, event 0.3, date 0.2 over the signals both sides have', () => {
    const q = deriveQuery('Carl Cox - Live @ Space Ibiza 2019-08-10.mp3');
    expect(scoreRow(q, row('Carl Cox', 'Space Ibiza', '2019-08-10')).score).toBe(100);
    expect(scoreRow(q, row('Carl Cox', 'Space Ibiza', '2019-08-12')).score).toBe(96);
    expect(scoreRow(q, row('Carl Cox', 'Space Ibiza', null)).score).toBe(100);
  });
  it('caps at 89 when dates are more than 3 days apart or the artist did not count', () => {
    const q = deriveQuery('Carl Cox - Live @ Space Ibiza 2019-08-10.mp3');
    const far = scoreRow(q, row('Carl Cox', 'Space Ibiza', '2019-08-20'));
    expect(far).toMatchObject({ score: 89, capped: true });
    const noArtist = scoreRow(
      deriveQuery('Live @ Space Ibiza 2019-08-10'),
      row('Carl Cox', 'Space Ibiza', '2019-08-10'),
    );
    expect(noArtist.score).toBeLessThanOrEqual(89);
  });
  it('reads an ambiguous date either way round', () => {
    const q = deriveQuery('Carl Cox - Live @ Space 03.04.2019.mp3');
    expect(scoreRow(q, row('Carl Cox', 'Space', '2019-03-04')).signals.date).toBe(100);
  });
  it('date proximity steps', () => {
    expect([0, 3, 4, 30, 31].map(dateProximity)).toEqual([100, 80, 50, 50, 0]);
  });
});

describe('chooseResult', () => {
  it('links a clear winner at ≥ 90', () => {
    const q = deriveQuery('Adam Beyer b2b Cirez D @ Awakenings 2019-06-29.mp3');
    const c = chooseResult(q, [
      row('Adam Beyer & Cirez D', 'Awakenings Festival 2019', '2019-06-29'),
      row('Amelie Lens', 'Awakenings Festival 2019', '2019-06-29'),
    ]);
    expect(c.winner?.row.artist).toBe('Adam Beyer & Cirez D');
    expect(c.autoLink).toBe(true);
  });
  it('refuses when two rows are within 10 points', () => {
    const q = deriveQuery('Carl Cox - Live @ Space.mp3');
    const c = chooseResult(q, [
      row('Carl Cox', 'Space Ibiza', '2019-08-10'),
      row('Carl Cox', 'Space Ibiza', '2018-08-10'),
    ]);
    expect(c.winner).toBeNull();
    expect(c.autoLink).toBe(false);
  });
  it('keeps a winner below 90 for a person', () => {
    const q = deriveQuery('Carl Cox - Live @ Space 2019-08-10.mp3');
    const c = chooseResult(q, [row('Carl Cox', 'Space Ibiza', '2019-08-25')]);
    expect(c.winner).not.toBeNull();
    expect(c.autoLink).toBe(false);
  });
  it('no rows, no winner', () => {
    expect(chooseResult(deriveQuery('x'), [])).toMatchObject({ winner: null, autoLink: false, ranked: [] });
  });
});
