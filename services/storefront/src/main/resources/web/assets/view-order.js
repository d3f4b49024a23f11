// "/orders/{id}": one order. A PENDING (or CANCELLING) order is read again by itself, less and less often,
// until payment has given its answer; cancelling shows the refund.

import { call, newKey } from './api.js';
import * as session from './session.js';
import { h, heading, setAlert, sleep } from './dom.js';
import { describe } from './messages.js';
import { formatDate, formatMoney } from './money.js';
import { loadFailure } from './view-catalogue.js';

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 5000;
const SETTLING = new Set(['PENDING', 'CANCELLING']);
const CANCELLABLE = new Set(['PENDING', 'PAID']);

const LABELS = {
  PENDING: 'Payment pending',
  PAID: 'Paid',
  PAYMENT_DECLINED: 'Payment declined',
  CANCELLING: 'Cancelling',
  CANCELLED: 'Cancelled',
};

/** What the status means for the customer, in a sentence. */
function explanation(order) {
  switch (order.status) {
    case 'PENDING': return 'We are waiting for the payment to go through. This page updates by itself.';
    case 'PAID': return 'Your payment went through. Thank you!';
    case 'PAYMENT_DECLINED': return 'Your payment was declined, so nothing was charged and the order will not be sent.';
    case 'CANCELLING': return 'We are cancelling your order and returning any payment. This page updates by itself.';
    case 'CANCELLED': return order.refundId
      ? 'Your order is cancelled and your payment was refunded in full.'
      : 'Your order is cancelled. Nothing was charged.';
    default: return '';
  }
}

export function statusBadge(order) {
  const refunded = order.status === 'CANCELLED' && order.refundId ? ', refunded in full' : '';
  return h('p', { class: `badge-status status-${order.status.toLowerCase()}` }, `${LABELS[order.status] ?? order.status}${refunded}`);
}

/** A "sign in to see this" paragraph; true when it was drawn. */
export function signInFirst(main, what, path) {
  if (session.token()) return false;
  main.append(h('p', { class: 'notice' }, `Sign in to see ${what}. `,
    h('a', { href: `/sign-in?next=${encodeURIComponent(path)}` }, 'Sign in'), ' or ',
    h('a', { href: `/sign-up?next=${encodeURIComponent(path)}` }, 'create an account'), '.'));
  return true;
}

function cancelKeyName(id) {
  return `meshshop.cancel.${id}`;
}

export async function orderView(context) {
  const { main, params: [id], navigate, announce, signal } = context;
  document.title = 'Your order · meshshop';
  main.append(heading('Your order'));
  if (signInFirst(main, 'this order', `/orders/${id}`)) return;
  const loading = h('p', { class: 'loading' }, 'Loading your order…');
  main.append(loading);
  const sessionEnded = () => {
    session.signOut();
    navigate(`/sign-in?next=/orders/${id}`, { notice: 'Your session has ended. Please sign in again.' });
  };
  let order;
  try {
    order = (await call('GET', `/api/orders/${id}`, { token: session.token(), signal })).data;
  } catch (error) {
    if (error.status === 401) {
      sessionEnded();
      return;
    }
    loading.replaceWith(loadFailure(error, () => {
      main.replaceChildren();
      orderView(context);
    }));
    return;
  }

  const statusText = h('strong', { class: 'status-label' });
  const statusWords = h('span', { class: 'status-words' });
  // Polite: a status change is announced when it happens, without interrupting.
  const status = h('div', { class: 'order-status', id: 'order-status', role: 'status', 'aria-live': 'polite' },
    statusText, ' ', statusWords);
  const checking = h('p', { class: 'muted', id: 'order-checking' });
  const alert = h('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'cancel-order', hidden: true }, 'Cancel order');
  let polling = false;

  const update = (next) => {
    order = next;
    status.dataset.status = order.status;
    status.className = `order-status status-${order.status.toLowerCase()}`;
    const refunded = order.status === 'CANCELLED' && order.refundId ? ' — refunded in full' : '';
    const label = `${LABELS[order.status] ?? order.status}${refunded}.`;
    if (statusText.textContent !== label) {
      statusText.textContent = label;
      statusWords.textContent = explanation(order);
    }
    cancel.hidden = !CANCELLABLE.has(order.status);
    if (!SETTLING.has(order.status)) checking.textContent = '';
    if (SETTLING.has(order.status) && !polling) poll();
  };

  // Reads the order again until it settles or the view is left: 1 s, then 1.5 times longer each time, at
  // most 5 s apart, or as long as a 503's Retry-After asks.
  const poll = async () => {
    polling = true;
    let delay = FIRST_POLL_MS;
    try {
      while (SETTLING.has(order.status)) {
        await sleep(delay, signal);
        try {
          update((await call('GET', `/api/orders/${id}`, { token: session.token(), signal })).data);
          checking.textContent = SETTLING.has(order.status) ? `Last checked at ${new Date().toLocaleTimeString()}.` : '';
          delay = Math.min(MAX_POLL_MS, delay * 1.5);
        } catch (error) {
          if (error.name === 'AbortError') throw error;
          if (error.status === 401) {
            sessionEnded();
            return;
          }
          delay = Math.min(MAX_POLL_MS * 2, Math.max(delay * 1.5, (error.retryAfter ?? 0) * 1000));
          checking.textContent = `${describe(error)} We will check again by ourselves.`;
        }
      }
    } catch (error) {
      if (error?.name !== 'AbortError') throw error;
    } finally {
      polling = false;
    }
  };

  cancel.addEventListener('click', async () => {
    if (cancel.disabled) return;
    cancel.disabled = true;
    cancel.textContent = 'Cancelling…';
    setAlert(alert, '');
    // Its own Idempotency-Key, kept until the shop gave a definite answer, so a retry is the same cancel.
    let key = sessionStorage.getItem(cancelKeyName(id));
    if (!key) {
      key = newKey();
      sessionStorage.setItem(cancelKeyName(id), key);
    }
    try {
      const { data } = await call('POST', `/api/orders/${id}/cancel`, { token: session.token(), idempotencyKey: key });
      sessionStorage.removeItem(cancelKeyName(id));
      update(data);
      announce(explanation(data));
    } catch (error) {
      if (error.status === 401) {
        sessionEnded();
        return;
      }
      if (error.name !== 'ApiError' || !error.retriable) sessionStorage.removeItem(cancelKeyName(id));
      setAlert(alert, describe(error));
      alert.focus();
    } finally {
      cancel.disabled = false;
      cancel.textContent = 'Cancel order';
    }
  });

  const lines = h('ul', { class: 'lines' }, order.items.map((line) => h('li', { class: 'line' },
    h('div', { class: 'line-name' }, h('strong', null, line.name),
      h('span', { class: 'muted' }, ` ${line.quantity} × ${formatMoney(line.unitPriceMinor, order.currency)}`)),
    h('span', { class: 'line-total' }, formatMoney(line.lineTotalMinor, order.currency)))));
  loading.replaceWith(
    status,
    checking,
    h('dl', { class: 'facts' },
      h('dt', null, 'Placed'), h('dd', null, formatDate(order.createdAt)),
      h('dt', null, 'Order number'), h('dd', { class: 'order-id' }, order.id)),
    h('h2', null, 'Items'),
    lines,
    h('p', { class: 'total' }, 'Total ', h('strong', null, formatMoney(order.totalMinor, order.currency))),
    h('div', { class: 'actions' }, alert, cancel),
    h('p', null, h('a', { href: '/orders' }, 'All your orders')));
  update(order);
}
