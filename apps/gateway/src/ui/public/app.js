/* Crateflow web UI shell: native ES modules, no build step, same-origin only (the CSP allows nothing else).
 * It builds the navigation from views/index.js, routes hash URLs to a view, and hands every view the shared
 * context: the live event feed, the keyboard map, the route's params and query. */
import { clear, h, put } from './lib/dom.js';
import { activeBindings, bind, installKeys } from './lib/keys.js';
import { Router, navigate } from './lib/router.js';
import { askToSignIn, renderSessionControl } from './lib/session.js';
import { LiveEvents } from './lib/sse.js';
import * as keys from './lib/keys.js';
import views from './views/index.js';

const THEME_KEY = 'crateflow.theme';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const live = new LiveEvents();
let cleanup = null;

function buildNav() {
  for (const view of views.filter((v) => v.nav)) {
    nav.append(h('a', { href: view.route, 'data-nav': view.route }, view.nav));
  }
  nav.append(h('a', { href: '/api/docs', target: '_blank', rel: 'noopener' }, 'API'));
}

/** The nav entry of a view: its own, or the closest listed route that prefixes it (a file → Files). */
function markNav(view) {
  const route = view ? view.route : '';
  let best = null;
  for (const a of nav.querySelectorAll('[data-nav]')) {
    const r = a.dataset.nav;
    if (r === route || (r !== '#/' && route.startsWith(`${r}/`))) {
      if (!best || r.length > best.dataset.nav.length) best = a;
    }
  }
  for (const a of nav.querySelectorAll('[data-nav]')) {
    const active = a === best;
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setTitle(title) {
  document.title = title ? `${title} · Crateflow` : 'Crateflow';
}

let firstRoute = true;
function show(view, params, query) {
  if (typeof cleanup === 'function') {
    try {
      cleanup();
    } catch (e) {
      console.warn('view cleanup failed', e);
    }
  }
  cleanup = null;
  clear(main);
  markNav(view);
  if (!view) {
    setTitle('Not found');
    put(main, h('h1', null, 'Page not found'), h('p', null, h('a', { href: '#/' }, 'Go to the dashboard')));
    return;
  }
  setTitle(view.title);
  const root = h('section', { class: 'view', 'data-view': view.route });
  put(main, root);
  try {
    cleanup = view.render(root, { params, query, live, keys, navigate, setTitle }) || null;
  } catch (e) {
    put(root, h('p', { class: 'message error' }, `This page failed to render: ${e.message}`));
    console.warn(e);
  }
  // Moving between pages puts the keyboard focus at the start of the new page, as a page load would.
  if (!firstRoute) main.focus({ preventScroll: false });
  firstRoute = false;
}

function liveIndicator() {
  const el = document.getElementById('live');
  const text = document.getElementById('live-text');
  live.onStatus((status) => {
    el.className = `live ${status === 'live' ? 'on' : status === 'reconnecting' ? 'off' : ''}`;
    text.textContent = status === 'live' ? 'live' : status === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  });
}

function theme() {
  const button = document.getElementById('theme');
  const order = ['auto', 'light', 'dark'];
  let current = 'auto';
  try {
    current = localStorage.getItem(THEME_KEY) || 'auto';
  } catch {
    /* storage disabled */
  }
  const apply = () => {
    if (current === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = current;
    button.textContent = `Theme: ${current}`;
  };
  button.addEventListener('click', () => {
    current = order[(order.indexOf(current) + 1) % order.length];
    try {
      localStorage.setItem(THEME_KEY, current);
    } catch {
      /* storage disabled */
    }
    apply();
  });
  apply();
}

function keyHelp() {
  const dialog = document.getElementById('keys-dialog');
  const list = document.getElementById('keys-list');
  const open = () => {
    put(
      clear(list),
      ...activeBindings().map((b) => [h('dt', null, h('kbd', null, b.combo)), h('dd', null, b.description)]),
    );
    if (!dialog.open) dialog.showModal();
  };
  document.getElementById('keys-close').addEventListener('click', () => dialog.close());
  document.getElementById('keys-open').addEventListener('click', open);
  bind('?', 'Show keyboard shortcuts', open);
  for (const view of views.filter((v) => v.nav)) {
    bind(`g ${view.nav.charAt(0).toLowerCase()}`, `Go to ${view.nav}`, () => navigate(view.route));
  }
}

buildNav();
renderSessionControl(document.getElementById('session'));
// A 401 outside a view's own sign-in flow (an expired session): offer to sign in again.
window.addEventListener('crateflow:auth-required', () => void askToSignIn());
theme();
installKeys();
keyHelp();
liveIndicator();
live.connect();
new Router(views, show).start();
