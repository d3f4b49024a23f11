// "/cart": the lines, the total, and placing the order.

import { call, newKey } from './api.js';
import * as cart from './cart.js';
import * as session from './session.js';
import { clearFieldErrors, h, heading, setAlert, showFieldErrors } from './dom.js';
import { describe } from './messages.js';
import { formatMoney } from './money.js';
import { loadProducts } from './products.js';
import { loadOrOfferRetry } from './view-catalogue.js';

// One checkout attempt = one Idempotency-Key, kept in sessionStorage with the lines it was made for, so a
// retry (a second click, a timeout, a reload of the page mid-request) sends the same key and the order
// service answers the first attempt's order instead of placing a second one. A changed cart is another
// attempt with a new key; a definite answer ends the attempt.
const ATTEMPT_KEY = 'meshshop.checkout';

function attemptFor(items) {
  const wanted = JSON.stringify(items);
  try {
    const stored = JSON.parse(sessionStorage.getItem(ATTEMPT_KEY));
    if (stored?.items === wanted && typeof stored.key === 'string') return stored.key;
  } catch {
    // A new attempt.
  }
  const key = newKey();
  sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify({ key, items: wanted }));
  return key;
}

function endAttempt() {
  sessionStorage.removeItem(ATTEMPT_KEY);
}

session.onChange(() => {
  if (!session.token()) endAttempt();
});

/** True while a placement is on its way: a second click then does nothing, whatever the button shows. */
let placing = false;

export async function cartView(context) {
  const { main, navigate, announce } = context;
  document.title = 'Your cart · meshshop';
  main.append(heading('Your cart'));
  const products = await loadOrOfferRetry(context, cartView, 'Loading your cart…', loadProducts);
  if (!products) return;
  const body = h('div', { class: 'stack' });
  main.append(body);

  const draw = () => {
    const lines = cart.lines();
    if (lines.length === 0) {
      body.replaceChildren(h('p', null, 'Your cart is empty. ', h('a', { href: '/' }, 'Browse the shop'), '.'));
      return;
    }
    const currency = products.bySku.get(lines[0].sku)?.currency ?? 'EUR';
    const total = h('p', { class: 'total' });
    const drawTotal = () => {
      const sum = cart.lines().reduce((acc, l) => acc + (products.bySku.get(l.sku)?.priceMinor ?? 0) * l.quantity, 0);
      total.replaceChildren('Total ', h('strong', { id: 'cart-total' }, formatMoney(sum, currency)));
    };
    const list = h('ul', { class: 'lines' }, lines.map((line, index) => {
      const product = products.bySku.get(line.sku);
      const name = product?.name ?? line.sku;
      const lineTotal = h('span', { class: 'line-total' });
      const drawLineTotal = (quantity) => {
        lineTotal.textContent = product ? formatMoney(product.priceMinor * quantity, product.currency) : '';
      };
      drawLineTotal(line.quantity);
      const quantityId = `quantity-${index}`;
      const quantity = h('input', {
        id: quantityId, name: `items[${index}].quantity`, type: 'number', inputmode: 'numeric',
        min: 1, max: cart.MAX_QUANTITY, value: line.quantity, class: 'quantity',
      });
      quantity.addEventListener('change', () => {
        const value = Math.round(Number(quantity.value));
        if (Number.isInteger(value) && value >= 1 && value <= cart.MAX_QUANTITY) {
          cart.setQuantity(line.sku, value);
          drawLineTotal(value);
          drawTotal();
        } else {
          quantity.value = String(cart.lines().find((l) => l.sku === line.sku)?.quantity ?? 1);
          announce(`Quantity must be between 1 and ${cart.MAX_QUANTITY}.`);
        }
      });
      return h('li', { class: 'line', 'data-sku': line.sku },
        h('div', { class: 'line-name' },
          h('strong', null, name),
          product ? h('span', { class: 'muted' }, ` ${formatMoney(product.priceMinor, product.currency)} each`)
            : h('span', { class: 'problem-text' }, ' No longer sold: remove it to order.')),
        h('div', { class: 'line-controls' },
          h('label', { for: quantityId }, 'Quantity', h('span', { class: 'visually-hidden' }, ` of ${name}`)),
          quantity,
          h('p', { class: 'field-error', id: `${quantityId}-error`, hidden: true }),
          h('button', {
            type: 'button', class: 'secondary',
            onclick: () => {
              cart.remove(line.sku);
              announce(`Removed ${name} from your cart.`);
              draw();
              (body.querySelector('button, a') ?? main.querySelector('h1'))?.focus();
            },
          }, 'Remove', h('span', { class: 'visually-hidden' }, ` ${name}`)),
          lineTotal));
    }));
    drawTotal();
    const alert = h('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
    let action;
    if (session.token()) {
      const button = h('button', { type: 'button', id: 'place-order', class: 'primary' }, 'Place order');
      button.addEventListener('click', () => placeOrder(button, alert, list, navigate));
      action = h('div', { class: 'stack' }, alert, button);
    } else {
      action = h('p', { class: 'notice' }, 'To place your order, ',
        h('a', { href: '/sign-in?next=/cart' }, 'sign in'), ' or ',
        h('a', { href: '/sign-up?next=/cart' }, 'create an account'), '.');
    }
    body.replaceChildren(list, total,
      h('p', { class: 'muted' }, 'The shop confirms the final price when you place the order.'), action);
  };
  draw();
}

async function placeOrder(button, alert, list, navigate) {
  if (placing) return;
  placing = true;
  button.disabled = true;
  button.textContent = 'Placing your order…';
  setAlert(alert, '');
  clearFieldErrors(list);
  const items = cart.lines().map(({ sku, quantity }) => ({ sku, quantity }));
  const key = attemptFor(items);
  try {
    const { data } = await call('POST', '/api/orders', { body: { items }, token: session.token(), idempotencyKey: key });
    endAttempt();
    cart.clear();
    navigate(`/orders/${data.id}`, { notice: 'Thank you: your order is placed.' });
  } catch (error) {
    if (error.status === 401) {
      // The same attempt continues after signing in again.
      session.signOut();
      navigate('/sign-in?next=/cart', { notice: 'Your session has ended. Sign in again to place your order.' });
      return;
    }
    if (error.name !== 'ApiError' || !error.retriable) endAttempt();
    const unplaced = showFieldErrors(list, error.fieldErrors ?? [], (field) => {
      const index = /^items\[(\d+)\]/.exec(field)?.[1];
      return index === undefined ? null : list.querySelector(`#quantity-${index}`);
    });
    const again = error.retriable ? ' Pressing “Place order” again continues this same order: it is never placed twice.' : '';
    setAlert(alert, describe(error) + (unplaced.length ? ` ${unplaced.join(' ')}` : '') + again);
    if (!error.fieldErrors?.length) alert.focus();
  } finally {
    placing = false;
    button.disabled = false;
    button.textContent = 'Place order';
  }
}
