/* The library at a glance: tempo histogram, keys on the Camelot wheel, formats and sizes, duplicates and the
 * space they waste. Each picture has its numbers beside it, and clicks through to the matching files. */
import { api } from '../lib/api.js';
import { barChart, camelotWheel } from '../lib/charts.js';
import { clear, h, panel } from '../lib/dom.js';
import { fmtBytes, fmtNumber, query } from '../lib/format.js';

export default {
  route: '#/library',
  title: 'Library',
  nav: 'Library',
  render(root) {
    const body = h('div', { id: 'library' }, h('p', { class: 'muted' }, 'Loading…'));
    root.append(h('h1', { class: 'page-title' }, 'Library'), body);
    let stopped = false;
    api('/library/overview').then(
      (o) => !stopped && draw(body, o),
      (e) => !stopped && clear(body).append(h('p', { class: 'message error' }, e.message)),
    );
    return () => {
      stopped = true;
    };
  },
};

function draw(body, o) {
  const card = (label, value, note, tone) =>
    h(
      'div',
      { class: `card ${tone || ''}` },
      h('div', { class: 'card-label' }, label),
      h('div', { class: 'card-value' }, value),
      note ? h('div', { class: 'card-note' }, note) : null,
    );
  const peak = o.bpm.buckets.reduce((best, b) => (b.files > best.files ? b : best), { from: 0, files: 0 });
  const keys = Object.fromEntries(o.keys.map((k) => [k.camelot, k.files]));
  const topKeys = [...o.keys].sort((a, b) => b.files - a.files).slice(0, 5);
  clear(body).append(
    h(
      'div',
      { class: 'cards' },
      card('Files', fmtNumber(o.files.total), fmtBytes(o.files.bytes)),
      card(
        'Analysed',
        fmtNumber(o.bpm.analysed),
        o.files.total ? `${Math.round((o.bpm.analysed / o.files.total) * 100)} % of files` : '',
      ),
      card(
        'Duplicate copies',
        fmtNumber(o.duplicates.exactCopies),
        `${fmtBytes(o.duplicates.exactWastedBytes)} wasted`,
        o.duplicates.exactCopies ? 'warn' : '',
      ),
      card('Other encodings', fmtNumber(o.duplicates.recordingPairs), 'same recording, found by fingerprints'),
    ),
    h(
      'div',
      { class: 'grid' },
      panel(
        'Tempo',
        o.bpm.analysed
          ? [
              barChart(
                o.bpm.buckets.map((b) => ({
                  label: `${b.from}–${b.from + o.bpm.bucketWidth}`,
                  value: b.files,
                  title: `${b.from}–${b.from + o.bpm.bucketWidth} BPM: ${fmtNumber(b.files)} files`,
                })),
                { describe: `Tempo histogram: most files around ${peak.from}–${peak.from + o.bpm.bucketWidth} BPM` },
              ),
              h(
                'div',
                { class: 'axis muted small' },
                h('span', null, '60'),
                h('span', null, '100'),
                h('span', null, '130'),
                h('span', null, '160'),
                h('span', null, '200 BPM'),
              ),
              h(
                'p',
                null,
                `Most files: ${peak.from}–${peak.from + o.bpm.bucketWidth} BPM (${fmtNumber(peak.files)}). `,
                h(
                  'a',
                  {
                    href: `#/files${query({ bpmMin: peak.from, bpmMax: peak.from + o.bpm.bucketWidth, sort: 'bpm' })}`,
                  },
                  'Show them',
                ),
              ),
            ]
          : h('p', { class: 'muted' }, 'No file has been analysed yet.'),
      ),
      panel(
        'Keys',
        o.keys.length
          ? [
              camelotWheel(keys, {
                describe: 'Files per key on the Camelot wheel',
                hrefFor: (code) => `#/files${query({ camelot: code, sort: 'bpm' })}`,
              }),
              h(
                'p',
                { class: 'muted small' },
                'Most common: ',
                topKeys.map((k) => `${k.camelot} (${fmtNumber(k.files)})`).join(', '),
              ),
            ]
          : h('p', { class: 'muted' }, 'No key measured yet.'),
      ),
      panel(
        'Formats',
        table(
          ['Format', 'Files', 'Size'],
          o.formats.map((f) => [f.ext, fmtNumber(f.files), fmtBytes(f.bytes)]),
          o.formats.map((f) => f.bytes),
        ),
      ),
      panel(
        'Sizes of music and video files',
        table(
          ['Size', 'Files'],
          o.sizes.map((s, i) => [
            s.upToBytes === null ? `over ${fmtBytes(o.sizes[i - 1].upToBytes)}` : `up to ${fmtBytes(s.upToBytes)}`,
            fmtNumber(s.files),
          ]),
          o.sizes.map((s) => s.files),
        ),
      ),
      panel(
        'Duplicates',
        h(
          'p',
          null,
          o.duplicates.exactGroups
            ? `${fmtNumber(o.duplicates.exactGroups)} ${o.duplicates.exactGroups === 1 ? 'content is' : 'contents are'} stored more than once: ${fmtNumber(o.duplicates.exactCopies)} extra ${o.duplicates.exactCopies === 1 ? 'copy takes' : 'copies take'} ${fmtBytes(o.duplicates.exactWastedBytes)}. `
            : 'No byte-identical copies. ',
          o.duplicates.recordingPairs
            ? `The fingerprints found ${fmtNumber(o.duplicates.recordingPairs)} pairs of files that are the same recording in different encodings. `
            : '',
        ),
        h('p', null, h('a', { href: `#/files${query({ duplicates: 'true' })}` }, 'Show files with duplicates')),
      ),
    ),
  );
}

/** A small table whose last column carries a proportional bar (the numbers stay readable as text). */
function table(headers, rows, weights) {
  const max = Math.max(1, ...weights);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'compact' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r, i) => {
          const fill = h('span', { class: 'bar-fill' });
          fill.style.width = `${(weights[i] / max) * 100}%`;
          return h(
            'tr',
            null,
            r.map((c, j) => h(j ? 'td' : 'th', { class: j ? 'num' : null, scope: j ? null : 'row' }, c)),
            h('td', { class: 'meter', 'aria-hidden': 'true' }, h('span', { class: 'bar-track' }, fill)),
          );
        }),
      ),
    ),
  );
}
