/* Files: the columns a DJ scans by, search and filters, sortable, keyset-paged. Filters and order live in the
 * URL, so a filtered list can be bookmarked. A file whose stage failed or was skipped says so in words. */
import { api, loadEnums } from '../lib/api.js';
import { badge, clear, fileLink, h, message, put } from '../lib/dom.js';
import { CAMELOT_CODES, dirname, fmtBpm, fmtDuration, fmtState, query } from '../lib/format.js';
import { navigate } from '../lib/router.js';

const FILTERS = [
  'q',
  'state',
  'kind',
  'bpmMin',
  'bpmMax',
  'camelot',
  'camelotCompatible',
  'duplicates',
  'missing',
  'problems',
  'stage',
  'stageStatus',
  'sort',
  'order',
  'limit',
];
const DEFAULTS = { limit: '100', sort: 'path', order: 'asc' };

/** Sortable columns: the API's sort name per column. */
const COLUMNS = [
  { label: 'Track', sort: 'artist', title: 'Sort by artist' },
  { label: 'Time', sort: 'duration', class: 'num' },
  { label: 'BPM', sort: 'bpm', class: 'num' },
  { label: 'Key', sort: null },
  { label: 'Kind', sort: null },
  { label: 'Problems', sort: null },
  { label: 'Folder', sort: 'path', title: 'Sort by path' },
];

const SORT_NOTES = {
  artist: 'Sorted by artist: only files with an artist tag are listed.',
  title: 'Sorted by title: only files with a title tag are listed.',
  bpm: 'Sorted by BPM: only files with a measured BPM are listed.',
  duration: 'Sorted by duration: only files with a known duration are listed.',
};

export default {
  route: '#/files',
  title: 'Files',
  nav: 'Files',
  render(root, ctx) {
    const select = (name, label, options) =>
      h(
        'label',
        { class: 'field' },
        h('span', null, label),
        h(
          'select',
          { name },
          options.map(([value, text]) => h('option', { value }, text)),
        ),
      );
    const number = (name, label, placeholder) =>
      h(
        'label',
        { class: 'field narrow' },
        h('span', null, label),
        h('input', { name, type: 'number', min: '0', max: '1000', step: '0.1', placeholder, inputmode: 'decimal' }),
      );
    const yesNo = (any, yes, no) => [
      ['', any],
      ['true', yes],
      ['false', no],
    ];
    const form = h(
      'form',
      { id: 'filters', class: 'filters', autocomplete: 'off', role: 'search', 'aria-label': 'Filter files' },
      h(
        'label',
        { class: 'field wide' },
        h('span', null, 'Search'),
        h('input', { name: 'q', type: 'search', placeholder: 'Text in the path…', spellcheck: 'false' }),
      ),
      select('state', 'State', [['', 'Any state']]),
      select('kind', 'Kind', [['', 'Any kind']]),
      number('bpmMin', 'BPM from', '60'),
      number('bpmMax', 'BPM to', '200'),
      select('camelot', 'Key', [['', 'Any key'], ...CAMELOT_CODES.map((c) => [c, c])]),
      h(
        'label',
        { class: 'field check' },
        h('input', { name: 'camelotCompatible', type: 'checkbox', value: 'true' }),
        h('span', null, 'and compatible keys'),
      ),
      select('duplicates', 'Duplicates', yesNo('With or without', 'Has duplicates', 'No duplicates')),
      select('missing', 'On disk', yesNo('Present or missing', 'Missing', 'Present')),
      select('problems', 'Problems', yesNo('Any', 'Failed or skipped', 'None')),
      select('stage', 'Stage', [['', 'Any stage']]),
      select('stageStatus', 'Stage status', [['', 'Any status']]),
      select('sort', 'Order by', [
        ['path', 'Path'],
        ['artist', 'Artist'],
        ['title', 'Title'],
        ['bpm', 'BPM'],
        ['duration', 'Duration'],
      ]),
      select('order', 'Direction', [
        ['asc', 'Ascending'],
        ['desc', 'Descending'],
      ]),
      select(
        'limit',
        'Per page',
        ['50', '100', '250'].map((n) => [n, n]),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Apply'),
        h('button', { type: 'reset' }, 'Reset'),
      ),
    );
    const status = h('p', { class: 'message', id: 'files-message', role: 'status' });
    const note = h('p', { class: 'hint', id: 'files-note' });
    const body = h('tbody', { id: 'files-body' });
    const head = h('tr');
    const prev = h('button', { type: 'button', id: 'page-prev' }, '← Previous');
    const next = h('button', { type: 'button', id: 'page-next' }, 'Next →');
    const info = h('span', { id: 'page-info' });
    put(
      root,
      h('h1', { class: 'page-title' }, 'Files'),
      form,
      note,
      status,
      h(
        'div',
        { class: 'table-wrap' },
        h('table', { class: 'files', 'aria-describedby': 'files-note' }, h('thead', null, head), body),
      ),
      h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, info, next),
    );

    const state = { params: {}, cursors: [undefined], page: 0 };
    let stopped = false;

    function renderHead() {
      const sort = state.params.sort || 'path';
      const order = state.params.order || 'asc';
      put(
        clear(head),
        ...COLUMNS.map((c) => {
          if (!c.sort) return h('th', { scope: 'col', class: c.class }, c.label);
          const active = sort === c.sort;
          const nextOrder = active && order === 'asc' ? 'desc' : 'asc';
          const params = { ...state.params, sort: c.sort, order: nextOrder };
          return h(
            'th',
            {
              scope: 'col',
              class: c.class,
              'aria-sort': active ? (order === 'asc' ? 'ascending' : 'descending') : null,
            },
            h(
              'a',
              {
                href: `#/files${query(withoutDefaults(params))}`,
                class: 'sort',
                title: c.title || `Sort by ${c.label}`,
              },
              c.label,
              active ? (order === 'asc' ? ' ▲' : ' ▼') : '',
            ),
          );
        }),
      );
    }

    async function fillChoices() {
      const enums = await loadEnums();
      for (const name of ['state', 'kind', 'stage', 'stageStatus']) {
        const el = form.elements[name];
        for (const value of enums[name] || [])
          el.append(h('option', { value }, name === 'state' ? fmtState(value) : value));
      }
    }

    async function loadPage() {
      message(status, 'Loading…');
      try {
        const cursor = state.cursors[state.page];
        const page = await api(`/files${query({ ...state.params, cursor })}`);
        if (stopped) return;
        clear(body);
        for (const file of page.items) put(body, fileRow(file));
        state.cursors[state.page + 1] = page.nextCursor || undefined;
        state.cursors.length = state.page + 2;
        message(status, page.items.length ? '' : 'No files match these filters.');
        prev.disabled = state.page === 0;
        next.disabled = !page.nextCursor;
        info.textContent = `Page ${state.page + 1}`;
      } catch (e) {
        if (stopped) return;
        clear(body);
        message(status, e.message, 'error');
      }
    }

    function apply(event) {
      event.preventDefault();
      const params = {};
      for (const name of FILTERS) {
        const el = form.elements[name];
        const value = el.type === 'checkbox' ? (el.checked ? 'true' : '') : String(el.value || '').trim();
        if (value) params[name] = value;
      }
      if (Boolean(params.stage) !== Boolean(params.stageStatus)) {
        message(status, 'Choose both a stage and a status, or neither.', 'error');
        return;
      }
      if (params.camelotCompatible && !params.camelot) delete params.camelotCompatible;
      navigate(`#/files${query(withoutDefaults(params))}`);
    }

    form.addEventListener('submit', apply);
    form.addEventListener('reset', () => setTimeout(() => navigate('#/files'), 0));
    next.addEventListener('click', () => {
      if (!state.cursors[state.page + 1]) return;
      state.page++;
      void loadPage();
    });
    prev.addEventListener('click', () => {
      if (state.page === 0) return;
      state.page--;
      void loadPage();
    });

    const unbind = [
      ctx.keys.bind('/', 'Search files', () => form.elements.q.focus()),
      ctx.keys.bind('n', 'Next page', () => next.click()),
      ctx.keys.bind('p', 'Previous page', () => prev.click()),
      ctx.keys.bind('j', 'Next file', () => moveFocus(body, 1)),
      ctx.keys.bind('k', 'Previous file', () => moveFocus(body, -1)),
    ];

    void (async () => {
      await fillChoices();
      if (stopped) return;
      for (const name of FILTERS) {
        const value = ctx.query.get(name) || '';
        const el = form.elements[name];
        if (el.type === 'checkbox') el.checked = value === 'true';
        else el.value = value || DEFAULTS[name] || '';
        if (value) state.params[name] = value;
      }
      note.textContent = SORT_NOTES[state.params.sort] || '';
      renderHead();
      await loadPage();
    })();

    return () => {
      stopped = true;
      for (const off of unbind) off();
    };
  },
};

