/* One file: what a DJ wants first (artist – title, duration, BPM, key, energy, loudness, format), then
 * pictures (a mix's identified tracks and BPM/key/energy over time, a track's energy outline), stages with
 * reasons, companions, duplicates and other encodings, proposal, history; raw tags folded away. */
import { API, api } from '../lib/api.js';
import { cssVar, timeChart, timelineBar } from '../lib/charts.js';
import { badge, clear, fields, fileLink, h, message, panel, stateBadge, timeEl, put } from '../lib/dom.js';
import { fmtBpm, fmtBytes, fmtDuration, fmtNumber, fmtSpeedChange, fmtState } from '../lib/format.js';
import { ensureSignedIn } from '../lib/session.js';

export default {
  route: '#/files/:id',
  title: 'File',
  render(root, ctx) {
    const container = h('div', { id: 'file-detail' }, h('p', { class: 'muted' }, 'Loading…'));
    put(root, h('p', null, h('a', { href: '#/files', id: 'back-to-files' }, '← Back to files')), container);
    const state = { stopped: false, timers: [] };
    void show(ctx.params.id, container, ctx, state);
    const unbind = ctx.keys.bind('b', 'Back to files', () => history.back());
    return () => {
      state.stopped = true;
      unbind();
      for (const t of state.timers) clearTimeout(t);
    };
  },
};

const measured = (m) => (m && m.measurable !== false ? m : null);

async function show(id, container, ctx, state) {
  let detail;
  try {
    detail = await api(`/files/${encodeURIComponent(id)}`);
  } catch (e) {
    put(clear(container), h('p', { class: 'message error' }, e.status === 404 ? 'No such file.' : e.message));
    return;
  }
  if (state.stopped) return;
  const f = detail.file;
  const tags = detail.tags && detail.tags.status === 'read' ? detail.tags : null;
  const analysis = detail.analysis && detail.analysis.status === 'done' ? detail.analysis : null;
  const result = analysis && analysis.result ? analysis.result : null;
  const heading =
    tags && (tags.artist || tags.title)
      ? `${tags.artist || 'Unknown artist'} – ${tags.title || 'Unknown title'}`
      : f.name;
  ctx.setTitle(heading);
  const isMix = result ? result.kind === 'mix' : false;
  const duration =
    (tags && tags.stream && tags.stream.durationSec) || (result && result.file && result.file.durationSec) || null;

  put(
    clear(container),
    header(detail, heading, tags, analysis, result, duration),
    problemsPanel(detail),
    isMix || f.kind === 'music' || f.kind === 'video' ? picturesPanel(f, result, isMix, duration, state) : null,
    stagesPanel(detail.stages),
    companionsPanel(detail.companions),
    duplicatesPanel(f, detail.fingerprint),
    detail.proposal ? panel('Proposal', h('pre', { class: 'json' }, JSON.stringify(detail.proposal, null, 2))) : null,
    historyPanel(detail.history),
    rawPanel(detail),
  );
}

