// "/": the catalogue.

import * as cart from './cart.js';
import { h, heading } from './dom.js';
import { describe } from './messages.js';
import { formatMoney } from './money.js';
import { loadProducts } from './products.js';

/** A problem box with a "Try again" button that draws the view again. */
export function loadFailure(error, retry) {
  return h('div', { class: 'alert problem', role: 'alert' },
    h('p', null, describe(error)),
    h('button', { type: 'button', class: 'secondary', onclick: retry }, 'Try again'));
}

/**
 * Shows `text` while `load()` runs. Resolves to its result; on a failure shows the problem with a
 * "Try again" that draws `view` again, and resolves to null.
 */
export async function loadOrOfferRetry(context, view, text, load) {
  const loading = h('p', { class: 'loading' }, text);
  context.main.append(loading);
  try {
    const result = await load();
    loading.remove();
    return result;
  } catch (error) {
    loading.replaceWith(loadFailure(error, () => {
      context.main.replaceChildren();
      view(context);
    }));
    return null;
  }
}

function initials(name) {
  return name.split(/\s+/).filter((w) => /^[A-Za-z]/.test(w)).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

export async function catalogue(context) {
  const { main, announce } = context;
  document.title = 'Shop · meshshop';
  main.append(heading('Shop'), h('p', { class: 'lead' }, 'Gear for people who run service meshes.'));
  const products = await loadOrOfferRetry(context, catalogue, 'Loading the catalogue…', loadProducts);
  if (!products) return;
  const list = h('ul', { class: 'products' }, products.list.map((product, index) => {
    const added = h('span', { class: 'added', hidden: true }, 'In your cart');
    return h('li', { class: 'product' },
      h('div', { class: `art art-${index % 6}`, 'aria-hidden': 'true' }, initials(product.name)),
      h('h2', null, product.name),
      h('p', { class: 'price' }, formatMoney(product.priceMinor, product.currency)),
      h('button', {
        type: 'button',
        'data-sku': product.sku,
        onclick: () => {
          if (cart.add(product.sku)) {
            added.hidden = false;
            announce(`Added ${product.name} to your cart. ${cart.count()} in your cart.`);
          } else {
            announce(`Your cart cannot take more of ${product.name}.`);
          }
        },
      }, 'Add ', h('span', { class: 'visually-hidden' }, `${product.name} `), 'to cart'),
      added);
  }));
  main.append(list, h('p', null, h('a', { href: '/cart', class: 'button-link' }, 'Go to your cart')));
}
