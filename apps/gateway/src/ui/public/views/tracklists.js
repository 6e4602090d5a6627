/* Tracklists: every tracklist with filters; for one mix (?file=<id>) its sources side by side (fingerprints,
 * cue sheet, 1001Tracklists) with agreement marked, 1001Tracklists candidates, inline edits, approve/reject,
 * identify, search, scrape by URL and CUE/text export. Person-made changes go through the API only. */
import { api } from '../lib/api.js';
import { badge, clear, fileLink, h, message, panel } from '../lib/dom.js';
import { query } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { ensureSignedIn } from '../lib/session.js';

const SOURCE_LABEL = {
  fingerprint: 'Fingerprints',
  cue: 'Cue sheet',
  '1001tracklists': '1001Tracklists',
  manual: 'Manual',
};
const LIVE = ['tracklist.saved', 'tracklist.lookup.finished', 'mix.identify.finished'];

export default {
  route: '#/tracklists',
  title: 'Tracklists',
  nav: 'Tracklists',
  render(root, ctx) {
    const state = { stopped: false, reload: null };
    const fileId = ctx.query.get ? ctx.query.get('file') : ctx.query.file;
    const container = h('div', { id: 'tracklists' }, h('p', { class: 'muted' }, 'Loading…'));
    root.append(container);
    if (fileId) state.reload = () => showMix(fileId, container, ctx, state);
    else state.reload = () => showList(container, ctx, state);
    void state.reload();
    let pending = null;
    const offs = LIVE.map((subject) =>
      ctx.live.on(subject, (p) => {
        if (fileId && p && p.fileId && p.fileId !== fileId && subject !== 'tracklist.saved') return;
        clearTimeout(pending);
        pending = setTimeout(() => !state.stopped && state.reload(), 500);
      }),
    );
    const unbind = ctx.keys.bind('r', 'Reload tracklists', () => state.reload());
    return () => {
      state.stopped = true;
      clearTimeout(pending);
      for (const off of offs) if (typeof off === 'function') off();
      unbind();
    };
  },
};

function param(ctx, name) {
  return ctx.query.get ? ctx.query.get(name) : ctx.query[name];
}

async function showList(container, ctx, state) {
  const filters = {
    status: param(ctx, 'status') || '',
    source: param(ctx, 'source') || '',
    linked: param(ctx, 'linked') || '',
    q: param(ctx, 'q') || '',
  };
  const status = h('p', { role: 'status', class: 'message' });
  const select = (name, label, options) =>
    h(
      'label',
      null,
      `${label} `,
      h(
        'select',
        { name, id: `tracklists-${name}`, onchange: (e) => go({ ...filters, [name]: e.target.value }) },
        options.map(([value, text]) => h('option', { value, selected: filters[name] === value }, text)),
      ),
    );
  const go = (f) => navigate(`#/tracklists${query(Object.fromEntries(Object.entries(f).filter(([, v]) => v)))}`);
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        go({ ...filters, q: e.target.elements.q.value.trim() });
      },
    },
    h('input', {
      type: 'search',
      name: 'q',
      value: filters.q,
      placeholder: 'Artist, event or title',
      'aria-label': 'Search tracklists',
    }),
    select('status', 'Status', [
      ['', 'any'],
      ['proposed', 'proposed'],
      ['approved', 'approved'],
      ['rejected', 'rejected'],
    ]),
    select('source', 'Source', [['', 'any'], ...Object.entries(SOURCE_LABEL)]),
    select('linked', 'Linked', [
      ['', 'any'],
      ['true', 'linked'],
      ['false', 'not linked'],
    ]),
    h('button', { type: 'submit' }, 'Search'),
  );
  const body = h('tbody');
  const more = h('p');
  clear(container).append(
    h('h1', null, 'Tracklists'),
    h(
      'p',
      { class: 'muted' },
      'Open a mix to see its sources side by side. A mix without a tracklist gets one from its fingerprints (identify it) or from 1001Tracklists (search).',
    ),
    form,
    status,
    h(
      'table',
      { class: 'tracklists' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Tracklist', 'Source', 'Status', 'Tracks', 'Mix'].map((c) => h('th', null, c)),
        ),
      ),
      body,
    ),
    more,
  );
  const load = async (cursor) => {
    let page;
    try {
      page = await api(`/tracklists${query({ ...filters, cursor, limit: 100 })}`);
    } catch (e) {
      message(status, e.message, 'error');
      return;
    }
    if (state.stopped) return;
    if (!cursor && page.items.length === 0) message(status, 'No tracklists match.');
    for (const t of page.items) {
      const fileIds = t.links.flatMap((l) => l.fileIds);
      body.append(
        h(
          'tr',
          null,
          h('td', null, [t.artist, t.event || t.title, t.date].filter(Boolean).join(' – ') || 'Untitled'),
          h('td', null, SOURCE_LABEL[t.source] || t.source),
          h('td', null, badge(t.status, `review-${t.status}`)),
          h('td', { class: 'num' }, String(t.trackCount)),
          h(
            'td',
            null,
            fileIds.length
              ? h('a', { href: `#/tracklists${query({ file: fileIds[0] })}` }, 'Open mix')
              : h('span', { class: 'muted' }, 'not linked'),
          ),
        ),
      );
    }
    clear(more);
    if (page.nextCursor) more.append(h('button', { type: 'button', onclick: () => load(page.nextCursor) }, 'More'));
  };
  await load();
}

