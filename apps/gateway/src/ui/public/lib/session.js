/* Signing in: one dialog for the whole page. Views call ensureSignedIn() before a state-changing action;
 * it resolves true once the person has signed in (or already was), false when they cancel. */
import { ApiError, signIn, signOut, signedIn } from './api.js';
import { clear, h, message, put } from './dom.js';

let pending = null;

function dialog() {
  return document.getElementById('signin-dialog');
}

export function ensureSignedIn() {
  if (signedIn()) return Promise.resolve(true);
  return askToSignIn();
}

/** Opens the sign-in dialog (also after a 401: the session expired or the token changed). */
export function askToSignIn() {
  const d = dialog();
  pending ??= new Promise((resolve) => {
    const form = document.getElementById('signin-form');
    const input = document.getElementById('signin-token');
    const status = document.getElementById('signin-message');
    const cancel = document.getElementById('signin-cancel');
    message(status, '');
    input.value = '';
    const done = (ok) => {
      form.removeEventListener('submit', submit);
      cancel.removeEventListener('click', onCancel);
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
      pending = null;
      resolve(ok);
    };
    const onCancel = () => done(false);
    async function submit(event) {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) {
        message(status, 'Enter the API token.', 'error');
        input.focus();
        return;
      }
      message(status, 'Signing in…');
      try {
        await signIn(token);
        done(true);
      } catch (e) {
        message(status, e instanceof ApiError && e.status === 401 ? 'That token is not valid.' : e.message, 'error');
        input.select();
      }
    }
    form.addEventListener('submit', submit);
    cancel.addEventListener('click', onCancel);
    d.addEventListener('cancel', onCancel);
    d.showModal();
    input.focus();
  });
  return pending;
}

/** The sign-in / sign-out control in the top bar. */
export function renderSessionControl(el) {
  const render = () => {
    put(
      clear(el),
      signedIn()
        ? h('button', { type: 'button', class: 'link', id: 'signout', onclick: () => void signOut() }, 'Sign out')
        : h('button', { type: 'button', class: 'link', id: 'signin', onclick: () => void askToSignIn() }, 'Sign in'),
    );
  };
  window.addEventListener('crateflow:auth-changed', render);
  window.addEventListener('crateflow:auth-required', () => {
    render();
  });
  render();
}
