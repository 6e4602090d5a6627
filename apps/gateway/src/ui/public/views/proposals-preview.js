/* The folder tree the approved (or pending) proposals would produce, with the number of files under each
 * folder: what the archive will look like before anything moves. */
import { api } from '../lib/api.js';
import { clear, h, message } from '../lib/dom.js';
import { fmtNumber } from '../lib/format.js';

function tree(nodes) {
  return h(
    'ul',
    { class: 'tree', role: 'group' },
    nodes.map((n) =>
      h(
        'li',
        { role: 'treeitem', 'aria-expanded': n.children.length ? 'true' : undefined },
        n.children.length
          ? h(
              'details',
              { open: n.path.split('/').length < 3 },
              h(
                'summary',
                null,
                h('span', { class: 'mono' }, `${n.name}/`),
                h('span', { class: 'muted' }, ` ${fmtNumber(n.files)}`),
              ),
              tree(n.children),
            )
          : h(
              'span',
              null,
              h('span', { class: 'mono' }, `${n.name}/`),
              h('span', { class: 'muted' }, ` ${fmtNumber(n.files)}`),
            ),
      ),
    ),
  );
}

export default {
  route: '#/proposals/preview',
  title: 'Proposal preview',
  render(root, ctx) {
    const status = (ctx.query && ctx.query.status) === 'pending' ? 'pending' : 'approved';
    const body = h('div', { id: 'preview' }, h('p', { class: 'muted' }, 'Loading…'));
    root.append(
      h('h1', { class: 'page-title' }, 'Preview: the folders the proposals would make'),
      h(
        'p',
        null,
        h('a', { href: '#/proposals' }, '← Proposals'),
        ' · ',
        h(
          'a',
          { href: `#/proposals/preview?status=${status === 'approved' ? 'pending' : 'approved'}` },
          status === 'approved' ? 'Show pending instead' : 'Show approved instead',
        ),
      ),
      body,
    );
    let stopped = false;
    api(`/proposals/preview?status=${status}`).then(
      (p) => {
        if (stopped) return;
        clear(body).append(
          h(
            'p',
            null,
            `${fmtNumber(p.files)} ${status} proposals; ${fmtNumber(p.stay)} keep their folder (renamed in place).${p.truncated ? ' (Only the first 200,000 are shown.)' : ''}`,
          ),
          p.tree.length
            ? h('div', { role: 'tree', 'aria-label': 'Folders' }, tree(p.tree))
            : h('p', { class: 'muted' }, `No ${status} proposals move a file yet.`),
        );
      },
      (e) => !stopped && message(clear(body).appendChild(h('p')), e.message, 'error'),
    );
    return () => {
      stopped = true;
    };
  },
};
