// "/sign-up" and "/sign-in".

import { call, newKey } from './api.js';
import * as session from './session.js';
import { clearFieldErrors, field, h, heading, setAlert, showFieldErrors } from './dom.js';
import { describe } from './messages.js';

/** Where to go after signing in: a path on this site only, never another site. */
function safeNext(value) {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

/** A field's value (form.name would be the form's own name attribute, not the field). */
function valueOf(form, name) {
  return form.elements.namedItem(name).value;
}

function submitButton(text) {
  return h('button', { type: 'submit' }, text);
}

/** Disables the form's button while `work` runs, so one click is one request. */
async function busy(form, busyText, work) {
  const button = form.querySelector('button[type="submit"]');
  const text = button.textContent;
  button.disabled = true;
  button.textContent = busyText;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = text;
    form.removeAttribute('aria-busy');
  }
}

function showProblem(form, alert, error) {
  const unplaced = showFieldErrors(form, error.fieldErrors);
  const extra = unplaced.length ? ` ${unplaced.join(' ')}` : '';
  setAlert(alert, describe(error) + extra);
  if (!error.fieldErrors.length) alert.focus();
}

export function signUpView({ main, navigate, query }) {
  document.title = 'Create an account · meshshop';
  const next = safeNext(query.get('next'));
  const alert = h('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
  const form = h('form', { novalidate: true, class: 'stack', id: 'sign-up-form' },
    field({ label: 'Name', name: 'name', autocomplete: 'name' }),
    field({ label: 'E-mail address', name: 'email', type: 'email', autocomplete: 'email' }),
    field({
      label: 'Password', name: 'password', type: 'password', autocomplete: 'new-password',
      hint: 'At least 15 characters. Several words you will remember are a good choice.',
    }),
    alert,
    submitButton('Create account'));
  // One Idempotency-Key per attempt: a retry after a lost answer repeats the same sign-up; changing the
  // details starts a new attempt.
  let attemptKey = null;
  form.addEventListener('input', () => { attemptKey = null; });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy')) return;
    clearFieldErrors(form);
    setAlert(alert, '');
    const body = { name: valueOf(form, 'name').trim(), email: valueOf(form, 'email').trim(), password: valueOf(form, 'password') };
    attemptKey ??= newKey();
    await busy(form, 'Creating your account…', async () => {
      try {
        await call('POST', '/api/users', { body, idempotencyKey: attemptKey });
      } catch (error) {
        if (error.name !== 'ApiError' || !error.retriable) attemptKey = null;
        showProblem(form, alert, error);
        return;
      }
      attemptKey = null;
      try {
        await session.signIn(body.email, body.password);
      } catch (error) {
        navigate(`/sign-in?next=${encodeURIComponent(next)}`,
          { notice: `Your account was created, but signing in failed: ${describe(error)}` });
        return;
      }
      navigate(next, { notice: `Welcome, ${body.name}. Your account is ready and you are signed in.` });
    });
  });
  main.append(heading('Create an account'),
    h('p', null, 'Already have one? ', h('a', { href: `/sign-in?next=${encodeURIComponent(next)}` }, 'Sign in'), '.'),
    form);
}

export function signInView({ main, navigate, query }) {
  document.title = 'Sign in · meshshop';
  const next = safeNext(query.get('next'));
  const alert = h('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
  const form = h('form', { novalidate: true, class: 'stack', id: 'sign-in-form' },
    field({ label: 'E-mail address', name: 'email', type: 'email', autocomplete: 'username' }),
    field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' }),
    alert,
    submitButton('Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy')) return;
    clearFieldErrors(form);
    setAlert(alert, '');
    await busy(form, 'Signing in…', async () => {
      try {
        await session.signIn(valueOf(form, 'email').trim(), valueOf(form, 'password'));
      } catch (error) {
        showProblem(form, alert, error);
        return;
      }
      const name = session.customerName();
      navigate(next, { notice: name ? `Welcome back, ${name}. You are signed in.` : 'You are signed in.' });
    });
  });
  main.append(heading('Sign in'),
    h('p', null, 'New here? ', h('a', { href: `/sign-up?next=${encodeURIComponent(next)}` }, 'Create an account'), '.'),
    form);
}
