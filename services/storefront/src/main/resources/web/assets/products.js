// The catalogue, fetched once per page load (it changes only with a release of order's migrations).

import { call } from './api.js';

let loading = null;

/** Resolves to {list, bySku}; a failure is not cached, so the next view tries again. */
export function loadProducts() {
  loading ??= call('GET', '/api/products').then(({ data }) => {
    const list = Array.isArray(data?.items) ? data.items : [];
    return { list, bySku: new Map(list.map((p) => [p.sku, p])) };
  }).catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}
