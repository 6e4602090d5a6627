/* One file: what it is, every stage with its reason, history, and for a mix the tracks identified in it. */
import { API, api } from '../lib/api.js';
import { badge, clear, fields, h, message, panel, stateBadge, timeEl } from '../lib/dom.js';
import { fmtBytes, fmtNumber, fmtState } from '../lib/format.js';

export default {
  route: '#/files/:id',
  title: 'File',
  render(root, ctx) {
    const container = h('div', { id: 'file-detail' }, h('p', { class: 'muted' }, 'Loading…'));
    root.append(h('p', null, h('a', { href: '#/files', id: 'back-to-files' }, '← Back to files')), container);
    const state = { stopped: false, timers: [] };
    void show(ctx.params.id, container, ctx, state);
    return () => {
      state.stopped = true;
      for (const t of state.timers) clearTimeout(t);
    };
  },
};

async function show(id, container, ctx, state) {
  let detail;
  try {
    detail = await api(`/files/${encodeURIComponent(id)}`);
  } catch (e) {
    clear(container).append(h('p', { class: 'message error' }, e.status === 404 ? 'No such file.' : e.message));
    return;
  }
  if (state.stopped) return;
  const f = detail.file;
  ctx.setTitle(f.name);
  clear(container).append(
    h(
      'article',
      { class: 'panel' },
      h(
        'h1',
        { class: 'file-title' },
        f.name,
        ' ',
        stateBadge(f.state),
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
      fields([
        ['Kind', f.kind],
        ['Size', `${fmtBytes(f.size)} (${fmtNumber(f.size)} bytes)`],
        ['Modified', timeEl(f.mtime)],
        ['Library root', f.root],
        ['Content hash', h('code', null, f.contentHash)],
        ['First seen', timeEl(f.createdAt)],
        ['Updated', timeEl(f.updatedAt)],
        f.missingSince ? ['Missing since', timeEl(f.missingSince)] : null,
      ]),
    ),
    stagesPanel(detail.stages),
    historyPanel(detail.history),
    f.kind === 'music' || f.kind === 'video' ? mixPanel(f.id, state) : null,
    panel(
      'From later stages',
      fields(
        ['tags', 'analysis', 'fingerprint', 'companions', 'proposal'].map((key) => [
          key.charAt(0).toUpperCase() + key.slice(1),
          detail[key] === null || detail[key] === undefined
            ? h('span', { class: 'muted' }, 'not available yet')
            : h('pre', { class: 'json' }, JSON.stringify(detail[key], null, 2)),
        ]),
      ),
    ),
  );
}

function stagesPanel(stages) {
  return panel(
    'Stages',
    h(
      'ol',
      { class: 'pipeline' },
      stages.map((s) =>
        h(
          'li',
          { class: `stage status-${s.status}` },
          h('div', { class: 'stage-name' }, s.stage),
          badge(s.status, s.status),
          s.current ? null : h('div', { class: 'muted small' }, 'about older content'),
          s.reason ? h('div', { class: 'reason' }, s.reason) : null,
          s.attempts ? h('div', { class: 'muted small' }, `${s.attempts} attempt${s.attempts === 1 ? '' : 's'}`) : null,
          s.updatedAt ? h('div', { class: 'muted small' }, timeEl(s.updatedAt)) : null,
        ),
      ),
    ),
  );
}

function historyPanel(history) {
  return panel(
    'History',
    history.length
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
                ['When', 'Event', 'State', 'Detail'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              history.map((e) =>
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
  );
}

/** Which library tracks play in this file (a mix): the stored timeline, a button to identify, the CUE sheet. */
function mixPanel(fileId, state) {
  const body = h('div', { id: 'mix-timeline' }, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('p', { class: 'message', role: 'status' });
  const button = h('button', { type: 'button', id: 'mix-identify' }, 'Identify tracks');
  button.addEventListener('click', async () => {
    try {
      await api(`/mixes/${encodeURIComponent(fileId)}/identify`, { method: 'POST' });
      message(status, 'Identification queued; the timeline appears here when it is done.', 'ok');
      void pollTimeline(fileId, body, state, 60);
    } catch (e) {
      message(status, e.status === 401 ? 'Sign in first (the API token).' : e.message, 'error');
    }
  });
  void loadTimeline(fileId, body);
  return panel('Tracks in this mix', body, h('p', null, button), status);
}

async function pollTimeline(fileId, body, state, tries) {
  for (let i = 0; i < tries && !state.stopped; i++) {
    await new Promise((r) => state.timers.push(setTimeout(r, 2000)));
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
                ['#', 'Start', 'Track', 'Speed', 'Confidence'].map((c) => h('th', { scope: 'col' }, c)),
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