function withoutDefaults(params) {
  const out = { ...params };
  for (const [key, value] of Object.entries(DEFAULTS)) if (out[key] === value) delete out[key];
  return out;
}

/** j/k: moves focus between the file links of the table. */
function moveFocus(body, step) {
  const links = [...body.querySelectorAll('a.name')];
  if (!links.length) return;
  const i = links.indexOf(document.activeElement);
  links[Math.max(0, Math.min(links.length - 1, i < 0 ? 0 : i + step))].focus();
}

/** What a DJ reads first: "Artist – Title" when tagged, else the file name. */
export function trackLabel(file) {
  if (file.artist || file.title) return `${file.artist || 'Unknown artist'} – ${file.title || 'Unknown title'}`;
  return file.name;
}

function problemText(p) {
  return `${p.stage} ${p.status}${p.reason ? `: ${p.reason}` : ''}`;
}

function fileRow(file) {
  const problems = [
    ...file.problems.map((p) => h('li', { class: `problem problem-${p.status}` }, problemText(p))),
    file.missingSince ? h('li', { class: 'problem problem-missing' }, 'missing from disk') : null,
    file.pathIsUtf8 ? null : h('li', { class: 'problem' }, 'name is not valid UTF-8'),
  ].filter(Boolean);
  return h(
    'tr',
    { class: file.missingSince ? 'missing' : '' },
    h(
      'td',
      { class: 'track' },
      fileLink(file.id, trackLabel(file), 'name'),
      file.artist || file.title ? h('div', { class: 'muted small filename' }, file.name) : null,
    ),
    h('td', { class: 'num' }, file.durationSec === null ? '—' : fmtDuration(file.durationSec)),
    h('td', { class: 'num' }, fmtBpm(file.bpm)),
    h('td', null, file.camelot ? h('span', { class: 'key' }, file.camelot) : '—'),
    h('td', null, badge(file.kind, file.kind)),
    h(
      'td',
      { class: 'problems' },
      problems.length
        ? h('ul', { class: 'plain' }, problems)
        : h('span', { class: 'muted', title: `State: ${fmtState(file.state)}` }, fmtState(file.state)),
    ),
    h('td', { class: 'folder', title: file.path }, dirname(file.path)),
  );
}
