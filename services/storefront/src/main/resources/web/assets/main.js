// The page's router: each address of the shop is a view, drawn into <main>. Links are ordinary links;
// clicks on them are caught and the view is drawn without reloading, so Back, Forward, reload, bookmarks
// and "open in new tab" all work as on any site.

import * as cart from './cart.js';
import * as session from './session.js';
import { h } from './dom.js';
import { catalogue } from './view-catalogue.js';
import { cartView } from './view-cart.js';
import { signInView, signUpView } from './view-account.js';
import { ordersView } from './view-orders.js';
import { orderView } from './view-order.js';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// Keep in step with PageHttpService.VIEWS, which serves the page at these addresses.
const ROUTES = [
  [/^\/$/, catalogue],
  [/^\/cart$/, cartView],
  [/^\/sign-in$/, signInView],
  [/^\/sign-up$/, signUpView],
  [/^\/orders$/, ordersView],
  [new RegExp(`^/orders/(${UUID})$`), orderView],
];

const main = document.getElementById('main');
const announcer = document.getElementById('announcer');
let current = null;
let pendingNotice = null;
let firstRender = true;

/** Says `text` to screen readers without moving focus. */
function announce(text) {
  announcer.textContent = '';
  // A fresh text node after a tick, so the same words twice are announced twice.
  setTimeout(() => { announcer.textContent = text; }, 50);
}

/** Goes to `path` (same origin); `notice` is shown at the top of the next view. */
function navigate(path, { replace = false, notice = null } = {}) {
  pendingNotice = notice;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function notFound({ main: target }) {
  document.title = 'Page not found · meshshop';
  target.append(h('h1', { tabindex: '-1' }, 'Page not found'),
    h('p', null, 'There is nothing at this address. ', h('a', { href: '/' }, 'Go to the shop'), '.'));
}

async function render() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = location.pathname;
  let view = notFound;
  let params = [];
  for (const [pattern, candidate] of ROUTES) {
    const match = pattern.exec(path);
    if (match) {
      view = candidate;
      params = match.slice(1);
      break;
    }
  }
  main.replaceChildren();
  const notice = pendingNotice;
  pendingNotice = null;
  const context = {
    main, params, navigate, announce, signal: controller.signal, query: new URLSearchParams(location.search),
  };
  // A view draws its heading before its first await, so the notice and the focus below find it.
  const drawn = Promise.resolve(view(context)).catch((error) => {
    if (error?.name !== 'AbortError') throw error;
  });
  if (notice) {
    const h1 = main.querySelector('h1');
    const box = h('p', { class: 'notice', role: 'status' }, notice);
    if (h1) h1.after(box); else main.prepend(box);
  }
  markCurrentLink(path);
  if (!firstRender) main.querySelector('h1')?.focus();
  firstRender = false;
  await drawn;
}

function markCurrentLink(path) {
  for (const link of document.querySelectorAll('.nav-list a')) {
    const href = link.getAttribute('href');
    const here = href === path || (href === '/orders' && path.startsWith('/orders/'));
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function drawCartCount() {
  const count = cart.count();
  document.getElementById('cart-count').textContent = String(count);
  document.getElementById('cart-count-words').textContent = count === 1 ? ' item' : ' items';
}

function drawAccount() {
  const slot = document.getElementById('nav-account');
  if (session.token()) {
    const name = session.customerName();
    slot.replaceChildren(h('button', {
      type: 'button',
      class: 'link-button',
      id: 'sign-out',
      onclick: () => {
        session.signOut();
        navigate('/', { notice: 'You are signed out.' });
      },
    }, 'Sign out', name ? h('span', { class: 'visually-hidden' }, ` ${name}`) : null));
    if (name) slot.prepend(h('span', { class: 'who' }, name));
  } else {
    slot.replaceChildren(h('a', { href: '/sign-in' }, 'Sign in'));
    markCurrentLink(location.pathname);
  }
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0
      || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.hash && url.pathname === location.pathname) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());
cart.onChange(drawCartCount);
session.onChange(drawAccount);
drawCartCount();
drawAccount();
render();
