/* Tiny element helpers. Text always goes in as text nodes: there is deliberately no way to pass HTML, so
 * hostile paths, tags and reasons can never become markup. */
import { fmtDate, fmtRelative, fmtState } from './format.js';

/** Builds an element: `h('a', { href, class, onclick }, 'text', child)`. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** An SVG element (charts drawn by hand); same rules as h(). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Appends children, leaving out null/undefined/false (Element.append would write them as text). */
export function put(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** An in-app link; `path` is built by the caller from encoded ids, never taken from data as a URL. */
export function link(path, text, cls) {
  return h('a', { href: `#${path}`, class: cls }, text);
}

/** Link to a file's page. */
export function fileLink(id, text, cls) {
  return link(`/files/${encodeURIComponent(id)}`, text, cls);
}

export function badge(text, kind) {
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

export function stateBadge(state) {
  return badge(fmtState(state), `state-${state}`);
}

/** A <time> showing "3 minutes ago", with the exact date on hover. */
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: fmtDate(iso) }, fmtRelative(iso));
}

/** A status line (role=status) whose text and tone are set together. */
export function message(el, text, tone = '') {
  el.textContent = text;
  el.className = `message${tone ? ` ${tone}` : ''}`;
}

export function panel(title, ...children) {
  return h('article', { class: 'panel' }, title ? h('h2', null, title) : null, ...children);
}

/** A definition list from [label, value] pairs; null pairs are left out. */
export function fields(pairs) {
  return h(
    'dl',
    { class: 'fields' },
    pairs.filter(Boolean).map(([label, value]) => [h('dt', null, label), h('dd', null, value)]),
  );
}
