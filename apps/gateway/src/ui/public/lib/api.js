/* The one way views talk to the gateway: same-origin fetch, JSON in and out, problem+json errors turned into
 * ApiError with a readable message. State-changing requests carry the credentials (see signIn) and the
 * CSRF token; a 401 announces `crateflow:auth-required` so the shell can ask the person to sign in. */

export const API = '/api/v1';
const TOKEN_KEY = 'crateflow.apiToken';
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

/** The API token kept for this tab (bearer fallback when no session cookie is in place). */
export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setStoredToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token is asked for each time */
  }
  window.dispatchEvent(new CustomEvent('crateflow:auth-changed'));
}

/** True when state-changing requests can be sent (a session or a token is present). */
export function signedIn() {
  return Boolean(storedToken() || cookie(CSRF_COOKIE));
}

/**
 * `api('/files?limit=10')`, `api('/scans', { method: 'POST', body: { path } })`.
 * `options.token` sends that token instead of the stored one (used to check a token before keeping it).
 */
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
    const token = options.token ?? storedToken();
    if (token) headers.Authorization = `Bearer ${token}`;
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
    if (res.status === 401 && !options.token) window.dispatchEvent(new CustomEvent('crateflow:auth-required'));
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
