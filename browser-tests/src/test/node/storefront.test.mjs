// The storefront as a person uses it, against the real services (started by StorefrontBrowserTest).
// The flows run in order and share the browser; each shopper has a context of its own.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BASE, addToCart, assertAccessible, awaitStatus, control, goToCart, launch, newCustomer, ordersOf, screenshot,
  shopper, signIn, signOut, signUp,
} from './shop.mjs';

const FIRST_LOAD_BUDGET = 150 * 1024;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let browser;
const ada = newCustomer('Ada Lovelace');
let adaShop;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

describe('storefront', { concurrency: 1 }, () => {
  test('the first load is the catalogue, within 150 KB, with cacheable assets and strict headers', async (t) => {
    const { page, context, assertQuiet } = await shopper(browser);
    const responses = [];
    page.on('response', (response) => responses.push(response));
    await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
    await page.locator('.product').first().waitFor();
    let transferred = 0;
    for (const response of responses) {
      const sizes = await response.request().sizes();
      transferred += sizes.responseHeadersSize + sizes.responseBodySize;
    }
    t.diagnostic(`first load: ${transferred} bytes transferred in ${responses.length} responses`);
    assert.ok(transferred <= FIRST_LOAD_BUDGET, `first load ${transferred} bytes, over ${FIRST_LOAD_BUDGET}`);

    const documentResponse = responses.find((r) => r.request().resourceType() === 'document');
    const headers = await documentResponse.allHeaders();
    assert.equal(headers['content-security-policy'], CSP, 'CSP on the page');
    assert.equal(headers['x-content-type-options'], 'nosniff', 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer', 'Referrer-Policy');
    assert.equal(headers['cache-control'], 'no-cache', 'the page is revalidated');
    const assets = responses.filter((r) => new URL(r.url()).pathname.startsWith('/assets/'));
    assert.ok(assets.length >= 10, `the page's modules, style and icon: ${assets.length}`);
    for (const asset of assets) {
      assert.match(new URL(asset.url()).pathname, /^\/assets\/[a-z-]+\.[0-9a-f]{12}\.(js|css|svg)$/, 'content-hashed name');
      assert.equal((await asset.allHeaders())['cache-control'], 'public, max-age=31536000, immutable', asset.url());
    }
    assert.ok(responses.every((r) => new URL(r.url()).origin === new URL(BASE).origin), 'nothing from another origin');

    // Prices from minor units in the API's currency: MESH-MUG costs 1250 EUR minor units.
    await assert.doesNotReject(page.getByText('€12.50').first().waitFor(), 'the mug at €12.50');
    await assertAccessible(page, 'catalogue');
    await screenshot(page, 'catalogue');
    assertQuiet();
    await context.close();
  });

  test('keyboard: the skip link comes first and focus is always visible', async () => {
    const { page, context, assertQuiet } = await shopper(browser);
    await page.goto(`${BASE}/`);
    await page.locator('.product').first().waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link', 'first Tab: skip link');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused skip link shows a focus outline');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.closest('main') !== null);
    assert.ok(first, 'after the skip link, Tab moves into the main content');
    const outlineInMain = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outlineInMain, 'none', 'focus is visible in the content too');
    assertQuiet();
    await context.close();
  });

  test('sign up: field errors beside their fields, then the account is created and signed in', async () => {
    const { page, context, assertQuiet } = await shopper(browser);
    await page.goto(`${BASE}/sign-up`);
    await page.getByLabel('Name').fill(ada.name);
    await page.getByLabel('E-mail address').fill(ada.email);
    await page.getByLabel('Password', { exact: true }).fill('too short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const passwordError = page.locator('#field-password-error');
    await passwordError.waitFor();
    assert.ok((await passwordError.textContent()).length > 0, 'the password error is shown beside the password');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true', 'marked invalid');
    assert.match(await page.locator('#field-password').getAttribute('aria-describedby'), /field-password-error/,
      'the error is tied to the field for screen readers');
    assert.match(await page.getByRole('alert').first().textContent(), /need your attention/, 'summary in plain words');
    await assertAccessible(page, 'sign-up with field errors');
    await screenshot(page, 'sign-up-errors');

    await page.getByLabel('Password', { exact: true }).fill(ada.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(`Welcome, ${ada.name}.`).waitFor();
    await page.getByRole('button', { name: /^Sign out/ }).waitFor();
    assertQuiet();
    await context.close();
  });

  test('sign up with a taken e-mail says so', async () => {
    const { page, context, assertQuiet } = await shopper(browser);
    await page.goto(`${BASE}/sign-up`);
    await page.getByLabel('Name').fill('Ada Again');
    await page.getByLabel('E-mail address').fill(ada.email);
    await page.getByLabel('Password', { exact: true }).fill(ada.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('An account with this e-mail address already exists').waitFor();
    await assertAccessible(page, 'sign-up e-mail taken');
    assertQuiet();
    await context.close();
  });

  test('a wrong password says so; the right one signs in', async () => {
    adaShop = await shopper(browser);
    const { page } = adaShop;
    await page.goto(`${BASE}/sign-in`);
    await page.getByLabel('E-mail address').fill(ada.email);
    await page.getByLabel('Password', { exact: true }).fill(`${ada.password} wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That e-mail address and password do not match an account').waitFor();
    await assertAccessible(page, 'sign-in wrong password');
    await screenshot(page, 'sign-in-wrong-password');
    await signIn(page, ada);
    adaShop.assertQuiet();
  });

  test('add two products, check out, see PAID', async () => {
    const { page } = adaShop;
    await addToCart(page, 'MESH-MUG', 'PILOT-CAP');
    assert.equal(await page.locator('#cart-count').textContent(), '2', 'two items in the cart');
    await goToCart(page);
    assert.equal(await page.locator('#cart-total').textContent(), '€30.50', 'total of 12.50 + 18.00');
    await assertAccessible(page, 'cart');
    await screenshot(page, 'cart');
    await page.locator('#place-order').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await awaitStatus(page, 'PAID');
    assert.match(await page.locator('#order-status').textContent(), /Paid/, 'says Paid');
    assert.equal(await page.locator('#cart-count').textContent(), '0', 'the cart is empty after the order');
    await assertAccessible(page, 'order paid');
    await screenshot(page, 'order-paid');
    adaShop.assertQuiet();
  });

  test('the order history lists the order', async () => {
    const { page } = adaShop;
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.locator('#order-list').waitFor();
    assert.equal(await page.locator('#order-list > li').count(), 1, 'one order so far');
    assert.match(await page.locator('#order-list').textContent(), /Paid/, 'shown as paid');
    await assertAccessible(page, 'order history');
    await screenshot(page, 'orders');
    adaShop.assertQuiet();
  });

  test('cancelling a paid order shows the refund', async () => {
    const { page } = adaShop;
    await page.locator('#order-list a').first().click();
    await awaitStatus(page, 'PAID');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await awaitStatus(page, 'CANCELLED');
    assert.match(await page.locator('#order-status').textContent(), /refunded in full/, 'says refunded in full');
    assert.ok(await page.getByRole('button', { name: 'Cancel order' }).isHidden(), 'no second cancel');
    await assertAccessible(page, 'order cancelled');
    await screenshot(page, 'order-cancelled');
    adaShop.assertQuiet();
  });

  test('a declined payment is shown as declined', async () => {
    const { page } = adaShop;
    // 9 consulting days cost 1,080,000 minor units, above the simulated acquirer's 1,000,000 limit.
    await addToCart(page, 'CONSULTING-DAY');
    await goToCart(page);
    const quantity = page.getByLabel('Quantity of A day of service mesh consulting');
    await quantity.fill('9');
    await quantity.press('Tab');
    assert.equal(await page.locator('#cart-total').textContent(), '€10,800.00', 'nine days');
    await page.locator('#place-order').click();
    await awaitStatus(page, 'PAYMENT_DECLINED');
    assert.match(await page.locator('#order-status').textContent(), /declined/, 'says declined');
    await assertAccessible(page, 'order declined');
    await screenshot(page, 'order-declined');
    adaShop.assertQuiet();
  });

  test('a double click on "Place order" places exactly one order', async () => {
    const grace = newCustomer('Grace Hopper');
    const { page, context, assertQuiet } = await shopper(browser);
    await signUp(page, grace);
    await addToCart(page, 'MESH-MUG');
    await goToCart(page);
    await page.locator('#place-order').dblclick();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await awaitStatus(page, 'PAID');
    const orders = await ordersOf(page);
    assert.equal(orders.length, 1, `one order for a double click, the API lists ${orders.length}`);

    // A lost answer: the order is placed but the page never hears back. Trying again sends the same
    // Idempotency-Key, so the shop answers with that same order instead of placing another.
    await addToCart(page, 'SIDECAR-TEE');
    await goToCart(page);
    let sentKeys = [];
    await page.route('**/api/orders', async (route) => {
      sentKeys.push(route.request().headers()['idempotency-key']);
      if (sentKeys.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    await page.locator('#place-order').click();
    await page.getByText('We could not reach the shop').waitFor();
    assert.match(await page.getByRole('alert').first().textContent(), /never placed twice/, 'tells the person retrying is safe');
    await page.locator('#place-order').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await awaitStatus(page, 'PAID');
    assert.equal(sentKeys.length, 2, 'two attempts were sent');
    assert.equal(sentKeys[0], sentKeys[1], 'with the same Idempotency-Key');
    const after = await ordersOf(page);
    assert.equal(after.length, 2, `the retry after a lost answer added exactly one order: ${after.length}`);
    await page.unroute('**/api/orders');
    assertQuiet();
    await context.close();
  });

  test('while payment is stopped the order shows PENDING, then PAID once payment is back', async () => {
    const { page } = adaShop;
    await addToCart(page, 'MTLS-STICKERS');
    await goToCart(page);
    await control('payment', 'stop');
    try {
      await page.locator('#place-order').click();
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
      await awaitStatus(page, 'PENDING');
      assert.match(await page.locator('#order-status').textContent(), /Payment pending/, 'says pending');
      await assertAccessible(page, 'order pending');
      await screenshot(page, 'order-pending');
    } finally {
      await control('payment', 'start');
    }
    // Order's recovery re-sends the same charge (every second in this run); the page reads the order again
    // by itself until it settles.
    await awaitStatus(page, 'PAID', 60_000);
    adaShop.assertQuiet();
  });

  test('too many failed sign-ins say when to try again', async () => {
    const linus = newCustomer('Linus Pauling');
    const { page, context, assertQuiet } = await shopper(browser);
    await signUp(page, linus);
    await signOut(page);
    await page.goto(`${BASE}/sign-in`);
    await page.getByLabel('E-mail address').fill(linus.email);
    const alert = page.getByRole('alert').first();
    let text = '';
    for (let attempt = 1; attempt <= 8 && !/Too many/.test(text); attempt++) {
      await page.getByLabel('Password', { exact: true }).fill(`not the password ${attempt} at all`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
      text = await alert.textContent();
    }
    assert.match(text, /Too many failed sign-in attempts for this e-mail address\. Try again in \d+ seconds?\./,
      `throttling in plain words: "${text}"`);
    await assertAccessible(page, 'sign-in throttled');
    assertQuiet();
    await context.close();
  });

  test('a service that is down: "try again in N seconds"', async () => {
    const { page, context, assertQuiet } = await shopper(browser);
    await page.goto(`${BASE}/sign-in`);
    await control('user', 'stop');
    try {
      await page.getByLabel('E-mail address').fill(ada.email);
      await page.getByLabel('Password', { exact: true }).fill(ada.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(/Part of the shop is not answering right now\. Try again in 2 seconds\./).waitFor();
      await assertAccessible(page, 'sign-in service unavailable');
    } finally {
      await control('user', 'start');
    }
    assertQuiet();
    await context.close();
  });

  test('360 px wide: nothing scrolls sideways and every state stays accessible', async () => {
    const { page, context, assertQuiet } = await shopper(browser, { width: 360, height: 740 });
    await signIn(page, ada);
    const fits = async (state) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${state} is ${width} px wide at a 360 px viewport`);
      await assertAccessible(page, `${state} at 360 px`);
    };
    await page.goto(`${BASE}/`);
    await page.locator('.product').first().waitFor();
    await fits('catalogue');
    await screenshot(page, 'mobile-catalogue');
    await addToCart(page, 'ENVOY-HOODIE', 'MESH-MUG');
    await goToCart(page);
    await fits('cart');
    await screenshot(page, 'mobile-cart');
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.locator('#order-list').waitFor();
    await fits('order history');
    await page.locator('#order-list a').first().click();
    await page.locator('#order-status').waitFor();
    await fits('order');
    await screenshot(page, 'mobile-order');
    await signOut(page);
    await page.goto(`${BASE}/sign-up`);
    await fits('sign-up');
    assertQuiet();
    await context.close();
  });
});

after(async () => { await adaShop?.context.close(); });
