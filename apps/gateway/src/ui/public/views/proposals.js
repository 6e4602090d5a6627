/* Proposals: old name and folder beside the new one, coloured by confidence, collisions marked. Keyboard:
 * ↑/↓ move, a approve, r reject, e edit, u undo, x select; bulk approve/reject the selection (or every
 * pending proposal above a confidence) with counts of what was applied and skipped. Every change sends the
 * version it was shown (If-Match), so two reviewers never overwrite each other. Nothing on disk moves here.
 * The preview (#/proposals/preview) shows the folder tree the approved proposals would make. */
import { api, ApiError } from '../lib/api.js';
import { bind } from '../lib/keys.js';
import { badge, clear, fileLink, h, message } from '../lib/dom.js';
import { fmtNumber, fmtPercent, query } from '../lib/format.js';

const etag = (p) => `"${p.id}.${p.version}"`;
const STATUSES = ['pending', 'approved', 'rejected', 'invalid', 'superseded'];

function toast(text, undo) {
  const el = h(
    'div',
    { class: 'toast', role: 'status', 'aria-live': 'polite' },
    h('span', null, text),
    undo ? h('button', { type: 'button', class: 'link', onclick: () => (el.remove(), undo()) }, 'Undo') : null,
  );
  document.body.append(el);
  setTimeout(() => el.remove(), 6000);
}