async function showMix(fileId, container, ctx, state) {
  let view;
  try {
    view = await api(`/mixes/${encodeURIComponent(fileId)}/tracklists`);
  } catch (e) {
    clear(container).append(h('p', { class: 'message error' }, e.status === 404 ? 'No such file.' : e.message));
    return;
  }
  if (state.stopped) return;
  ctx.setTitle(`Tracklists – ${view.name}`);
  const status = h('p', { role: 'status', class: 'message', id: 'tracklist-status' });
  const act = async (what, fn) => {
    if (!(await ensureSignedIn())) return;
    message(status, `${what}…`);
    // The reload rebuilds the page (and its status line), so the outcome is written to the new one.
    const current = () => document.getElementById('tracklist-status') || status;
    try {
      await fn();
      await state.reload();
      message(current(), `${what}: done.`, 'ok');
    } catch (e) {
      message(current(), `${what} failed: ${(e.data && e.data.detail) || e.message}`, 'error');
    }
  };
  const urlInput = h('input', {
    type: 'url',
    name: 'url',
    placeholder: 'https://www.1001tracklists.com/tracklist/…',
    'aria-label': '1001Tracklists address',
  });
  const actions = h(
    'div',
    { class: 'actions' },
    h(
      'button',
      {
        type: 'button',
        id: 'identify-mix',
        onclick: () => act('Identify', () => api(`/mixes/${encodeURIComponent(fileId)}/identify`, { method: 'POST' })),
      },
      'Identify tracks',
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'search-1001',
        onclick: () =>
          act('Search 1001Tracklists', () => api('/tracklists/searches', { method: 'POST', body: { fileId } })),
      },
      'Search 1001Tracklists',
    ),
    h(
      'form',
      {
        class: 'inline',
        onsubmit: (e) => {
          e.preventDefault();
          const url = urlInput.value.trim();
          if (url) void act('Read page', () => api('/tracklists/scrapes', { method: 'POST', body: { url, fileId } }));
        },
      },
      urlInput,
      h('button', { type: 'submit' }, 'Read page'),
    ),
  );
  clear(container).append(
    h('p', null, h('a', { href: '#/tracklists' }, '← All tracklists'), ' · ', fileLink(fileId, 'File details')),
    h('h1', null, view.name),
    actions,
    status,
    lookupPanel(view, fileId, act),
    view.tracklists.length
      ? h(
          'div',
          { class: 'tracklist-sources', id: 'tracklist-sources' },
          view.tracklists.map((t) => sourceColumn(t, fileId, act)),
        )
      : h(
          'p',
          { class: 'muted' },
          'No tracklist yet: identify the mix, search 1001Tracklists, or add a .cue sheet beside it.',
        ),
  );
}

function lookupPanel(view, fileId, act) {
  const l = view.lookup;
  if (!l) return null;
  return panel(
    '1001Tracklists look-up',
    h(
      'p',
      null,
      badge(l.status, `lookup-${l.status}`),
      ' ',
      l.query ? `“${l.query}”` : '',
      l.lastError ? h('span', { class: 'muted' }, ` – ${l.lastError}`) : null,
    ),
    l.candidates.length
      ? h(
          'ul',
          { class: 'candidates' },
          l.candidates.map((c) =>
            h(
              'li',
              null,
              `${c.score} · ${c.title}${c.date ? ` (${c.date})` : ''} `,
              h(
                'button',
                {
                  type: 'button',
                  onclick: () =>
                    act('Use candidate', () =>
                      api('/tracklists/scrapes', { method: 'POST', body: { url: c.url, fileId } }),
                    ),
                },
                'Use this',
              ),
            ),
          ),
        )
      : null,
  );
}

