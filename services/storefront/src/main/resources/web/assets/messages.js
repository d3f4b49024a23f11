// Problem documents in plain words. Branches on the problem's type, never on its title or detail.

function waitWords(seconds) {
  if (!seconds) return 'Try again in a moment.';
  return `Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

const BY_TYPE = {
  'email-taken': () => 'An account with this e-mail address already exists. Sign in instead, or use another address.',
  'invalid-credentials': () => 'That e-mail address and password do not match an account. Check both and try again.',
  'too-many-sign-in-attempts': (e) => `Too many failed sign-in attempts for this e-mail address. ${waitWords(e.retryAfter)}`,
  validation: () => 'Some details need your attention: see the messages beside them.',
  'malformed-json': () => 'The shop could not read that request. Please reload the page and try again.',
  unauthenticated: () => 'Your session has ended. Please sign in again.',
  forbidden: () => 'Your account is not allowed to do that.',
  'not-found': () => 'We could not find that. It may belong to another account, or it never existed.',
  'unknown-product': () => 'Something in your cart is no longer sold. Remove it and try again.',
  'unknown-user': () => 'Your account could not be found. Please sign in again.',
  'order-not-cancellable': () => 'This order can no longer be cancelled.',
  'idempotency-in-flight': (e) => `Your request is still being processed. ${waitWords(e.retryAfter)}`,
  'idempotency-key-reused': () => 'That request was already used for something else. Please start again.',
  'dependency-unavailable': (e) => `Part of the shop is not answering right now. ${waitWords(e.retryAfter)}`,
  'database-unavailable': (e) => `The shop cannot reach its records right now. ${waitWords(e.retryAfter)}`,
  'shutting-down': (e) => `The shop is restarting. ${waitWords(e.retryAfter)}`,
};

/** One sentence or two for an ApiError (or anything thrown), fit to show a person. */
export function describe(error) {
  if (!error || error.name !== 'ApiError') return 'Something went wrong in this page. Please reload it.';
  if (error.network) return 'We could not reach the shop. Check your connection, then try again.';
  const byType = BY_TYPE[error.type];
  if (byType) return byType(error);
  if (error.status === 429) return `Too many requests. ${waitWords(error.retryAfter)}`;
  if (error.status >= 500) return `Something went wrong on our side. ${waitWords(error.retryAfter)}`;
  const title = error.problem?.title;
  return title ? `${title}.` : `The shop refused that request (${error.status}).`;
}
