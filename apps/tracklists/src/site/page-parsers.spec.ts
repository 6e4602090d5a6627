import { fixture } from '../../test/fake-1001tracklists';
import {
  PageParseError,
  TRACKLIST_PAGE_SELECTOR,
  classifyPage,
  parseCue,
  parseSearchPage,
  parseTracklistPage,
} from './page-parsers';

const allowed = (u: URL) => ['1001tracklists.com', 'www.1001tracklists.com'].includes(u.hostname);

describe('parseSearchPage', () => {
  it('reads rows, splits artist and event on " @ ", keeps only allowed tracklist links', () => {
    const rows = parseSearchPage(
      fixture('search-results.html'),
      'https://www.1001tracklists.com/search/result.php',
      allowed,
    );
    expect(rows).toEqual([
      {
        url: 'https://www.1001tracklists.com/tracklist/2k9fj3t1/adam-beyer-cirez-d-awakenings-festival-2019-2019-06-29.html',
        title: 'Adam Beyer & Cirez D @ Awakenings Festival 2019, Spaarnwoude, Netherlands',
        artist: 'Adam Beyer & Cirez D',
        event: 'Awakenings Festival 2019, Spaarnwoude, Netherlands',
        date: '2019-06-29',
      },
      expect.objectContaining({ artist: 'Adam Beyer', date: '2018-06-30' }),
      expect.objectContaining({ artist: 'Нина Кравиц', event: 'Dekmantel Festival 2017', date: null }),
    ]);
  });
  it('finds no rows on an empty result page', () => {
    expect(parseSearchPage(fixture('search-empty.html'), 'https://www.1001tracklists.com/', allowed)).toEqual([]);
  });
});

describe('parseTracklistPage', () => {
  it('reads artists, titles, remixes, labels, cue times, ID tracks, mashups and non-Latin names', () => {
    const t = parseTracklistPage(fixture('tracklist-full.html'));
    expect(t).toMatchObject({ artist: 'Adam Beyer & Cirez D', date: '2019-06-29' });
    expect(t.event).toBe('Awakenings Festival 2019, Spaarnwoude, Netherlands');
    expect(t.tracks).toEqual([
      {
        position: 1,
        artist: 'Adam Beyer & Bart Skils',
        title: 'Your Mind',
        remix: 'Joel Mull Remix',
        label: 'DRUMCODE',
        cueSec: 0,
        unknown: false,
      },
      { position: 2, artist: null, title: null, remix: null, label: null, cueSec: 330, unknown: true },
      {
        position: 3,
        artist: 'Cirez D vs. Eric Prydz',
        title: 'On Off vs. Opus',
        remix: 'Cirez D Mashup',
        label: 'MOUSEVILLE',
        cueSec: 725,
        unknown: false,
      },
      { position: 4, artist: '石野卓球', title: 'ポリリズム', remix: null, label: null, cueSec: null, unknown: false },
      {
        position: 5,
        artist: 'Сергей Санчес',
        title: 'Ночь «Москва» "Live"',
        remix: null,
        label: null,
        cueSec: 3727,
        unknown: false,
      },
      { position: 6, artist: 'Amelie Lens', title: null, remix: null, label: null, cueSec: 4530, unknown: false },
    ]);
  });
  it('reads a page without cue times', () => {
    const t = parseTracklistPage(fixture('tracklist-no-cues.html'));
    expect(t.tracks.map((x) => [x.title, x.cueSec, x.remix])).toEqual([
      ['Earth Intruders', null, null],
      ['Hunter', null, null],
      ['Jóga', null, 'Live'],
    ]);
  });
  it('is all or nothing', () => {
    expect(() => parseTracklistPage(fixture('tracklist-broken-row.html'))).toThrow(PageParseError);
    expect(() => parseTracklistPage(fixture('shell.html'))).toThrow(/no tracks/);
  });
  it('tells challenge pages and empty shells from content', () => {
    expect(classifyPage(fixture('challenge.html'), TRACKLIST_PAGE_SELECTOR)).toBe('challenge');
    expect(classifyPage(fixture('shell.html'), TRACKLIST_PAGE_SELECTOR)).toBe('shell');
    expect(classifyPage(fixture('tracklist-full.html'), TRACKLIST_PAGE_SELECTOR)).toBe('content');
  });
  it('takes cue times only as H:MM:SS or MM:SS', () => {
    expect(['0:00', '05:30', '1:02:07', '123:45', 'w/', '1:2', '5:61', '', '1:75:00'].map(parseCue)).toEqual([
      0,
      330,
      3727,
      7425,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});