function sourceColumn(t, fileId, act) {
  const id = encodeURIComponent(t.id);
  const threshold = h('input', {
    type: 'number',
    min: '0',
    max: '1',
    step: '0.05',
    value: '0.5',
    'aria-label': 'Confidence threshold',
    class: 'narrow',
  });
  const rows = t.tracks.map((track) => trackRow(t, track, act));
  return h(
    'article',
    { class: 'panel tracklist-source', 'data-source': t.source },
    h('h2', null, `${SOURCE_LABEL[t.source] || t.source} `, badge(t.status, `review-${t.status}`)),
    h(
      'p',
      { class: 'muted' },
      [t.artist, t.event || t.title, t.date].filter(Boolean).join(' – '),
      ` · version ${t.version}`,
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'approve',
          onclick: () =>
            act('Approve', () => api(`/tracklists/${id}/review`, { method: 'PUT', body: { status: 'approved' } })),
        },
        'Approve',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'reject',
          onclick: () =>
            act('Reject', () => api(`/tracklists/${id}/review`, { method: 'PUT', body: { status: 'rejected' } })),
        },
        'Reject',
      ),
      h(
        'a',
        {
          href: `/api/v1/tracklists/${id}/cue-sheet${'?fileId=' + encodeURIComponent(fileId)}`,
          class: 'button',
          download: '',
        },
        'CUE sheet',
      ),
      h('a', { href: `/api/v1/tracklists/${id}/text`, class: 'button', download: '' }, 'Text'),
      t.source === '1001tracklists'
        ? h(
            'button',
            {
              type: 'button',
              onclick: () => act('Read again', () => api(`/tracklists/${id}/rescrape`, { method: 'POST' })),
            },
            'Read again',
          )
        : null,
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            act('Unlink', () => api(`/tracklists/${id}/links/${encodeURIComponent(fileId)}`, { method: 'DELETE' })),
        },
        'Unlink',
      ),
    ),
    h(
      'table',
      { class: 'tracks compact' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['#', 'Start', 'Artist – Title', 'Conf.', ''].map((c) => h('th', null, c)),
        ),
      ),
      h('tbody', null, rows),
    ),
    h(
      'form',
      {
        class: 'inline',
        onsubmit: (e) => {
          e.preventDefault();
          const v = Number(threshold.value);
          void act('Reject weak tracks', () =>
            api(`/tracklists/${id}/track-rejections`, { method: 'POST', body: { belowConfidence: v } }),
          );
        },
      },
      'Remove tracks below confidence ',
      threshold,
      h('button', { type: 'submit' }, 'Remove'),
    ),
  );
}

function parseClock(text) {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function trackRow(t, track, act) {
  const id = encodeURIComponent(t.id);
  const tid = encodeURIComponent(track.id);
  const label = track.unknown
    ? 'ID'
    : `${track.artist || 'ID'} – ${track.title || 'ID'}${track.remix ? ` (${track.remix})` : ''}`;
  const cell = h(
    'td',
    null,
    label,
    track.agreedBy.length
      ? h('span', { class: 'badge badge-agree', title: `Also in: ${track.agreedBy.join(', ')}` }, '✓')
      : null,
  );
  const row = h(
    'tr',
    { class: track.unknown ? 'unknown' : null },
    h('td', { class: 'num' }, String(track.position)),
    h('td', { class: 'num' }, track.cue || ''),
    cell,
    h('td', { class: 'num' }, track.confidence == null ? '' : `${Math.round(track.confidence * 100)} %`),
    h(
      'td',
      null,
      h('button', { type: 'button', class: 'small', onclick: () => edit() }, 'Edit'),
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          onclick: () => act('Remove track', () => api(`/tracklists/${id}/tracks/${tid}`, { method: 'DELETE' })),
        },
        'Remove',
      ),
    ),
  );
  const edit = () => {
    const artist = h('input', { value: track.artist || '', 'aria-label': 'Artist' });
    const title = h('input', { value: track.title || '', 'aria-label': 'Title' });
    const start = h('input', { value: track.cue || '', 'aria-label': 'Start (h:mm:ss)', class: 'narrow' });
    const form = h(
      'form',
      {
        class: 'inline',
        onsubmit: (e) => {
          e.preventDefault();
          const body = { artist: artist.value.trim() || null, title: title.value.trim() || null };
          if (start.value.trim()) {
            const sec = parseClock(start.value);
            if (sec === null) {
              start.setCustomValidity('Use h:mm:ss or m:ss');
              start.reportValidity();
              return;
            }
            body.cueSec = sec;
          }
          void act('Save track', () => api(`/tracklists/${id}/tracks/${tid}`, { method: 'PATCH', body }));
        },
      },
      artist,
      title,
      start,
      h('button', { type: 'submit' }, 'Save'),
    );
    clear(cell).append(form);
    artist.focus();
  };
  return row;
}
