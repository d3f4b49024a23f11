// "/orders": the customer's orders, newest first.

import { call } from './api.js';
import * as session from './session.js';
import { h, heading } from './dom.js';
import { formatDate, formatMoney } from './money.js';
import { loadFailure } from './view-catalogue.js';
import { signInFirst, statusBadge } from './view-order.js';

export async function ordersView(context) {
  const { main, navigate, signal } = context;
  document.title = 'Your orders · meshshop';
  main.append(heading('Your orders'));
  if (signInFirst(main, 'your orders', '/orders')) return;
  const loading = h('p', { class: 'loading' }, 'Loading your orders…');
  main.append(loading);
  let orders;
  try {
    orders = (await call('GET', '/api/orders', { token: session.token(), signal })).data?.items ?? [];
  } catch (error) {
    if (error.status === 401) {
      session.signOut();
      navigate('/sign-in?next=/orders', { notice: 'Your session has ended. Please sign in again.' });
      return;
    }
    loading.replaceWith(loadFailure(error, () => {
      main.replaceChildren();
      ordersView(context);
    }));
    return;
  }
  if (orders.length === 0) {
    loading.replaceWith(h('p', null, 'You have no orders yet. ', h('a', { href: '/' }, 'Browse the shop'), '.'));
    return;
  }
  const items = (order) => {
    const count = order.items.reduce((n, line) => n + line.quantity, 0);
    return `${count} ${count === 1 ? 'item' : 'items'}`;
  };
  loading.replaceWith(h('ol', { class: 'orders', id: 'order-list' }, orders.map((order) => h('li', { class: 'order-card', 'data-order-id': order.id },
    h('h2', null, h('a', { href: `/orders/${order.id}` }, `Order of ${formatDate(order.createdAt)}`)),
    statusBadge(order),
    h('p', null, `${items(order)} · `, h('strong', null, formatMoney(order.totalMinor, order.currency)))))));
}
