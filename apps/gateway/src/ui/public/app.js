/* Crateflow web UI: vanilla JS, no build step, same-origin only (the CSP allows nothing else).
 * Everything shown comes from the public API. Paths, tags and reasons are hostile input: they only ever
 * reach the page through textContent / text nodes, never innerHTML. */
/* global document, window, location, fetch, EventSource, sessionStorage, URLSearchParams, Node, setTimeout, clearTimeout */
'use strict';

(() => {
  const API = '/api/v1';
  const TOKEN_KEY = 'crateflow.apiToken';
  const STATS_EVERY_MS = 5000;
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- DOM helpers

  /** Builds an element. Text goes in as text nodes; there is deliberately no way to pass HTML. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function clear(el) {
    el.replaceChildren();
    return el;
  }

  /** An in-app link; `path` is built here from encoded ids, never taken from data as a URL. */
  function link(path, text, cls) {
    return h('a', { href: `#${path}`, class: cls }, text);
  }

  // ---------------------------------------------------------------- formatting

  const numberFormat = new Intl.NumberFormat();
  const fmtNumber = (n) => numberFormat.format(n);
  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const shortDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

  function fmtBytes(bytes) {
    if (!Number.isFinite(bytes)) return '—';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
  }

  function fmtRelative(iso) {
    if (!iso) return '—';
    const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
    const abs = Math.abs(seconds);
    if (abs < 45) return relativeFormat.format(Math.round(seconds), 'second');
    if (abs < 2700) return relativeFormat.format(Math.round(seconds / 60), 'minute');
    if (abs < 64800) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
    if (abs < 30 * 86400) return relativeFormat.format(Math.round(seconds / 86400), 'day');
    return shortDateFormat.format(new Date(iso));
  }

  /** A <time> showing "3 minutes ago", with the exact date on hover. */
  function timeEl(iso) {
    if (!iso) return h('span', { class: 'muted' }, '—');
    return h('time', { datetime: iso, title: dateFormat.format(new Date(iso)) }, fmtRelative(iso));
  }

  const fmtState = (state) => state.charAt(0) + state.slice(1).toLowerCase().replace(/_/g, ' ');

  function badge(text, kind) {
    return h(
      'span',
      {
        class: `badge badge-${String(kind)
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')}`,
      },
      text,
    );
  }

  function dirname(path) {
    const i = path.lastIndexOf('/');
    return i > 0 ? path.slice(0, i) : '/';
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, problem, fallback) {
      super(problemText(problem, fallback));
      this.status = status;
      this.problem = problem;
    }
  }

  function problemText(problem, fallback) {
    if (!problem || typeof problem !== 'object') return fallback;
    let text = problem.detail || problem.title || fallback;
    if (
      Array.isArray(problem.errors) &&
      problem.errors.length &&
      problem.type !== 'urn:crateflow:problem:path-not-allowed'
    ) {
      text += ` (${problem.errors.map((e) => `${e.field || e.location}: ${e.message}`).join('; ')})`;
    }
    return text;
  }

  async function api(path, options = {}) {
    const res = await fetch(`${API}${path}`, {
      ...options,
      headers: { Accept: 'application/json', ...(options.headers || {}) },
      credentials: 'same-origin',
    });
    const type = res.headers.get('content-type') || '';
    const body = type.includes('json') ? await res.json().catch(() => null) : null;
    if (!res.ok) throw new ApiError(res.status, body, `${res.status} ${res.statusText}`);
    return body;
  }

  /** Query string from an object, leaving out empty values. */
  function query(params) {
    const qs = new URLSearchParams();
    for (const [key, value] of Object.entries(params))
      if (value !== undefined && value !== null && value !== '') qs.set(key, value);
    const text = qs.toString();
    return text ? `?${text}` : '';
  }

  // ---------------------------------------------------------------- enums from the OpenAPI document

  /** Filter choices come from the API's own document, so the UI never drifts from what it accepts. */
  let enumsPromise;
  function loadEnums() {
    enumsPromise ??= fetch('/api/docs/openapi.json')
      .then((r) => r.json())
      .then((doc) => {
        const out = {};
        for (const p of doc.paths['/api/v1/files'].get.parameters)
          if (p.schema && Array.isArray(p.schema.enum)) out[p.name] = p.schema.enum;
        return out;
      })
      .catch(() => ({}));
    return enumsPromise;
  }

  // ---------------------------------------------------------------- views and routing

  const views = { dashboard: $('view-dashboard'), files: $('view-files'), file: $('view-file') };
  let current = '';

  function show(name) {
    current = name;
    for (const [key, el] of Object.entries(views)) el.hidden = key !== name;
    for (const a of document.querySelectorAll('[data-nav]')) {
      const active = a.dataset.nav === name || (name === 'file' && a.dataset.nav === 'files');
      a.classList.toggle('active', active);
      if (active) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function route() {
    const hash = location.hash.slice(1) || '/';
    const [path, qs] = hash.split('?');
    if (path.startsWith('/files/')) {
      show('file');
      void showFile(decodeURIComponent(path.slice('/files/'.length)));
    } else if (path === '/files') {
      show('files');
      void showFiles(new URLSearchParams(qs || ''));
    } else {
      show('dashboard');
      void refreshStats();
      void loadScans();
    }
  }

  // ---------------------------------------------------------------- dashboard: stats

  let statsTimer;

  async function refreshStats() {
    clearTimeout(statsTimer);
    // A hidden tab does not poll; becoming visible again refreshes at once.
    if (current !== 'dashboard' || document.visibilityState === 'hidden') return;
    try {
      renderStats(await api('/pipeline/stats'));
    } catch (e) {
      renderCards([{ label: 'Pipeline', value: '—', note: e.message }]);
    }
    statsTimer = setTimeout(refreshStats, STATS_EVERY_MS);
  }

  function renderCards(cards) {
    clear($('summary-cards')).append(
      ...cards.map((c) =>
        h(
          'div',
          { class: `card ${c.tone || ''}` },
          h('div', { class: 'card-label' }, c.label),
          h('div', { class: 'card-value' }, c.value),
          c.note ? h('div', { class: 'card-note' }, c.note) : null,
        ),
      ),
    );
  }

  function renderStats(stats) {
    const failed = Object.values(stats.stages).reduce((n, s) => n + s.failed, 0);
    const five = stats.throughput.find((t) => t.windowMinutes === 5) || stats.throughput[0];
    renderCards([
      { label: 'Files', value: fmtNumber(stats.files.total) },
      { label: 'Missing from disk', value: fmtNumber(stats.files.missing), tone: stats.files.missing ? 'warn' : '' },
      { label: 'Stage failures', value: fmtNumber(failed), tone: failed ? 'bad' : '' },
      {
        label: 'Finished (5 min)',
        value: fmtNumber(five ? five.finished : 0),
        note: five ? `${five.perMinute} per minute` : '',
      },
    ]);

    // Files by state, as bars that open the filtered file list.
    const total = Math.max(1, stats.files.total);
    const bars = clear($('states'));
    for (const [state, files] of Object.entries(stats.files.byState)) {
      const fill = h('span', { class: `bar-fill state-${state.toLowerCase()}` });
      fill.style.width = `${(files / total) * 100}%`;
      bars.append(
        h(
          'a',
          { class: 'bar', href: `#/files${query({ state })}`, title: `Show files in state ${fmtState(state)}` },
          h('span', { class: 'bar-label' }, fmtState(state)),
          h('span', { class: 'bar-track' }, fill),
          h('span', { class: 'bar-value' }, fmtNumber(files)),
        ),
      );
    }

    // Stage × status table; each count opens the matching files.
    const statuses = Object.keys(Object.values(stats.stages)[0] || {});
    const table = clear($('stages'));
    table.append(
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'Stage'),
          statuses.map((s) => h('th', { class: 'num' }, s)),
        ),
      ),
    );
    const body = h('tbody');
    for (const [stage, counts] of Object.entries(stats.stages)) {
      body.append(
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, stage),
          statuses.map((status) =>
            h(
              'td',
              { class: `num ${counts[status] ? `status-${status}` : 'muted'}` },
              counts[status] ? link(`/files${query({ stage, stageStatus: status })}`, fmtNumber(counts[status])) : '0',
            ),
          ),
        ),
      );
    }
    table.append(body);
    $('throughput').textContent =
      'Stage results recorded: ' +
      stats.throughput.map((t) => `${fmtNumber(t.finished)} in the last ${t.windowMinutes} min`).join(' · ');

    const failures = clear($('failures'));
    if (!stats.failures.length) failures.append(h('li', { class: 'empty' }, 'No failures. '));
    for (const f of stats.failures) {
      failures.append(
        h(
          'li',
          null,
          h(
            'div',
            { class: 'failure-head' },
            badge(f.stage, 'failed'),
            link(`/files/${encodeURIComponent(f.fileId)}`, f.path, 'path'),
            timeEl(f.at),
          ),
          h(
            'div',
            { class: 'reason' },
            f.reason || 'no reason recorded',
            f.attempts > 1 ? ` (after ${f.attempts} attempts)` : '',
          ),
        ),
      );
    }
  }

  // ---------------------------------------------------------------- dashboard: scans

  const scans = new Map();
  let scansCursor = null;

  async function loadScans(more = false) {
    try {
      const page = await api(`/scans${query({ limit: 10, cursor: more ? scansCursor : undefined })}`);
      if (!more) scans.clear();
      for (const scan of page.items) scans.set(scan.id, scan);
      scansCursor = page.nextCursor;
      $('scans-more').hidden = !scansCursor;
      renderScans();
    } catch (e) {
      clear($('scans')).append(h('li', { class: 'empty' }, `Could not load scans: ${e.message}`));
    }
  }

  function renderScans() {
    const list = clear($('scans'));
    if (!scans.size) list.append(h('li', { class: 'empty' }, 'No scans yet. Start one above.'));
    const ordered = [...scans.values()].sort((a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
    );
    for (const scan of ordered) list.append(scanItem(scan));
  }

  function scanItem(scan) {
    const c = scan.counts;
    const parts = [
      `${fmtNumber(c.found)} found`,
      `${fmtNumber(c.new)} new`,
      `${fmtNumber(c.changed)} changed`,
      `${fmtNumber(c.missing)} missing`,
      `${fmtNumber(c.errors)} errors`,
      fmtBytes(c.bytesHashed) + ' hashed',
    ];
    const when = scan.finishedAt
      ? ['finished ', timeEl(scan.finishedAt)]
      : scan.startedAt
        ? ['started ', timeEl(scan.startedAt)]
        : ['queued ', timeEl(scan.createdAt)];
    return h(
      'li',
      { class: `scan scan-${scan.status}` },
      h(
        'div',
        { class: 'scan-head' },
        badge(scan.status, scan.status),
        h('span', { class: 'path', title: scan.path }, scan.path),
      ),
      scan.status === 'running' || scan.status === 'queued' ? h('div', { class: 'progress' }, h('span')) : null,
      h('div', { class: 'scan-counts' }, parts.join(' · ')),
      h('div', { class: 'scan-when muted' }, ...when),
      scan.error ? h('div', { class: 'reason' }, scan.error) : null,
    );
  }

  function updateScan(id, patch) {
    const scan = scans.get(id);
    if (!scan) {
      // A scan started elsewhere (CLI, another tab): fetch it whole.
      api(`/scans/${encodeURIComponent(id)}`).then(
        (s) => {
          scans.set(s.id, s);
          renderScans();
        },
        () => undefined,
      );
      return;
    }
    Object.assign(scan, patch);
    renderScans();
  }

  // ---------------------------------------------------------------- dashboard: starting a scan (token kept per tab)

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  }

  function setToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage disabled: the token is asked for each time */
    }
    renderTokenHint();
  }

  function renderTokenHint() {
    const hint = clear($('token-hint'));
    if (storedToken()) {
      hint.append(
        'The API token is kept for this tab only. ',
        h('button', { type: 'button', class: 'link', onclick: () => setToken('') }, 'Forget it'),
      );
      $('token-row').hidden = true;
    } else {
      hint.append('Starting a scan needs the API token (printed when Crateflow starts); it is asked for once per tab.');
    }
  }

  async function startScan(event) {
    event.preventDefault();
    const message = $('scan-message');
    const path = $('scan-path').value.trim();
    let token = storedToken();
    if (!token) {
      const typed = $('token').value.trim();
      if (!typed) {
        $('token-row').hidden = false;
        $('token').focus();
        message.textContent = 'Enter the API token, then start the scan.';
        message.className = 'message';
        return;
      }
      token = typed;
    }
    message.textContent = 'Queueing…';
    message.className = 'message';
    try {
      const accepted = await api('/scans', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ path }),
      });
      setToken(token);
      $('token').value = '';
      message.textContent = 'Scan queued.';
      message.className = 'message ok';
      updateScan(accepted.id, {});
    } catch (e) {
      if (e.status === 401) {
        setToken('');
        $('token-row').hidden = false;
        $('token').value = '';
        $('token').focus();
      }
      message.textContent = e.message;
      message.className = 'message error';
    }
  }

  // ---------------------------------------------------------------- live events (SSE)

  function connectEvents() {
    const live = $('live');
    const text = $('live-text');
    const source = new EventSource(`${API}/events?types=scan`);
    source.addEventListener('open', () => {
      live.className = 'live on';
      text.textContent = 'live';
    });
    source.addEventListener('error', () => {
      live.className = 'live off';
      text.textContent = 'reconnecting…';
    });
    const payloadOf = (e) => {
      try {
        return JSON.parse(e.data);
      } catch {
        return null;
      }
    };
    source.addEventListener('scan.requested', (e) => {
      const p = payloadOf(e);
      if (p && !scans.has(p.scanId)) updateScan(p.scanId, {});
    });
    source.addEventListener('scan.progressed', (e) => {
      const p = payloadOf(e);
      if (p) updateScan(p.scanId, { status: 'running', counts: p.counts });
    });
    source.addEventListener('scan.finished', (e) => {
      const p = payloadOf(e);
      if (!p) return;
      // Refetch: the finished row has the times and the error text.
      scans.delete(p.scanId);
      updateScan(p.scanId, {});
      void refreshStats();
    });
  }

  // ---------------------------------------------------------------- files list

  const FILTERS = ['q', 'state', 'kind', 'stage', 'stageStatus', 'missing', 'limit'];
  let filesState = { params: {}, cursors: [undefined], page: 0 };

  async function fillFilterChoices() {
    const enums = await loadEnums();
    const form = $('filters');
    for (const name of ['state', 'kind', 'stage', 'stageStatus']) {
      const select = form.elements[name];
      if (select.options.length > 1 || !enums[name]) continue;
      for (const value of enums[name])
        select.append(h('option', { value }, name === 'state' ? fmtState(value) : value));
    }
  }

  async function showFiles(params) {
    await fillFilterChoices();
    const form = $('filters');
    const wanted = {};
    for (const name of FILTERS) {
      const value = params.get(name) || '';
      if (form.elements[name]) form.elements[name].value = value || (name === 'limit' ? '100' : '');
      if (value) wanted[name] = value;
    }
    filesState = { params: wanted, cursors: [undefined], page: 0 };
    await loadFilesPage();
  }

  async function loadFilesPage() {
    const message = $('files-message');
    const body = $('files-body');
    message.textContent = 'Loading…';
    message.className = 'message';
    try {
      const cursor = filesState.cursors[filesState.page];
      const page = await api(`/files${query({ ...filesState.params, cursor })}`);
      clear(body);
      for (const file of page.items) body.append(fileRow(file));
      filesState.cursors[filesState.page + 1] = page.nextCursor || undefined;
      filesState.cursors.length = filesState.page + 2;
      message.textContent = page.items.length ? '' : 'No files match.';
      $('page-prev').disabled = filesState.page === 0;
      $('page-next').disabled = !page.nextCursor;
      $('page-info').textContent = `Page ${filesState.page + 1}`;
    } catch (e) {
      clear(body);
      message.textContent = e.message;
      message.className = 'message error';
    }
  }

  function fileRow(file) {
    return h(
      'tr',
      { class: file.missingSince ? 'missing' : '' },
      h(
        'td',
        null,
        link(`/files/${encodeURIComponent(file.id)}`, file.name, 'name'),
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

  function applyFilters(event) {
    event.preventDefault();
    const form = $('filters');
    const params = {};
    for (const name of FILTERS) {
      const value = String(form.elements[name].value || '').trim();
      if (value && !(name === 'limit' && value === '100')) params[name] = value;
    }
    if (Boolean(params.stage) !== Boolean(params.stageStatus)) {
      $('files-message').textContent = 'Choose both a stage and a status, or neither.';
      $('files-message').className = 'message error';
      return;
    }
    location.hash = `#/files${query(params)}`;
  }

  // ---------------------------------------------------------------- file detail

  async function showFile(id) {
    const container = clear($('file-detail'));
    container.append(h('p', { class: 'muted' }, 'Loading…'));
    let detail;
    try {
      detail = await api(`/files/${encodeURIComponent(id)}`);
    } catch (e) {
      clear(container).append(h('p', { class: 'message error' }, e.status === 404 ? 'No such file.' : e.message));
      return;
    }
    const f = detail.file;
    const field = (label, value) => [h('dt', null, label), h('dd', null, value)];
    clear(container).append(
      h(
        'article',
        { class: 'panel' },
        h(
          'h2',
          { class: 'file-title' },
          f.name,
          ' ',
          badge(fmtState(f.state), `state-${f.state}`),
          f.missingSince ? [' ', badge('missing', 'missing')] : null,
        ),
        h('p', { class: 'path full-path' }, f.path),
        f.pathIsUtf8
          ? null
          : h(
              'p',
              { class: 'message warn' },
              'The name on disk is not valid UTF-8; the path above shows replacement characters.',
            ),
        h(
          'dl',
          { class: 'fields' },
          field('Kind', f.kind),
          field('Size', `${fmtBytes(f.size)} (${fmtNumber(f.size)} bytes)`),
          field('Modified', timeEl(f.mtime)),
          field('Library root', f.root),
          field('Content hash', h('code', null, f.contentHash)),
          field('First seen', timeEl(f.createdAt)),
          field('Updated', timeEl(f.updatedAt)),
          f.missingSince ? field('Missing since', timeEl(f.missingSince)) : null,
        ),
      ),
      h(
        'article',
        { class: 'panel' },
        h('h2', null, 'Stages'),
        h(
          'ol',
          { class: 'pipeline' },
          detail.stages.map((s) =>
            h(
              'li',
              { class: `stage status-${s.status}` },
              h('div', { class: 'stage-name' }, s.stage),
              badge(s.status, s.status),
              s.current ? null : h('div', { class: 'muted small' }, 'about older content'),
              s.reason ? h('div', { class: 'reason' }, s.reason) : null,
              s.attempts
                ? h('div', { class: 'muted small' }, `${s.attempts} attempt${s.attempts === 1 ? '' : 's'}`)
                : null,
              s.updatedAt ? h('div', { class: 'muted small' }, timeEl(s.updatedAt)) : null,
            ),
          ),
        ),
      ),
      h(
        'article',
        { class: 'panel' },
        h('h2', null, 'History'),
        detail.history.length
          ? h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'history' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', null, 'When'),
                    h('th', null, 'Event'),
                    h('th', null, 'State'),
                    h('th', null, 'Detail'),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  detail.history.map((e) =>
                    h(
                      'tr',
                      null,
                      h('td', null, timeEl(e.at)),
                      h('td', null, e.event),
                      h(
                        'td',
                        null,
                        e.fromState || e.toState
                          ? `${e.fromState ? fmtState(e.fromState) : '—'} → ${e.toState ? fmtState(e.toState) : '—'}`
                          : '',
                      ),
                      h('td', null, e.detail ? h('code', { class: 'detail' }, JSON.stringify(e.detail)) : ''),
                    ),
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No history yet.'),
      ),
      f.kind === 'music' || f.kind === 'video' ? mixPanel(f.id) : null,
      h(
        'article',
        { class: 'panel' },
        h('h2', null, 'From later stages'),
        h(
          'dl',
          { class: 'fields' },
          ['tags', 'analysis', 'fingerprint', 'companions', 'proposal'].map((key) =>
            field(
              key.charAt(0).toUpperCase() + key.slice(1),
              detail[key] === null || detail[key] === undefined
                ? h('span', { class: 'muted' }, 'not available yet')
                : h('pre', { class: 'json' }, JSON.stringify(detail[key], null, 2)),
            ),
          ),
        ),
      ),
    );
  }

  // ---------------------------------------------------------------- mix tracklist

  /** Which library tracks play in this file (a mix): the stored timeline, a button to identify, the CUE sheet. */
  function mixPanel(fileId) {
    const body = h('div', { id: 'mix-timeline' }, h('p', { class: 'muted' }, 'Loading…'));
    const message = h('p', { class: 'message', role: 'status' });
    const button = h('button', { type: 'button', id: 'mix-identify' }, 'Identify tracks');
    button.addEventListener('click', async () => {
      const token = storedToken();
      if (!token) {
        message.textContent = 'Enter the API token in the scan form first.';
        message.className = 'message error';
        return;
      }
      try {
        await api(`/mixes/${encodeURIComponent(fileId)}/identify`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
        });
        message.textContent = 'Identification queued; the timeline appears here when it is done.';
        message.className = 'message ok';
        void pollTimeline(fileId, body, 60);
      } catch (e) {
        message.textContent = e.message;
        message.className = 'message error';
      }
    });
    void loadTimeline(fileId, body);
    return h('article', { class: 'panel' }, h('h2', null, 'Tracks in this mix'), body, h('p', null, button), message);
  }

  async function pollTimeline(fileId, body, tries) {
    for (let i = 0; i < tries; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      const t = await loadTimeline(fileId, body);
      if (t && t.status !== 'running') return;
    }
  }

  async function loadTimeline(fileId, body) {
    let t;
    try {
      t = await api(`/mixes/${encodeURIComponent(fileId)}/identification`);
    } catch (e) {
      clear(body).append(
        h('p', { class: 'muted' }, e.status === 404 ? 'Not identified yet.' : `Could not load: ${e.message}`),
      );
      return null;
    }
    if (t.status === 'running') {
      clear(body).append(h('p', { class: 'muted' }, `Identifying… ${Math.round(t.processedSec)} s read`));
      return t;
    }
    if (t.status === 'failed') {
      clear(body).append(h('p', { class: 'message error' }, `Identification failed: ${t.failureReason}`));
      return t;
    }
    clear(body).append(
      t.entries.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'timeline' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['#', 'Start', 'Track', 'Speed', 'Confidence'].map((c) => h('th', null, c)),
                ),
              ),
              h(
                'tbody',
                null,
                t.entries.map((e) =>
                  h(
                    'tr',
                    null,
                    h('td', null, String(e.position)),
                    h('td', null, e.start),
                    h(
                      'td',
                      null,
                      e.file
                        ? h(
                            'a',
                            { href: `#/files/${encodeURIComponent(e.file.fileId)}` },
                            e.file.artist || e.file.title
                              ? `${e.file.artist || 'ID'} – ${e.file.title || 'ID'}`
                              : e.file.path,
                          )
                        : h('span', { class: 'muted' }, 'no copy present'),
                    ),
                    h('td', null, `${((e.speed - 1) * 100).toFixed(1)} % (${e.mode})`),
                    h('td', null, `${Math.round(e.confidence * 100)} %`),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No library track identified.'),
      h(
        'p',
        null,
        h(
          'a',
          { href: `${API}/mixes/${encodeURIComponent(fileId)}/identification.cue`, download: '' },
          'Download CUE sheet',
        ),
      ),
    );
    return t;
  }

  // ---------------------------------------------------------------- start

  function start() {
    $('scan-form').addEventListener('submit', startScan);
    $('scans-more').addEventListener('click', () => loadScans(true));
    $('filters').addEventListener('submit', applyFilters);
    $('filters').addEventListener('reset', () => setTimeout(() => (location.hash = '#/files'), 0));
    $('page-next').addEventListener('click', () => {
      if (!filesState.cursors[filesState.page + 1]) return;
      filesState.page++;
      void loadFilesPage();
    });
    $('page-prev').addEventListener('click', () => {
      if (filesState.page === 0) return;
      filesState.page--;
      void loadFilesPage();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && current === 'dashboard') void refreshStats();
    });
    window.addEventListener('hashchange', route);
    renderTokenHint();
    connectEvents();
    route();
  }

  start();
})();
