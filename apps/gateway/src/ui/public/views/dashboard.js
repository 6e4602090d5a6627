/* Dashboard: files per state and per stage status, recent failures with reasons, scans with live progress,
 * and what is working now (mixes being identified, executions moving files) with live progress. */
import { api } from '../lib/api.js';
import { askToSignIn, ensureSignedIn } from '../lib/session.js';
import { badge, clear, fileLink, h, link, message, timeEl, put } from '../lib/dom.js';
import { fmtBytes, fmtDuration, fmtNumber, fmtState, query } from '../lib/format.js';

const STATS_EVERY_MS = 5000;

export default {
  route: '#/',
  title: 'Dashboard',
  nav: 'Dashboard',
  render(root, ctx) {
    const cards = h('div', { class: 'cards', id: 'summary-cards' });
    const states = h('div', { class: 'bars', id: 'states' });
    const stages = h('table', { class: 'stages', id: 'stages' });
    const throughput = h('p', { class: 'hint', id: 'throughput' });
    const failures = h('ul', { class: 'failures', id: 'failures' });
    const scansList = h('ul', { class: 'scans', id: 'scans' });
    const retryStatus = h('p', { class: 'message', id: 'retry-message', role: 'status' });
    async function retry(stage) {
      if (!(await ensureSignedIn())) {
        message(retryStatus, 'Sign in with the API token to retry failed stages.', 'error');
        return;
      }
      message(retryStatus, `Sending the files ${stage} failed through it again…`);
      try {
        const r = await api('/pipeline/retries', { method: 'POST', body: { stage } });
        message(
          retryStatus,
          `${fmtNumber(r.requested)} file${r.requested === 1 ? '' : 's'} sent through ${stage} again${r.more ? ' (more remain: retry again)' : ''}.`,
          'ok',
        );
        void refreshStats();
      } catch (e) {
        message(retryStatus, e.message, 'error');
      }
    }
    const working = h('ul', { class: 'plain', id: 'working' });
    const identifications = new Map();
    /** Executions queued or running, by id: the summary from the API, then the live progress events over it. */
    const executions = new Map();
    function renderWorking() {
      clear(working);
      if (!identifications.size && !executions.size)
        put(working, h('li', { class: 'muted' }, 'Nothing is being identified or executed right now.'));
      for (const [id, e] of executions) {
        const c = e.counts;
        const finished = c.done + c.failed + c.skipped;
        put(
          working,
          h(
            'li',
            { class: 'execution-progress', 'data-execution': id },
            link(
              '#/executions',
              `${e.kind === 'undo' ? 'Undoing' : 'Executing'} ${e.mode ?? ''}: ${fmtNumber(finished)} of ${fmtNumber(c.total)} files`,
            ),
            h('progress', {
              max: String(c.total || 1),
              value: String(finished),
              'aria-label': 'Execution progress',
            }),
            h(
              'span',
              { class: 'hint' },
              `${fmtNumber(c.failed)} failed · ${fmtBytes(c.bytesDone)} of ${fmtBytes(c.bytesTotal)}`,
              e.bytesPerSecond ? ` · ${fmtBytes(e.bytesPerSecond)}/s` : '',
              e.etaSeconds !== null && e.etaSeconds !== undefined ? ` · about ${fmtDuration(e.etaSeconds)} left` : '',
            ),
          ),
        );
      }
      for (const [fileId, p] of identifications) {
        const fraction = p.durationSec ? Math.min(1, p.processedSec / p.durationSec) : null;
        put(
          working,
          h(
            'li',
            null,
            fileLink(fileId, `Identifying a mix: ${Math.round(p.processedSec)} s read`, 'path'),
            fraction === null
              ? null
              : h('progress', {
                  max: '100',
                  value: String(Math.round(fraction * 100)),
                  'aria-label': 'Identification progress',
                }),
          ),
        );
      }
    }
    // The fingerprint index: which generation answers look-ups, and an upgrade's progress while one runs.
    const indexStatus = h('div', { id: 'index-status' });
    let indexState = null;
    function renderIndex() {
      clear(indexStatus);
      if (!indexState) return;
      const s = indexState;
      const version = (g) => `algorithm ${g.algorithmVersion}, layout ${g.layoutVersion}`;
      const r = s.rebuild;
      if (!r) {
        put(
          indexStatus,
          h(
            'p',
            { class: 'muted' },
            `Fingerprint index: generation ${s.active.generation} (${version(s.active)}), ${fmtNumber(s.active.tracks)} tracks.`,
          ),
        );
        return;
      }
      const finished = r.done + r.failed;
      put(
        indexStatus,
        h(
          'p',
          null,
          `Upgrading the fingerprint index to ${version(r.generation)}: ${fmtNumber(r.done)} of ${fmtNumber(r.total)} tracks`,
          r.failed ? `, ${fmtNumber(r.failed)} failed` : '',
          r.ratePerMin === null ? '' : ` · ${r.ratePerMin} tracks/min`,
          r.etaSec === null ? '' : ` · about ${fmtEta(r.etaSec)} left`,
        ),
        h('progress', {
          id: 'index-progress',
          max: String(Math.max(1, r.total)),
          value: String(finished),
          'aria-label': 'Fingerprint index upgrade progress',
        }),
        h(
          'p',
          { class: 'hint' },
          r.lookupsFrom === 'active'
            ? `Look-ups answer from generation ${s.active.generation} until the new one is complete.`
            : 'Look-ups wait for the new generation: its hashes differ from the active one.',
        ),
      );
    }
    async function loadIndex() {
      try {
        indexState = await api('/fingerprint/index');
      } catch (e) {
        indexState = null;
        put(clear(indexStatus), h('p', { class: 'muted' }, `Fingerprint index: ${e.message}`));
        return;
      }
      renderIndex();
    }
    async function loadExecutions() {
      try {
        const page = await api('/executions?limit=20');
        executions.clear();
        for (const e of page.items) if (e.status === 'queued' || e.status === 'running') executions.set(e.id, e);
      } catch {
        // The executions list is optional here: the panel shows what the live events report.
      }
      if (!stopped) renderWorking();
    }
    const scansMore = h('button', { type: 'button', class: 'link', id: 'scans-more', hidden: true }, 'Older scans');
    const scanForm = scanFormPanel(onScanQueued);

    put(
      root,
      h('h1', { class: 'visually-hidden' }, 'Dashboard'),
      cards,
      h(
        'div',
        { class: 'grid' },
        h('article', { class: 'panel' }, h('h2', null, 'Scans'), scanForm, scansList, scansMore),
        h('article', { class: 'panel' }, h('h2', null, 'Files by state'), states),
        h(
          'article',
          { class: 'panel wide' },
          h('h2', null, 'Stages'),
          h('div', { class: 'table-wrap' }, stages),
          throughput,
          retryStatus,
        ),
        h('article', { class: 'panel wide' }, h('h2', null, 'Working now'), working, indexStatus),
        h('article', { class: 'panel wide' }, h('h2', null, 'Recent failures'), failures),
      ),
    );

    // ------------------------------------------------------------ stats
    let timer;
    let stopped = false;
    async function refreshStats() {
      clearTimeout(timer);
      if (stopped) return;
      // A hidden tab does not poll; becoming visible again refreshes at once.
      if (document.visibilityState !== 'hidden') {
        try {
          renderStats(await api('/pipeline/stats'));
        } catch (e) {
          renderCards([{ label: 'Pipeline', value: '—', note: e.message }]);
        }
      }
      if (!stopped) timer = setTimeout(refreshStats, STATS_EVERY_MS);
    }
    const onVisible = () => document.visibilityState === 'visible' && void refreshStats();
    document.addEventListener('visibilitychange', onVisible);

    function renderCards(list) {
      put(
        clear(cards),
        ...list.map((c) =>
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
        {
          label: 'Files',
          value: fmtNumber(stats.files.total),
          note: stats.files.copies ? `${fmtNumber(stats.files.copies)} copies in the output folder` : '',
        },
        {
          label: 'Missing from disk',
          value: fmtNumber(stats.files.missing),
          tone: stats.files.missing ? 'warn' : '',
        },
        { label: 'Stage failures', value: fmtNumber(failed), tone: failed ? 'bad' : '' },
        {
          label: 'Finished (5 min)',
          value: fmtNumber(five ? five.finished : 0),
          note: five ? `${five.perMinute} per minute` : '',
        },
      ]);

      const total = Math.max(1, stats.files.total);
      clear(states);
      for (const [state, files] of Object.entries(stats.files.byState)) {
        const fill = h('span', { class: `bar-fill state-${state.toLowerCase()}` });
        fill.style.width = `${(files / total) * 100}%`;
        put(
          states,
          h(
            'a',
            { class: 'bar', href: `#/files${query({ state })}`, title: `Show files in state ${fmtState(state)}` },
            h('span', { class: 'bar-label' }, fmtState(state)),
            h('span', { class: 'bar-track' }, fill),
            h('span', { class: 'bar-value' }, fmtNumber(files)),
          ),
        );
      }

      const statuses = Object.keys(Object.values(stats.stages)[0] || {});
      put(
        clear(stages),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Stage'),
            statuses.map((s) => h('th', { class: 'num', scope: 'col' }, s)),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
          ),
        ),
        h(
          'tbody',
          null,
          Object.entries(stats.stages).map(([stage, counts]) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, stage),
              statuses.map((status) =>
                h(
                  'td',
                  { class: `num ${counts[status] ? `status-${status}` : 'muted'}` },
                  counts[status]
                    ? link(`/files${query({ stage, stageStatus: status })}`, fmtNumber(counts[status]))
                    : '0',
                ),
              ),
              h(
                'td',
                null,
                counts.failed
                  ? h(
                      'button',
                      { type: 'button', class: 'small-button', 'data-retry': stage, onclick: () => retry(stage) },
                      `Retry ${fmtNumber(counts.failed)} failed`,
                    )
                  : null,
              ),
            ),
          ),
        ),
      );
      throughput.textContent =
        'Stage results recorded: ' +
        stats.throughput.map((t) => `${fmtNumber(t.finished)} in the last ${t.windowMinutes} min`).join(' · ');

      clear(failures);
      if (!stats.failures.length) put(failures, h('li', { class: 'empty' }, 'No failures.'));
      for (const f of stats.failures) {
        put(
          failures,
          h(
            'li',
            null,
            h(
              'div',
              { class: 'failure-head' },
              badge(f.stage, 'failed'),
              fileLink(f.fileId, f.path, 'path'),
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

    // ------------------------------------------------------------ scans
    const scans = new Map();
    let scansCursor = null;

    async function loadScans(more = false) {
      try {
        const page = await api(`/scans${query({ limit: 10, cursor: more ? scansCursor : undefined })}`);
        if (!more) scans.clear();
        for (const scan of page.items) scans.set(scan.id, scan);
        scansCursor = page.nextCursor;
        scansMore.hidden = !scansCursor;
        renderScans();
      } catch (e) {
        put(clear(scansList), h('li', { class: 'empty' }, `Could not load scans: ${e.message}`));
      }
    }
    scansMore.addEventListener('click', () => loadScans(true));

    function renderScans() {
      clear(scansList);
      if (!scans.size) scansList.append(h('li', { class: 'empty' }, 'No scans yet. Start one above.'));
      const ordered = [...scans.values()].sort((a, b) =>
        a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
      );
      for (const scan of ordered) scansList.append(scanItem(scan));
    }

    function updateScan(id, patch) {
      const scan = scans.get(id);
      if (!scan) {
        // A scan started elsewhere (CLI, another tab): fetch it whole.
        api(`/scans/${encodeURIComponent(id)}`).then(
          (s) => {
            if (stopped) return;
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

    function onScanQueued(id) {
      updateScan(id, {});
    }

    const unsubscribe = [
      ctx.live.on('scan.requested', (p) => !scans.has(p.scanId) && updateScan(p.scanId, {})),
      ctx.live.on('scan.progressed', (p) => updateScan(p.scanId, { status: 'running', counts: p.counts })),
      ctx.live.on('scan.finished', (p) => {
        // Refetch: the finished row has the times and the error text.
        scans.delete(p.scanId);
        updateScan(p.scanId, {});
        void refreshStats();
      }),
    ];

    unsubscribe.push(
      // The feed was down too long to replay what was missed: reload what this page shows.
      ctx.live.on('stream.reset', () => {
        void refreshStats();
        void loadScans();
        void loadIndex();
        void loadExecutions();
      }),
      ctx.live.on('index.rebuild.progressed', (p) => {
        // A report carries the counts; the flip (state active) changes which generation answers: reload.
        if (p.state === 'active' || !indexState?.rebuild || indexState.rebuild.generation.generation !== p.generation) {
          void loadIndex();
          return;
        }
        Object.assign(indexState.rebuild, {
          done: p.done,
          failed: p.failed,
          total: p.total,
          ratePerMin: p.ratePerMin,
          etaSec: p.etaSec,
        });
        renderIndex();
      }),
      ctx.live.on('execution.run.progressed', (p) => {
        const known = executions.get(p.executionId);
        // An execution started since the page loaded: its kind and mode come with the next list.
        if (!known) void loadExecutions();
        executions.set(p.executionId, {
          ...(known ?? { id: p.executionId, kind: 'run' }),
          counts: p.counts,
          bytesPerSecond: p.bytesPerSecond,
          etaSeconds: p.etaSeconds,
        });
        renderWorking();
      }),
      ctx.live.on('execution.run.finished', (p) => {
        executions.delete(p.executionId);
        renderWorking();
        void refreshStats();
      }),
      ctx.live.on('mix.identify.progressed', (p) => {
        if (!p.fileId) return;
        identifications.set(p.fileId, p);
        renderWorking();
      }),
      ctx.live.on('mix.identify.finished', (p) => {
        identifications.delete(p.fileId);
        renderWorking();
      }),
    );
    renderWorking();
    void refreshStats();
    void loadScans();
    void loadIndex();
    void loadExecutions();

    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      for (const off of unsubscribe) off();
    };
  },
};

function fmtEta(sec) {
  if (sec < 90) return `${Math.round(sec)} s`;
  if (sec < 5400) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

function scanItem(scan) {
  const c = scan.counts;
  const parts = [
    `${fmtNumber(c.found)} found`,
    `${fmtNumber(c.new)} new`,
    `${fmtNumber(c.changed)} changed`,
    `${fmtNumber(c.missing)} missing`,
    `${fmtNumber(c.errors)} errors`,
    `${fmtBytes(c.bytesHashed)} hashed`,
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
    scan.status === 'running' || scan.status === 'queued'
      ? h('div', { class: 'progress', role: 'progressbar', 'aria-label': `Scan of ${scan.path}` }, h('span'))
      : null,
    h('div', { class: 'scan-counts' }, parts.join(' · ')),
    h('div', { class: 'scan-when muted' }, ...when),
    scan.error ? h('div', { class: 'reason' }, scan.error) : null,
  );
}

/**
 * The "scan a folder" form: a library root is chosen from the configured ones (GET /library/roots); the
 * folder field starts as that root and may be narrowed to a folder below it. Starting a scan changes state,
 * so it asks the person to sign in first.
 */
function scanFormPanel(onQueued) {
  const rootSelect = h('select', { id: 'scan-root', name: 'root' }, h('option', { value: '' }, 'Loading roots…'));
  const pathInput = h('input', {
    id: 'scan-path',
    name: 'path',
    type: 'text',
    placeholder: '/music/Incoming',
    required: true,
    spellcheck: 'false',
  });
  const rootNote = h('p', { class: 'hint', id: 'scan-root-note' });
  const status = h('p', { class: 'message', id: 'scan-message', role: 'status' });

  function describeRoot(root) {
    if (!root) return '';
    if (root.problem) return `${root.path}: ${root.problem}. A scan of it would fail.`;
    const s = root.lastScan;
    if (!s) return 'Never scanned.';
    return `Last scan ${s.status}${s.finishedAt ? ` ${new Date(s.finishedAt).toLocaleString()}` : ''}: ${fmtNumber(s.counts.found)} files found.`;
  }
  let roots = [];
  function choose() {
    const root = roots.find((r) => r.path === rootSelect.value);
    if (root) pathInput.value = root.path;
    rootNote.textContent = describeRoot(root);
  }
  rootSelect.addEventListener('change', choose);
  api('/library/roots').then(
    (r) => {
      roots = r.items;
      clear(rootSelect);
      if (!roots.length) {
        rootSelect.append(h('option', { value: '' }, 'No library roots configured'));
        rootSelect.disabled = true;
        rootNote.textContent = 'Set CRATEFLOW_LIBRARY_ROOTS and restart the gateway to scan.';
        return;
      }
      for (const root of roots) {
        rootSelect.append(
          h('option', { value: root.path }, root.scannable ? root.path : `${root.path} (${root.problem})`),
        );
      }
      // Keep a folder the person already typed; otherwise start from the first root that can be scanned.
      const first = roots.find((r) => r.scannable) ?? roots[0];
      rootSelect.value = first.path;
      if (!pathInput.value) choose();
      else rootNote.textContent = describeRoot(first);
    },
    (e) => {
      clear(rootSelect).append(h('option', { value: '' }, 'Roots unavailable'));
      rootSelect.disabled = true;
      rootNote.textContent = `Could not load the library roots: ${e.message}`;
    },
  );

  async function submit(event) {
    event.preventDefault();
    const path = pathInput.value.trim();
    if (!(await ensureSignedIn())) {
      message(status, 'Sign in with the API token to start a scan.', 'error');
      return;
    }
    message(status, 'Queueing…');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const accepted = await api('/scans', { method: 'POST', body: { path } });
        message(status, 'Scan queued.', 'ok');
        onQueued(accepted.id);
        return;
      } catch (e) {
        // The session ended (or the token changed): sign in again, then retry once.
        if (e.status === 401 && attempt === 0 && (await askToSignIn())) continue;
        message(status, e.message, 'error');
        return;
      }
    }
  }

  return h(
    'form',
    { id: 'scan-form', class: 'scan-form', autocomplete: 'off', onsubmit: submit },
    h('label', { for: 'scan-root' }, 'Library root'),
    rootSelect,
    rootNote,
    h('label', { for: 'scan-path' }, 'Folder to scan'),
    h('div', { class: 'row' }, pathInput, h('button', { type: 'submit', class: 'primary' }, 'Start scan')),
    h('p', { class: 'hint' }, 'The root, or a folder inside it.'),
    status,
  );
}