export default {
  route: '#/proposals',
  title: 'Proposals',
  nav: 'Proposals',
  render(root, ctx) {
    const state = {
      items: [],
      cursor: null,
      index: 0,
      selected: new Set(),
      filters: { status: 'pending', ...(ctx.query || {}) },
    };
    const status = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
    const list = h('ol', { class: 'proposals', 'aria-label': 'Proposals' });
    const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => load(false) }, 'More');
    const counts = h('span', { class: 'muted' });
    const minConfidence = h('input', {
      type: 'number',
      min: '0',
      max: '1',
      step: '0.05',
      value: '0.8',
      'aria-label': 'Lowest confidence to approve',
    });

    const filter = (name, options) =>
      h(
        'select',
        {
          name,
          'aria-label': name,
          onchange: (e) => {
            state.filters[name] = e.target.value || undefined;
            load(true);
          },
        },
        options.map(([v, t]) => h('option', { value: v, selected: (state.filters[name] || '') === v }, t)),
      );
    const search = h('input', {
      type: 'search',
      placeholder: 'Text in the path or new name…',
      'aria-label': 'Search proposals',
      onchange: (e) => {
        state.filters.q = e.target.value || undefined;
        load(true);
      },
    });

    root.append(
      h('h1', { class: 'page-title' }, 'Proposals'),
      h(
        'div',
        { class: 'toolbar' },
        filter('status', [['', 'In force'], ...STATUSES.map((s) => [s, s])]),
        filter('band', [
          ['', 'Any confidence'],
          ['high', 'High (≥ 0.8)'],
          ['medium', 'Medium'],
          ['low', 'Low (< 0.5)'],
        ]),
        filter('collision', [
          ['', 'Collisions or not'],
          ['true', 'Colliding'],
          ['false', 'Not colliding'],
        ]),
        search,
        h('button', { type: 'button', onclick: () => generate() }, 'Propose for new files'),
        h('a', { href: '#/proposals/preview' }, 'Preview tree'),
      ),
      h(
        'div',
        { class: 'toolbar' },
        counts,
        h('button', { type: 'button', onclick: () => bulk('approved') }, 'Approve selected / all pending ≥'),
        minConfidence,
        h('button', { type: 'button', class: 'secondary', onclick: () => bulk('rejected') }, 'Reject selected'),
        h('span', { class: 'muted' }, 'Keys: ↑ ↓ a r e u x'),
      ),
      status,
      list,
      more,
    );

    const row = (p, i) => {
      const tone = p.band === 'high' ? 'ok' : p.band === 'medium' ? 'warn' : 'bad';
      const li = h(
        'li',
        {
          class: `proposal${i === state.index ? ' current' : ''}${state.selected.has(p.id) ? ' selected' : ''}`,
          'aria-current': i === state.index ? 'true' : undefined,
          onclick: () => focus(i),
        },
        h('input', {
          type: 'checkbox',
          'aria-label': 'Select',
          checked: state.selected.has(p.id),
          onclick: (e) => (e.stopPropagation(), toggle(p.id)),
        }),
        h(
          'div',
          { class: 'sides' },
          h('div', { class: 'old' }, h('span', { class: 'label' }, 'Now'), fileLink(p.fileId, p.current.path, 'mono')),
          h(
            'div',
            { class: 'new' },
            h('span', { class: 'label' }, 'New'),
            h('span', { class: 'mono' }, p.proposed.path),
          ),
        ),
        h(
          'div',
          { class: 'meta' },
          badge(
            p.status,
            p.status === 'approved' ? 'ok' : p.status === 'rejected' || p.status === 'invalid' ? 'bad' : 'neutral',
          ),
          h('span', { class: `confidence tone-${tone}`, title: 'Confidence' }, fmtPercent(p.confidence)),
          p.edited ? badge('edited', 'info') : null,
          p.collision ? h('span', { class: 'collision tone-bad' }, `Collides with ${p.collision.path}`) : null,
          p.invalidReason ? h('span', { class: 'tone-bad' }, p.invalidReason) : null,
          h('span', { class: 'reason muted' }, p.reason),
        ),
      );
      return li;
    };

    const draw = () => {
      clear(list).append(...state.items.map(row));
      counts.textContent = `${fmtNumber(state.items.length)} shown, ${fmtNumber(state.selected.size)} selected`;
      more.hidden = !state.cursor;
      list.children[state.index]?.scrollIntoView?.({ block: 'nearest' });
    };
    const focus = (i) => {
      state.index = Math.max(0, Math.min(state.items.length - 1, i));
      draw();
    };
    const toggle = (id) => {
      if (state.selected.has(id)) state.selected.delete(id);
      else state.selected.add(id);
      draw();
    };

    async function load(reset) {
      try {
        const params = { ...state.filters, limit: 100, cursor: reset ? undefined : state.cursor };
        const page = await api(`/proposals${query(params)}`);
        state.items = reset ? page.items : [...state.items, ...page.items];
        state.cursor = page.nextCursor;
        if (reset) state.index = 0;
        message(status, state.items.length ? '' : 'No proposals here. Propose for new files, or change the filters.');
        draw();
      } catch (e) {
        message(status, e.message, 'error');
      }
    }

    const replace = (p) => {
      const i = state.items.findIndex((x) => x.id === p.id);
      if (i >= 0) state.items[i] = p;
      draw();
    };

    async function change(p, path, method, body, done) {
      try {
        const next = await api(`/proposals/${encodeURIComponent(p.id)}${path}`, {
          method,
          body,
          headers: { 'If-Match': etag(p) },
        });
        replace(next);
        if (done) toast(done, () => undo(next));
        return next;
      } catch (e) {
        // After a 412 the list is reloaded first, so the reload does not wipe the explanation.
        if (e instanceof ApiError && e.status === 412) await load(true);
        message(status, e instanceof ApiError && e.status === 412 ? `${e.message} (reloaded)` : e.message, 'error');
        return null;
      }
    }
    const current = () => state.items[state.index];
    const decide = (decision) => {
      const p = current();
      if (p)
        change(
          p,
          '/decision',
          'PUT',
          { decision },
          `${decision === 'approved' ? 'Approved' : 'Rejected'}: ${p.proposed.name}`,
        );
    };
    const undo = (p) => change(p, '/undo', 'POST', undefined, null);
    const edit = () => {
      const p = current();
      if (!p) return;
      const name = window.prompt('New file name (the extension stays):', p.proposed.name);
      if (name === null) return;
      const folder = window.prompt('New folder (empty: the file stays in its folder):', p.proposed.folder ?? '');
      if (folder === null) return;
      change(p, '', 'PATCH', { name, folder: folder.trim() === '' ? null : folder }, `Edited: ${name}`);
    };

    async function bulk(decision) {
      const ids = [...state.selected];
      const body = ids.length ? { decision, ids } : { decision, minConfidence: Number(minConfidence.value) || 0 };
      if (!ids.length && decision === 'rejected')
        return message(status, 'Select the proposals to reject first.', 'error');
      try {
        const r = await api('/proposals/decisions', { method: 'POST', body });
        state.selected.clear();
        // Reload first: the reload resets the status line, and the counts must stay there to be read.
        await load(true);
        message(
          status,
          `${decision === 'approved' ? 'Approved' : 'Rejected'} ${r.applied.length}; skipped ${r.skipped.length}${
            r.skipped.length
              ? ` (${r.skipped
                  .slice(0, 3)
                  .map((s) => s.reason)
                  .join('; ')}${r.skipped.length > 3 ? '; …' : ''})`
              : ''
          }.`,
        );
      } catch (e) {
        message(status, e.message, 'error');
      }
    }

    async function generate() {
      try {
        const { id } = await api('/proposals/generations', { method: 'POST', body: {} });
        message(status, 'Proposing… (the list refreshes when it is done)');
        for (let i = 0; i < 600; i++) {
          const g = await api(`/proposals/generations/${encodeURIComponent(id)}`);
          if (g.status === 'completed' || g.status === 'failed') {
            message(
              status,
              g.status === 'failed'
                ? `Failed: ${g.error}`
                : `${g.counts.generated} proposed, ${g.counts.skipped} skipped.`,
              g.status === 'failed' ? 'error' : '',
            );
            return load(true);
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      } catch (e) {
        message(status, e.message, 'error');
      }
    }

    const unbind = [
      bind('ArrowDown', 'Next proposal', () => focus(state.index + 1)),
      bind('ArrowUp', 'Previous proposal', () => focus(state.index - 1)),
      bind('a', 'Approve', () => decide('approved')),
      bind('r', 'Reject', () => decide('rejected')),
      bind('e', 'Edit name or folder', edit),
      bind('u', 'Undo the last action on this proposal', () => current() && undo(current())),
      bind('x', 'Select / unselect', () => current() && toggle(current().id)),
    ];
    load(true);
    return () => unbind.forEach((f) => f());
  },
};
