/* Files: search and filters, keyset-paged. Filters live in the URL, so a filtered list can be bookmarked. */
import { api, loadEnums } from '../lib/api.js';
import { badge, clear, fileLink, h, message, timeEl } from '../lib/dom.js';
import { dirname, fmtBytes, fmtState, query } from '../lib/format.js';
import { navigate } from '../lib/router.js';

const FILTERS = ['q', 'state', 'kind', 'stage', 'stageStatus', 'missing', 'limit'];
const DEFAULT_LIMIT = '100';

export default {
  route: '#/files',
  title: 'Files',
  nav: 'Files',
  render(root, ctx) {
    const select = (name, label, first, options = []) =>
      h(
        'select',
        { name, 'aria-label': label },
        h('option', { value: '' }, first),
        options.map(([value, text]) => h('option', { value }, text)),
      );
    const form = h(
      'form',
      { id: 'filters', class: 'filters', autocomplete: 'off', role: 'search' },
      h('input', {
        name: 'q',
        type: 'search',
        placeholder: 'Search paths…',
        spellcheck: 'false',
        'aria-label': 'Search paths',
      }),
      select('state', 'State', 'Any state'),
      select('kind', 'Kind', 'Any kind'),
      select('stage', 'Stage', 'Any stage'),
      select('stageStatus', 'Stage status', 'Any status'),
      select('missing', 'Presence', 'Present or missing', [
        ['false', 'Present'],
        ['true', 'Missing'],
      ]),
      h(
        'select',
        { name: 'limit', 'aria-label': 'Page size' },
        ['50', '100', '250'].map((n) => h('option', { value: n }, `${n} per page`)),
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
      h('button', { type: 'reset' }, 'Reset'),
    );
    const status = h('p', { class: 'message', id: 'files-message', role: 'status' });
    const body = h('tbody', { id: 'files-body' });
    const prev = h('button', { type: 'button', id: 'page-prev' }, '← Previous');
    const next = h('button', { type: 'button', id: 'page-next' }, 'Next →');
    const info = h('span', { id: 'page-info' });
    root.append(
      h('h1', { class: 'visually-hidden' }, 'Files'),
      form,
      status,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'files' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Name', 'Folder', 'Kind', 'Size', 'State', 'Modified'].map((c) =>
                h('th', { scope: 'col', class: c === 'Size' ? 'num' : null }, c),
              ),
            ),
          ),
          body,
        ),
      ),
      h('div', { class: 'pager' }, prev, info, next),
    );

    const state = { params: {}, cursors: [undefined], page: 0 };
    let stopped = false;

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
        for (const file of page.items) body.append(fileRow(file));
        state.cursors[state.page + 1] = page.nextCursor || undefined;
        state.cursors.length = state.page + 2;
        message(status, page.items.length ? '' : 'No files match.');
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
        const value = String(form.elements[name].value || '').trim();
        if (value && !(name === 'limit' && value === DEFAULT_LIMIT)) params[name] = value;
      }
      if (Boolean(params.stage) !== Boolean(params.stageStatus)) {
        message(status, 'Choose both a stage and a status, or neither.', 'error');
        return;
      }
      navigate(`#/files${query(params)}`);
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
        if (form.elements[name]) form.elements[name].value = value || (name === 'limit' ? DEFAULT_LIMIT : '');
        if (value) state.params[name] = value;
      }
      await loadPage();
    })();

    return () => {
      stopped = true;
      for (const off of unbind) off();
    };
  },
};

/** j/k: moves focus between the file links of the table. */
function moveFocus(body, step) {
  const links = [...body.querySelectorAll('a.name')];
  if (!links.length) return;
  const i = links.indexOf(document.activeElement);
  const next = links[Math.max(0, Math.min(links.length - 1, i < 0 ? 0 : i + step))];
  next.focus();
}

function fileRow(file) {
  return h(
    'tr',
    { class: file.missingSince ? 'missing' : '' },
    h(
      'td',
      null,
      fileLink(file.id, file.name, 'name'),
      file.pathIsUtf8 ? null : h('span', { class: 'warn-mark', title: 'The name on disk is not valid UTF-8' }, ' ⚠'),
    ),
    h('td', { class: 'folder', title: file.path }, dirname(file.path)),
    h('td', null, badge(file.kind, file.kind)),
    h('td', { class: 'num' }, fmtBytes(file.size)),
    h(
      'td',
      null,
      badge(fmtState(file.state), `state-${file.state}`),
      file.missingSince ? [' ', badge('missing', 'missing')] : null,
    ),
    h('td', null, timeEl(file.mtime)),
  );
}
