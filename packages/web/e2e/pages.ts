/**
 * Every page of the console, visited the same way at a desktop width and at a phone's: one h1, the
 * skip link working, no serious or critical axe finding, and a screenshot of each at both widths
 * (`page-<name>-1440.png`, `page-<name>-390.png`). A page added to the console is added here, so it
 * cannot regress accessibility unseen.
 */
import type { Page } from 'playwright-core';

export interface ConsolePage {
  /** File-name part of its screenshots. */
  name: string;
  path: string;
  /** Pages the issue requires to fit a phone without sideways scrolling (rows become cards). */
  mustFitPhone?: boolean;
}

/**
 * `privacyRequestId`: a privacy request to open as `privacy-request`; without one that page is left
 * out, so pass one (e.g. a request the run opened through the SDK) to cover it.
 */
export function consolePages(attackEventId: string, privacyRequestId?: string): ConsolePage[] {
  return [
    { name: 'overview', path: '/', mustFitPhone: true },
    { name: 'security-events', path: '/security/events', mustFitPhone: true },
    { name: 'security-event', path: `/security/events/${attackEventId}` },
    { name: 'responses', path: '/security/responses' },
    { name: 'detection', path: '/security/detection' },
    { name: 'alert-channels', path: '/security/alerts' },
    { name: 'alert-deliveries', path: '/security/alerts/deliveries' },
    { name: 'members', path: '/members' },
    { name: 'api-keys', path: '/api-keys' },
    { name: 'audit', path: '/audit', mustFitPhone: true },
    { name: 'audit-settings', path: '/audit/settings' },
    { name: 'sessions', path: '/sessions' },
    { name: 'settings', path: '/settings' },
    { name: 'security-policy', path: '/settings/security' },
    { name: 'roles', path: '/access/roles' },
    { name: 'access-rules', path: '/access/rules' },
    { name: 'privacy-requests', path: '/privacy/requests', mustFitPhone: true },
    ...(privacyRequestId ? [{ name: 'privacy-request', path: `/privacy/requests/${privacyRequestId}` }] : []),
    { name: 'privacy-data-map', path: '/privacy/data-map' },
    { name: 'profile', path: '/profile' },
    { name: 'my-security', path: '/security/me' },
    { name: 'organizations', path: '/admin/organizations' },
    { name: 'users', path: '/admin/users' },
    { name: 'outbox', path: '/admin/outbox' },
    { name: 'not-found', path: '/no/such/page' },
  ];
}

export const WIDTHS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;

/** Opens a page and waits until it has drawn its heading and its data (no loader or skeleton left). */
export async function openConsolePage(page: Page, baseUrl: string, path: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.locator('main h1').first().waitFor({ state: 'visible' });
  await page
    .waitForFunction(
      () => document.querySelectorAll('main .mantine-Skeleton-root, main .mantine-Loader-root').length === 0,
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
}

/**
 * How many CSS pixels the page is wider than the viewport, or (with `tables`) any table inside its
 * scrolling box: 0 when nothing scrolls sideways.
 */
export function sidewaysOverflow(page: Page, tables = false): Promise<number> {
  return page.evaluate((withTables) => {
    const root = document.documentElement;
    const boxes = withTables ? [...document.querySelectorAll('main .custos-table-scroll')] : [];
    return Math.max(root.scrollWidth - root.clientWidth, ...boxes.map((b) => b.scrollWidth - b.clientWidth));
  }, tables);
}

/** The page's h1 texts. */
export function headingsOfLevelOne(page: Page): Promise<string[]> {
  return page.locator('h1').allInnerTexts();
}

/** The first Tab reaches the skip link, and following it puts focus in the main region. */
export async function skipLinkWorks(page: Page): Promise<boolean> {
  await page.locator('body').focus();
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  if (first !== 'Skip to content') return false;
  await page.keyboard.press('Enter');
  return page.evaluate(() => document.activeElement?.id === 'main-content');
}
