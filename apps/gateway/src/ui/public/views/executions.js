/* Executions: plan the approved proposals (final paths, blocked items with reasons, totals), run a plan with
 * live progress, read the summary, undo, download the relink map, and browse the audit log. */
import { api } from '../lib/api.js';
import { badge, clear, h, message, timeEl } from '../lib/dom.js';
import { fmtBytes, fmtDuration, fmtNumber, query } from '../lib/format.js';

const API_BASE = '/api/v1';

export default {
  route: '#/executions',
  title: 'Executions',
  nav: 'Executions',
  render(root, ctx) {
    const mode = h(
      'select',
      { id: 'plan-mode', 'aria-label': 'Mode' },
      h('option', { value: 'move' }, 'move: put the archive in order where it is'),
      h('option', { value: 'copy' }, 'copy: build the organised library in the output root, sources untouched'),
      h('option', { value: 'hardlink' }, 'hardlink: like copy, at no extra space (same filesystem)'),
    );
    const removeEmpty = h('input', { type: 'checkbox', id: 'plan-remove-empty', checked: true });
    const planButton = h('button', { type: 'button', id: 'plan-make' }, 'Make a plan');
    const planNote = h('p', { class: 'hint', id: 'plan-note' });
    const planView = h('div', { id: 'plan' });
    const runsList = h('ul', { class: 'scans', id: 'executions' });
    const auditFilter = h('input', {
      type: 'search',
      id: 'audit-path',
      placeholder: 'path contains…',
      'aria-label': 'Path filter',
    });
    const auditStatus = h(
      'select',
      { id: 'audit-status', 'aria-label': 'Step status' },
      ...['', 'running', 'done', 'failed', 'rolled-back', 'pending'].map((s) =>
        h('option', { value: s }, s || 'any status'),
      ),
    );
    const auditTable = h('table', { id: 'audit' });
    const auditMore = h('button', { type: 'button', class: 'link', hidden: true }, 'Older steps');

    root.append(
      h('h1', { class: 'visually-hidden' }, 'Executions'),
      h(
        'div',
        { class: 'grid' },
        h(
          'article',
          { class: 'panel wide' },
          h('h2', null, 'Plan'),
          h(
            'p',
            { class: 'hint' },
            'A plan is a dry run: nothing on disk changes until you execute it, and it runs exactly as shown.',
          ),
          h(
            'div',
            { class: 'row' },
            mode,
            h('label', null, removeEmpty, ' remove folders the execution empties'),
            planButton,
          ),
          planNote,
          planView,
        ),
        h('article', { class: 'panel wide' }, h('h2', null, 'Executions'), runsList),
        h(
          'article',
          { class: 'panel wide' },
          h('h2', null, 'Audit log'),
          h('div', { class: 'row' }, auditFilter, auditStatus),
          // Scrollable sideways with long paths: focusable, so the keyboard can scroll it too.
          h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Audit log steps' }, auditTable),
          auditMore,
        ),
      ),
    );

    // ------------------------------------------------------------ plan
    planButton.addEventListener('click', async () => {
      planButton.disabled = true;
      message(planNote, 'Planning…');
      try {
        let plan = await api('/executions/plans', {
          method: 'POST',
          body: { mode: mode.value, removeEmptyFolders: removeEmpty.checked },
        });
        while (!plan.items) {
          await new Promise((r) => setTimeout(r, 1000));
          plan = await api(`/executions/plans/${encodeURIComponent(plan.id)}`).catch(() => plan);
        }
        renderPlan(plan);
        message(planNote, '');
      } catch (e) {
        message(planNote, e.message, 'error');
      } finally {
        planButton.disabled = false;
      }
    });

    function renderPlan(plan) {
      const t = plan.totals;
      const run = h(
        'button',
        { type: 'button', id: 'plan-execute', disabled: !t.files },
        `Execute this plan (${plan.mode})`,
      );
      run.addEventListener('click', async () => {
        run.disabled = true;
        try {
          const accepted = await api('/executions', { method: 'POST', body: { planId: plan.id } });
          message(planNote, `Execution ${accepted.id} queued.`);
          await refreshRuns();
        } catch (e) {
          message(planNote, e.message, 'error');
          run.disabled = false;
        }
      });
      const rows = plan.items.map((i) =>
        h(
          'tr',
          { class: `plan-${i.status}` },
          h('td', null, badge(i.status, i.status === 'ready' ? 'done' : i.status === 'blocked' ? 'failed' : 'skipped')),
          h('td', null, i.role === 'companion' ? '+ companion' : 'file'),
          h('td', { class: 'path' }, i.sourcePath),
          h('td', { class: 'path' }, i.destinationPath || '—'),
          h('td', null, i.reason || ''),
        ),
      );
      clear(planView).append(
        h(
          'p',
          { id: 'plan-totals' },
          `${fmtNumber(t.files)} files (${fmtNumber(t.companions)} companions), ${fmtBytes(t.bytes)}; ` +
            `${fmtNumber(t.sameFilesystem)} within a filesystem, ${fmtNumber(t.crossFilesystem)} across; ` +
            `${fmtNumber(t.blocked)} blocked, ${fmtNumber(t.skipped)} skipped.`,
        ),
        run,
        h(
          'div',
          { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Planned items' },
          h(
            'table',
            { id: 'plan-items' },
            h('tr', null, ...['', 'What', 'From', 'To', 'Why'].map((c) => h('th', null, c))),
            rows,
          ),
        ),
      );
    }

    // ------------------------------------------------------------ executions
    const rowsById = new Map();
    // The newest progress event per execution: one that arrives before its row exists (the list is still
    // loading when a small execution finishes) is shown when the row is drawn, not lost.
    const lastProgress = new Map();
    let refreshing = 0;
    async function refreshRuns() {
      const mine = ++refreshing;
      try {
        const page = await api('/executions?limit=20');
        if (mine !== refreshing) return; // a newer refresh draws the list
        clear(runsList);
        rowsById.clear();
        for (const e of page.items) runsList.append(runRow(e));
      } catch (e) {
        clear(runsList).append(h('li', null, e.message));
      }
    }

    function runRow(e) {
      const progress = h('progress', {
        max: String(e.counts.total || 1),
        value: String(e.counts.done + e.counts.failed + e.counts.skipped),
      });
      const line = h('span', { class: 'hint' }, summaryText(e.counts));
      const rate = h('span', { class: 'hint' });
      const seen = lastProgress.get(e.id);
      if (seen) rate.textContent = rateText(seen, e.status === 'queued' || e.status === 'running');
      const actions = h('span');
      if (e.kind === 'run' && (e.status === 'completed' || e.status === 'failed') && e.counts.done) {
        const undo = h('button', { type: 'button', class: 'link' }, 'Undo');
        undo.addEventListener('click', async () => {
          if (!window.confirm('Move every file of this execution back to where it was?')) return;
          undo.disabled = true;
          try {
            await api(`/executions/${encodeURIComponent(e.id)}/undo`, { method: 'POST', body: {} });
            await refreshRuns();
          } catch (err) {
            line.textContent = err.message;
          }
        });
        actions.append(
          undo,
          ' · relink map ',
          h('a', { href: `${API_BASE}/executions/${encodeURIComponent(e.id)}/relink.csv`, download: '' }, 'CSV'),
          ' ',
          h('a', { href: `${API_BASE}/executions/${encodeURIComponent(e.id)}/relink.json`, download: '' }, 'JSON'),
        );
      }
      const details = h('button', { type: 'button', class: 'link' }, 'Failures and steps');
      details.addEventListener('click', () => showDetails(e.id));
      const li = h(
        'li',
        { 'data-execution': e.id },
        badge(e.status, e.status),
        ` ${e.kind === 'undo' ? 'Undo' : 'Execution'} (${e.mode}) `,
        timeEl(e.createdAt),
        h('div', null, progress, ' ', line, ' ', rate),
        e.error ? h('div', { class: 'error' }, e.error) : null,
        h('div', null, actions, ' ', details),
      );
      rowsById.set(e.id, { progress, line, rate });
      return li;
    }

    function rateText(p, running) {
      const eta = running && p.etaSeconds !== null ? `, about ${fmtDuration(p.etaSeconds)} left` : '';
      return `${fmtBytes(p.bytesPerSecond)}/s${eta}`;
    }

    function summaryText(c) {
      return `${fmtNumber(c.done)} done, ${fmtNumber(c.failed)} failed, ${fmtNumber(c.skipped)} skipped of ${fmtNumber(c.total)}; ${fmtBytes(c.bytesDone)} of ${fmtBytes(c.bytesTotal)}`;
    }

    async function showDetails(id) {
      const e = await api(`/executions/${encodeURIComponent(id)}`);
      auditExecution = id;
      clear(planView).append(
        h('h3', null, `Failures of ${id}`),
        e.failures.length
          ? h(
              'ul',
              { class: 'failures' },
              ...e.failures.map((f) => h('li', null, `[${f.code || 'failed'}] ${f.sourcePath}: ${f.error || ''}`)),
            )
          : h('p', { class: 'hint' }, 'No failed file.'),
      );
      await refreshAudit(true);
    }

    // ------------------------------------------------------------ audit
    let auditExecution = null;
    let auditCursor = null;
    async function refreshAudit(reset) {
      if (reset) {
        auditCursor = null;
        clear(auditTable).append(
          h('tr', null, ...['Time', 'Phase', 'Status', 'From', 'To', 'Detail'].map((c) => h('th', null, c))),
        );
      }
      const page = await api(
        `/audit${query({ executionId: auditExecution || undefined, path: auditFilter.value || undefined, status: auditStatus.value || undefined, cursor: auditCursor || undefined, limit: 100 })}`,
      );
      for (const s of page.items) {
        auditTable.append(
          h(
            'tr',
            null,
            h('td', null, timeEl(s.at)),
            h('td', null, s.phase),
            h('td', null, badge(s.status, s.status)),
            h('td', { class: 'path' }, s.sourcePath),
            h('td', { class: 'path' }, s.destinationPath),
            h('td', { class: 'hint' }, s.detail ? JSON.stringify(s.detail) : ''),
          ),
        );
      }
      auditCursor = page.nextCursor;
      auditMore.hidden = !auditCursor;
    }
    auditMore.addEventListener('click', () => void refreshAudit(false));
    auditFilter.addEventListener('change', () => void refreshAudit(true));
    auditStatus.addEventListener('change', () => void refreshAudit(true));

    // ------------------------------------------------------------ live progress
    const offs = [
      ctx.live.on('execution.run.progressed', (p) => {
        lastProgress.set(p.executionId, p);
        const row = rowsById.get(p.executionId);
        if (!row) return void refreshRuns();
        const c = p.counts;
        row.progress.max = c.total || 1;
        row.progress.value = c.done + c.failed + c.skipped;
        row.line.textContent = summaryText(c);
        row.rate.textContent = rateText(p, true);
      }),
      ctx.live.on('execution.run.finished', () => void refreshRuns()),
    ];

    void refreshRuns();
    void refreshAudit(true).catch(() => undefined);
    return () => offs.forEach((off) => off());
  },
};
