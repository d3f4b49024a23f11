// What the storefront suite needs besides its flows: the browser, one context per shopper with its
// console watched, axe scans, screenshots, sign-up and sign-in as a person does them, and the API as the
// customer's own token sees it.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import axe from 'axe-core';

export const BASE = required('STOREFRONT_URL');
const CONTROL = required('CONTROL_URL');
const SHOTS = required('SCREENSHOTS');
mkdirSync(SHOTS, { recursive: true });

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite through StorefrontBrowserTest (mvn verify)`);
  return value;
}

/** Debian's Chromium; never a browser of Playwright's own. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // Without the background-networking flags Chromium tries Google's hosts, which this machine refuses.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/**
 * A new shopper: a browser context of its own (its own localStorage and sessionStorage) and page. Console
 * errors other than failed HTTP answers (which the error flows provoke on purpose), uncaught errors and
 * every Content-Security-Policy violation are collected; `assertQuiet` fails on any.
 */
export async function shopper(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.setDefaultTimeout(15_000);
  return {
    context,
    page,
    assertQuiet() {
      assert.deepEqual(problems, [], 'the page logged errors or CSP violations');
    },
  };
}

/** Runs axe-core in the page; no serious or critical violation may be found in this state. */
export async function assertAccessible(page, state) {
  // Evaluated through the DevTools protocol, which the page's CSP does not restrict; a <script> tag would be.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axe.source);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [],
    `axe-core found serious or critical violations in state "${state}"`);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A unique address and a password the user service accepts (15+ characters, not a common one). */
export function newCustomer(name) {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return { name, email: `${name.split(' ')[0].toLowerCase()}.${id}@example.com`, password: `Lantern orchid ${id} river` };
}

export async function signUp(page, customer) {
  await page.goto(`${BASE}/sign-up`);
  await page.getByLabel('Name').fill(customer.name);
  await page.getByLabel('E-mail address').fill(customer.email);
  await page.getByLabel('Password', { exact: true }).fill(customer.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText(`Welcome, ${customer.name}.`).waitFor();
}

export async function signIn(page, customer) {
  await page.goto(`${BASE}/sign-in`);
  await page.getByLabel('E-mail address').fill(customer.email);
  await page.getByLabel('Password', { exact: true }).fill(customer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /^Sign out/ }).waitFor();
}

export async function signOut(page) {
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await page.getByText('You are signed out.').waitFor();
}

/** The customer's access token, where the page keeps it. */
export function tokenOf(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('meshshop.session')).accessToken);
}

/** GET /api/orders with the customer's token: the orders as the API sees them. */
export async function ordersOf(page) {
  const response = await fetch(`${BASE}/api/orders`, { headers: { Authorization: `Bearer ${await tokenOf(page)}` } });
  assert.equal(response.status, 200, 'GET /api/orders with the customer token');
  return (await response.json()).items;
}

/** From the catalogue: one more of each SKU, by its button. */
export async function addToCart(page, ...skus) {
  if (!page.url().endsWith('/') || !(await page.locator('.products').isVisible())) {
    await page.getByRole('link', { name: 'Shop', exact: true }).click();
  }
  for (const sku of skus) await page.locator(`button[data-sku="${sku}"]`).click();
}

export async function goToCart(page) {
  await page.locator('#nav-cart').click();
  await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
}

/** Waits until the order page shows `status` (it reads the order again by itself while it settles). */
export async function awaitStatus(page, status, timeout = 15_000) {
  await page.locator(`#order-status[data-status="${status}"]`).waitFor({ timeout });
}

export async function control(service, action) {
  const response = await fetch(`${CONTROL}/services/${service}/${action}`, { method: 'POST' });
  assert.equal(response.status, 204, `${action} ${service}: ${await response.text()}`);
}
