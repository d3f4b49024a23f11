// The signed-in customer's access token.
//
// Kept in sessionStorage: it survives a reload of the tab and is gone when the tab closes, and it is sent
// only where this code puts it (an Authorization header), never by the browser on its own. Cookies would be
// sent with every request to the origin, cross-site ones included, and need CSRF defences; the API accepts
// only Bearer headers, so there is no CSRF surface. The cost is that a script running in the page could
// read it: the Content-Security-Policy (scripts from this origin only, no inline script) is what keeps
// foreign scripts out, and the token lives 15 minutes at most.

import { call } from './api.js';

const KEY = 'meshshop.session';
/** Treat the token as expired this long before it is, so a call is not refused on the way. */
const EXPIRY_MARGIN_MS = 10_000;
const listeners = new Set();

function read() {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY));
    if (session && typeof session.accessToken === 'string' && typeof session.expiresAt === 'number') return session;
  } catch {
    // Unreadable: as if signed out.
  }
  return null;
}

function write(session) {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  listeners.forEach((listener) => listener());
}

/** The access token, or null when signed out or expired. */
export function token() {
  const session = read();
  if (!session) return null;
  if (Date.now() >= session.expiresAt - EXPIRY_MARGIN_MS) {
    write(null);
    return null;
  }
  return session.accessToken;
}

/** The signed-in customer's name (for the header), or null. */
export function customerName() {
  return token() ? read()?.name ?? null : null;
}

/** POST /api/sessions, then GET /api/users/me for the name. Rejects with the ApiError of the sign-in. */
export async function signIn(email, password) {
  const { data } = await call('POST', '/api/sessions', { body: { email, password } });
  const expiresInMs = (Number(data.expiresIn) || 900) * 1000;
  const session = { accessToken: data.accessToken, expiresAt: Date.now() + expiresInMs, name: null };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  try {
    const me = await call('GET', '/api/users/me', { token: session.accessToken });
    session.name = typeof me.data?.name === 'string' ? me.data.name : null;
  } catch {
    // The name only decorates the header; the token is what matters.
  }
  write(session);
}

/** Forgets the token. The token itself stays valid until it expires (at most 15 minutes). */
export function signOut() {
  write(null);
}

export function onChange(listener) {
  listeners.add(listener);
}
