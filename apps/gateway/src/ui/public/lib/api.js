/* The one way views talk to the gateway: same-origin fetch, JSON in and out, problem+json errors turned into
 * ApiError with a readable message. A person signs in once per browser with the API token (signIn); the
 * session cookie is HttpOnly, and every state-changing request echoes the session's CSRF token in
 * `X-CSRF-Token`. A 401 announces `crateflow:auth-required` so the shell can ask the person to sign in. */

export const API = '/api/v1';
const CSRF_COOKIE = 'crateflow_csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(problemText(problem, fallback));
    this.name = 'ApiError';
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

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return '';
}

/** True when this browser holds a session (the readable CSRF cookie comes with the HttpOnly session cookie). */
export function signedIn() {
  return Boolean(cookie(CSRF_COOKIE));
}

/** Signs this browser in with the API token: the gateway sets the session and CSRF cookies. */
export async function signIn(token) {
  await api('/session', { method: 'POST', body: { token }, anonymous: true });
  window.dispatchEvent(new CustomEvent('crateflow:auth-changed'));
}

export async function signOut() {
  try {
    await api('/session', { method: 'DELETE', anonymous: true });
  } finally {
    window.dispatchEvent(new CustomEvent('crateflow:auth-changed'));
  }
}

/** `api('/files?limit=10')`, `api('/scans', { method: 'POST', body: { path } })`. */
export async function api(path, options = {}) {
  const method = (options.method || 'GET').toUpperCase();
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let body = options.body;
  if (body !== undefined && !(typeof body === 'string') && !(body instanceof Blob)) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  if (!SAFE.has(method)) {
    const csrf = cookie(CSRF_COOKIE);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(`${API}${path}`, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, null, 'The gateway cannot be reached. Is Crateflow running?');
  }
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    if (res.status === 401 && !options.anonymous) window.dispatchEvent(new CustomEvent('crateflow:auth-required'));
    throw new ApiError(res.status, data, `${res.status} ${res.statusText}`);
  }
  return data;
}

let enumsPromise;
/** Filter choices from the API's own OpenAPI document, so the UI never drifts from what it accepts. */
export function loadEnums() {
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