function header(detail, heading, tags, analysis, result, duration) {
  const f = detail.file;
  const stream = tags && tags.stream ? tags.stream : {};
  const bpm = result ? measured(result.bpm) : null;
  const loud = result ? measured(result.loudness) : null;
  const format = [
    stream.codec || f.name.split('.').pop(),
    stream.bitrate ? `${Math.round(stream.bitrate / 1000)} kbps` : null,
    stream.sampleRate ? `${(stream.sampleRate / 1000).toFixed(1)} kHz` : null,
    stream.lossless ? 'lossless' : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const fact = (label, value, extra) =>
    h(
      'div',
      { class: 'fact' },
      h('div', { class: 'fact-label' }, label),
      h('div', { class: 'fact-value' }, value),
      extra ? h('div', { class: 'fact-note' }, extra) : null,
    );
  return h(
    'article',
    { class: 'panel file-header' },
    h(
      'h1',
      { class: 'file-title' },
      heading,
      ' ',
      stateBadge(f.state),
      f.missingSince ? [' ', badge('missing', 'missing')] : null,
    ),
    tags && tags.album ? h('p', { class: 'muted' }, [tags.album, tags.year].filter(Boolean).join(' · ')) : null,
    h('p', { class: 'path full-path' }, f.path),
    f.pathIsUtf8
      ? null
      : h(
          'p',
          { class: 'message warn' },
          'The name on disk is not valid UTF-8; the path above shows replacement characters.',
        ),
    h(
      'div',
      { class: 'facts' },
      fact('Duration', duration ? fmtDuration(duration) : '—'),
      fact(
        'BPM',
        analysis ? fmtBpm(analysis.bpm) : '—',
        bpm && bpm.alternative
          ? `or ${fmtBpm(bpm.alternative.bpm ?? bpm.alternative)}`
          : tags && tags.bpm
            ? `tag: ${tags.bpm}`
            : null,
      ),
      fact(
        'Key',
        analysis && analysis.camelot ? `${analysis.camelot}` : '—',
        analysis && analysis.key ? analysis.key : tags && tags.key ? `tag: ${tags.key}` : null,
      ),
      fact('Energy', analysis && analysis.energy ? `${analysis.energy} / 10` : '—'),
      fact(
        'Loudness',
        analysis && analysis.lufs !== null && analysis.lufs !== undefined
          ? `${analysis.lufs.toFixed(1)} LUFS`
          : loud && loud.integratedLufs
            ? `${loud.integratedLufs} LUFS`
            : '—',
      ),
      fact('Format', format || '—', fmtBytes(f.size)),
    ),
    analysis && analysis.tags && analysis.tags.disagreement
      ? h('p', { class: 'message warn' }, 'The BPM or key tag disagrees with what was measured (both are shown above).')
      : null,
    fields([
      ['Kind', f.kind],
      ['Size', `${fmtBytes(f.size)} (${fmtNumber(f.size)} bytes)`],
      ['Modified', timeEl(f.mtime)],
      ['Library root', f.root],
      f.copiedFrom
        ? [
            'Copy of',
            h(
              'span',
              null,
              h('a', { href: `#/files/${encodeURIComponent(f.copiedFrom.id)}` }, f.copiedFrom.path || 'the original'),
              ' ',
              h(
                'span',
                { class: 'muted' },
                f.copiedFrom.path
                  ? '(a verified copy: its tags, analysis and fingerprint are the original’s)'
                  : '(the original is no longer in the catalogue)',
              ),
            ),
          ]
        : null,
      ['Content hash', h('code', null, f.contentHash)],
      ['First seen', timeEl(f.createdAt)],
      f.missingSince ? ['Missing since', timeEl(f.missingSince)] : null,
    ]),
  );
}

/** A stage that failed or skipped says so in words, above everything else. */
function problemsPanel(detail) {
  const bad = detail.stages.filter((s) => s.status === 'failed' || s.status === 'skipped');
  const parts = [];
  if (detail.tags && detail.tags.status === 'failed' && detail.tags.failure)
    parts.push(`Tags could not be read: ${detail.tags.failure.reason}`);
  if (detail.analysis && detail.analysis.status === 'failed')
    parts.push(`Analysis failed: ${detail.analysis.failureReason}`);
  if (!bad.length && !parts.length) return null;
  return h(
    'article',
    { class: 'panel problems-panel', id: 'file-problems' },
    h('h2', null, 'What went wrong'),
    h(
      'ul',
      { class: 'plain' },
      bad.map((s) =>
        h(
          'li',
          { class: `problem problem-${s.status}` },
          h('strong', null, `${s.stage} ${s.status}`),
          s.reason ? `: ${s.reason}` : ': no reason recorded',
        ),
      ),
      parts.map((p) => h('li', { class: 'problem' }, p)),
    ),
  );
}

function picturesPanel(f, result, isMix, duration, state) {
  const body = h('div');
  const out = panel(isMix ? 'The mix over time' : 'Energy outline', body);
  if (isMix) put(body, identification(f, state, duration, 'Identified tracks'));
  // A track may still be a short mix the analyser did not call one: its identification stays reachable,
  // and one a DJ ran shows here.
  const trackIdentification =
    !isMix && (f.kind === 'music' || f.kind === 'video')
      ? identification(f, state, duration, 'Tracks in this file')
      : null;
  if (!result) {
    put(body, h('p', { class: 'muted' }, 'Not analysed yet: no pictures.'), trackIdentification);
    return out;
  }
  const timeline = Array.isArray(result.timeline) ? result.timeline : [];
  if (isMix && timeline.length) {
    const x = timeline.map((w) => (w.startSec + w.endSec) / 2);
    put(
      body,
      h('h3', null, 'BPM, energy and key over time'),
      timeChart({
        x,
        describe: `BPM and energy over the ${fmtDuration(duration || 0)} of the mix`,
        series: [
          {
            label: 'BPM',
            values: timeline.map((w) => w.bpm),
            scale: 'bpm',
            color: cssVar('--accent'),
            format: (v) => v.toFixed(1),
          },
          {
            label: 'Energy',
            values: timeline.map((w) => Math.round(w.energy * 100)),
            scale: '%',
            axisLabel: 'Energy %',
            color: cssVar('--warn'),
          },
        ],
      }),
      keyStrip(timeline, Math.max(duration || 0, timeline[timeline.length - 1].endSec)),
    );
  }
  const outline = measured(result.outline);
  if (outline && outline.curve && outline.curve.values.length) {
    const { hopSec, values } = outline.curve;
    put(
      body,
      isMix ? h('h3', null, 'Energy outline') : null,
      timeChart({
        x: values.map((_, i) => i * hopSec),
        height: 160,
        describe: `Energy over time, with ${outline.sections.length} sections and ${outline.cues.length} cues`,
        series: [
          {
            label: 'Energy',
            values: values.map((v) => Math.round(v * 100)),
            scale: '%',
            axisLabel: 'Energy %',
            color: cssVar('--ok'),
          },
        ],
      }),
      outline.sections.length
        ? timelineBar(
            duration || values.length * hopSec,
            outline.sections.map((s) => ({
              start: s.startSec,
              end: s.endSec,
              label: s.kind,
              tone: `section-${s.kind}`,
            })),
            'Sections of the track',
          )
        : null,
      outline.cues.length
        ? h(
            'p',
            { class: 'muted small' },
            'Cues: ',
            outline.cues.map((c) => `${c.kind} ${fmtDuration(c.timeSec)}`).join(' · '),
          )
        : null,
    );
  } else if (!isMix) {
    put(
      body,
      h(
        'p',
        { class: 'muted' },
        result.outline && result.outline.reason ? `No outline: ${result.outline.reason}` : 'No outline.',
      ),
    );
  }
  put(body, trackIdentification);
  return out;
}

/** The identified tracks of a file (loaded now) with a button that identifies them again. */
function identification(f, state, duration, heading) {
  const tracks = h('div', { id: 'mix-timeline' }, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('p', { class: 'message', role: 'status' });
  const button = h('button', { type: 'button', id: 'mix-identify' }, 'Identify tracks');
  button.addEventListener('click', () => identify(f.id, tracks, status, state, duration));
  void loadTimeline(f.id, tracks, duration);
  return h('div', null, h('h3', null, heading), tracks, h('p', null, button), status);
}

/** The key per analysis window as a strip of labelled segments. */
function keyStrip(timeline, total) {
  const segments = [];
  for (const w of timeline) {
    const code = w.key ? w.key.camelot : null;
    const last = segments[segments.length - 1];
    if (last && last.label === (code || '—')) last.end = w.endSec;
    else segments.push({ start: w.startSec, end: w.endSec, label: code || '—', tone: code ? 'key' : 'muted' });
  }
  return h(
    'div',
    null,
    h('div', { class: 'muted small' }, 'Key (Camelot)'),
    timelineBar(total, segments, 'Key over time'),
  );
}

async function identify(fileId, tracks, status, state, duration) {
  if (!(await ensureSignedIn())) {
    message(status, 'Sign in with the API token to identify tracks.', 'error');
    return;
  }
  try {
    await api(`/mixes/${encodeURIComponent(fileId)}/identify`, { method: 'POST' });
    message(status, 'Identification queued; the timeline appears here when it is done.', 'ok');
    for (let i = 0; i < 60 && !state.stopped; i++) {
      await new Promise((r) => state.timers.push(setTimeout(r, 2000)));
      const t = await loadTimeline(fileId, tracks, duration);
      if (t && t.status !== 'running') return;
    }
  } catch (e) {
    message(status, e.message, 'error');
  }
}

async function loadTimeline(fileId, body, duration) {
  let t;
  try {
    t = await api(`/mixes/${encodeURIComponent(fileId)}/identification`);
  } catch (e) {
    put(
      clear(body),
      h('p', { class: 'muted' }, e.status === 404 ? 'Not identified yet.' : `Could not load: ${e.message}`),
    );
    return null;
  }
  if (t.status === 'running') {
    put(clear(body), h('p', { class: 'muted' }, `Identifying… ${Math.round(t.processedSec)} s read`));
    return t;
  }
  if (t.status === 'failed') {
    put(clear(body), h('p', { class: 'message error' }, `Identification failed: ${t.failureReason}`));
    return t;
  }
  const total = t.durationSec || duration || Math.max(1, ...t.entries.map((e) => e.endSec));
  const name = (e) =>
    e.file
      ? e.file.artist || e.file.title
        ? `${e.file.artist || 'ID'} – ${e.file.title || 'ID'}`
        : e.file.path
      : 'no copy present';
  put(
    clear(body),
    t.entries.length
      ? timelineBar(
          total,
          t.entries.map((e) => ({
            start: e.startSec,
            end: e.endSec,
            label: name(e),
            href: e.file ? `#/files/${encodeURIComponent(e.file.fileId)}` : null,
            tone: e.confidence >= 0.6 ? 'sure' : 'unsure',
          })),
          'Identified tracks over the length of the mix',
        )
      : null,
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
                      ? h('a', { href: `#/files/${encodeURIComponent(e.file.fileId)}` }, name(e))
                      : h('span', { class: 'muted' }, 'no copy present'),
                    // Heard through a library recording that is itself an identified mix (a recorded set).
                    e.via
                      ? h('span', { class: 'muted' }, ' (in ', e.via.file ? name(e.via) : 'another recorded set', ')')
                      : null,
                  ),
                  h(
                    'td',
                    null,
                    e.mode === 'key'
                      ? `key ${e.keySemitones > 0 ? '+' : ''}${e.keySemitones} semitones`
                      : `${fmtSpeedChange(e.speed)} (${e.mode})`,
                  ),
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

function companionsPanel(c) {
  if (!c || (!c.companions.length && !c.belongsTo.length && !c.content)) return null;
  return panel(
    'Companions',
    c.companions.length
      ? h(
          'ul',
          { class: 'plain' },
          c.companions.map((x) =>
            h('li', null, fileLink(x.fileId, x.name), h('span', { class: 'muted small' }, ` (${x.reason})`)),
          ),
        )
      : null,
    c.companionsTotal > c.companions.length
      ? h('p', { class: 'muted' }, `and ${c.companionsTotal - c.companions.length} more`)
      : null,
    c.belongsTo.length
      ? [
          h('p', null, 'Belongs to:'),
          h(
            'ul',
            { class: 'plain' },
            c.belongsTo.map((x) => h('li', null, fileLink(x.fileId, x.name))),
          ),
        ]
      : null,
    c.content && c.content.text
      ? h('details', null, h('summary', null, 'Text'), h('pre', { class: 'json' }, c.content.text))
      : null,
  );
}

function duplicatesPanel(f, fingerprint) {
  const list = h('div', { id: 'file-duplicates' }, h('p', { class: 'muted' }, 'Loading…'));
  const encodings = fingerprint && Array.isArray(fingerprint.sameRecording) ? fingerprint.sameRecording : [];
  void api(`/duplicates/${encodeURIComponent(`exact:${f.contentHash}`)}`).then(
    (group) => {
      const others = (group.members || []).filter((m) => m.fileId !== f.id);
      put(
        clear(list),
        others.length
          ? h(
              'ul',
              { class: 'plain' },
              others.map((m) => h('li', null, fileLink(m.fileId, m.path, 'path'))),
            )
          : h('p', { class: 'muted' }, 'No byte-identical copy.'),
      );
    },
    (e) =>
      put(
        clear(list),
        h('p', { class: 'muted' }, e.status === 404 ? 'No byte-identical copy.' : `Could not load: ${e.message}`),
      ),
  );
  return panel(
    'Duplicates and other encodings',
    h('h3', null, 'Same bytes'),
    list,
    h('h3', null, 'Same recording, other encodings'),
    encodings.length
      ? h(
          'ul',
          { class: 'plain' },
          encodings.map((e) =>
            h(
              'li',
              null,
              fileLink(e.fileId, e.path, 'path'),
              h('span', { class: 'muted small' }, ` (${Math.round(e.coverage * 100)} % matched)`),
            ),
          ),
        )
      : h('p', { class: 'muted' }, fingerprint ? 'None found.' : 'Not fingerprinted yet.'),
  );
}

function historyPanel(history) {
  return panel(
    'History',
    history.length
      ? h(
          'details',
          null,
          h('summary', null, `${history.length} event${history.length === 1 ? '' : 's'}`),
          h(
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
          ),
        )
      : h('p', { class: 'muted' }, 'No history yet.'),
  );
}

/** Everything the stages stored, folded away: for the curious, never in the way. */
function rawPanel(detail) {
  const parts = ['tags', 'analysis', 'fingerprint', 'companions', 'proposal'].filter(
    (k) => detail[k] !== null && detail[k] !== undefined,
  );
  return panel(
    'Raw data',
    parts.length
      ? parts.map((k) =>
          h(
            'details',
            { class: 'raw' },
            h('summary', null, k),
            h('pre', { class: 'json' }, JSON.stringify(detail[k], null, 2)),
          ),
        )
      : h('p', { class: 'muted' }, 'No later stage has stored anything yet.'),
  );
}
