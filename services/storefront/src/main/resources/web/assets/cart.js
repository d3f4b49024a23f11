// The cart lives in the browser (localStorage): lines of {sku, quantity}. Prices are never kept here; the
// page shows the catalogue's, and the order service prices the order itself.

const KEY = 'meshshop.cart';
export const MAX_QUANTITY = 100;
export const MAX_LINES = 50;
const listeners = new Set();

function valid(line) {
  return line && typeof line.sku === 'string' && Number.isInteger(line.quantity)
    && line.quantity >= 1 && line.quantity <= MAX_QUANTITY;
}

export function lines() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY));
    return Array.isArray(stored) ? stored.filter(valid).slice(0, MAX_LINES) : [];
  } catch {
    return [];
  }
}

function save(next) {
  localStorage.setItem(KEY, JSON.stringify(next));
  listeners.forEach((listener) => listener());
}

/** Adds `quantity` of `sku`; false when the cart is full or the line at its limit. */
export function add(sku, quantity = 1) {
  const current = lines();
  const line = current.find((l) => l.sku === sku);
  if (line) {
    if (line.quantity >= MAX_QUANTITY) return false;
    line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
  } else {
    if (current.length >= MAX_LINES) return false;
    current.push({ sku, quantity: Math.min(MAX_QUANTITY, quantity) });
  }
  save(current);
  return true;
}

export function setQuantity(sku, quantity) {
  save(lines().map((l) => (l.sku === sku ? { sku, quantity } : l)).filter(valid));
}

export function remove(sku) {
  save(lines().filter((l) => l.sku !== sku));
}

export function clear() {
  save([]);
}

export function count() {
  return lines().reduce((sum, l) => sum + l.quantity, 0);
}

export function onChange(listener) {
  listeners.add(listener);
}

// Another tab changed the cart.
window.addEventListener('storage', (event) => {
  if (event.key === KEY || event.key === null) listeners.forEach((listener) => listener());
});
