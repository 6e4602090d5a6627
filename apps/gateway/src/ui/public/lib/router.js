/* Hash routes: `#/files/:id?sort=bpm`. Each view declares its route pattern; the most specific match wins
 * (literal segments beat parameters). */

function compile(route) {
  const parts = route.replace(/^#/, '').split('/').filter(Boolean);
  return { parts, literals: parts.filter((p) => !p.startsWith(':')).length };
}

export function matchRoute(pattern, path) {
  const want = pattern.parts;
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

export class Router {
  /** `views`: objects with `route`; `onRoute(view, params, query)` is called on every change. */
  constructor(views, onRoute) {
    this.routes = views
      .map((view) => ({ view, pattern: compile(view.route) }))
      .sort((a, b) => b.pattern.literals - a.pattern.literals || b.pattern.parts.length - a.pattern.parts.length);
    this.onRoute = onRoute;
    this.listener = () => this.resolve();
  }

  start() {
    window.addEventListener('hashchange', this.listener);
    this.resolve();
  }

  /** The current hash split into path and query. */
  current() {
    const hash = location.hash.slice(1) || '/';
    const i = hash.indexOf('?');
    return { path: i < 0 ? hash : hash.slice(0, i), query: new URLSearchParams(i < 0 ? '' : hash.slice(i + 1)) };
  }

  resolve() {
    const { path, query } = this.current();
    for (const { view, pattern } of this.routes) {
      const params = matchRoute(pattern, path);
      if (params) return this.onRoute(view, params, query);
    }
    return this.onRoute(null, {}, query);
  }
}

/** Goes to a hash route; `replace` keeps the history entry (filters typed into a form). */
export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else location.hash = hash;
}
