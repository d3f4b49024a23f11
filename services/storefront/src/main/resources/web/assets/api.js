// Calls to the shop's API, always on this page's own origin (the ingress in the cluster, the storefront's
// forwarding in a local run): no CORS, no cookies. Every failure becomes an ApiError that says what the
// problem document said, so the views can put it in plain words (messages.js).

const PROBLEM_PREFIX = 'https://meshshop.dev/problems/';

export class ApiError extends Error {
  constructor({ status = 0, problem = null, retryAfter = null, network = false }) {
    super(problem?.title ?? (network ? 'network error' : `HTTP ${status}`));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
    this.network = network;
    this.type = typeof problem?.type === 'string' && problem.type.startsWith(PROBLEM_PREFIX)
      ? problem.type.slice(PROBLEM_PREFIX.length) : '';
  }

  /** The field errors of a validation problem: [{field, message}]. */
  get fieldErrors() {
    return Array.isArray(this.problem?.errors) ? this.problem.errors : [];
  }

  /**
   * True when the same request may simply be sent again later: nothing was decided (network failure,
   * 5xx, 503 + Retry-After, the same key still in flight, throttling). A write repeated with the same
   * Idempotency-Key then has at most one effect.
   */
  get retriable() {
    return this.network || this.status >= 500 || this.status === 429 || this.type === 'idempotency-in-flight';
  }
}

/** Seconds to wait from a Retry-After header (delay-seconds or an HTTP date), or null. */
export function retryAfterSeconds(value) {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.max(1, parseInt(trimmed, 10));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/**
 * A new Idempotency-Key. crypto.randomUUID exists only in secure contexts (HTTPS, localhost); over plain
 * HTTP to another host the same 122 random bits come from crypto.getRandomValues.
 */
export function newKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One API call. Resolves to {status, data, headers} for 2xx; rejects with ApiError otherwise, or with the
 * AbortError of `signal`.
 */
export async function call(method, path, { body, token, idempotencyKey, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  // A Structured Field string: a UUID may start with a digit, which a bare token may not.
  if (idempotencyKey) headers['Idempotency-Key'] = `"${idempotencyKey}"`;
  let response;
  let text;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError({ network: true });
  }
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError({
      status: response.status,
      problem: data && typeof data === 'object' ? data : null,
      retryAfter: retryAfterSeconds(response.headers.get('Retry-After')),
    });
  }
  return { status: response.status, data, headers: response.headers };
}
