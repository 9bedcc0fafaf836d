import { chromium, type Page } from 'playwright-core';

const BASE = 'http://127.0.0.1:39200';
const SETUP = process.argv[2] ?? '';
const shot = (p: Page, n: string) => p.screenshot({ path: `/tmp/shots/${n}.png`, fullPage: true, animations: 'disabled' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
ctx.setDefaultTimeout(8000);
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
page.on('console', (m) => m.type() === 'error' && console.log('CONSOLE', m.text()));
async function step(name: string, fn: () => Promise<void>) {
  try { await fn(); console.log('ok', name); } catch (e) { console.log('FAIL', name, String(e).split('\n').slice(0, 3).join(' | ')); await shot(page, `fail-${name}`); }
}
await step('setup-notoken', async () => { await page.goto(`${BASE}/members`); await page.getByText('Open the setup link').waitFor(); await shot(page, 'a-setup-notoken'); });
await step('invite-notoken', async () => { await page.goto(`${BASE}/invite`); await page.getByText('This link is incomplete').waitFor(); await shot(page, 'a-invite-notoken'); });
await step('invite-badtoken', async () => { await page.goto(`${BASE}/invite#token=bad`); await page.getByText('This invitation cannot be used').waitFor(); await shot(page, 'a-invite-bad'); });
await step('setup-short', async () => {
  await page.goto(SETUP); await page.reload();
  await page.getByLabel('Your name').fill('Ada Admin'); await page.getByLabel('E-mail').fill('ada@example.com');
  await page.getByLabel('Password').fill('short'); await page.getByLabel('Organization name').fill('Acme Bands');
  await shot(page, 'b-setup-short');
  await page.getByLabel('Password').fill('password1234');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.waitForTimeout(800); await shot(page, 'b-setup-common');
  await page.getByLabel('Password').fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
});
await step('signin-wrong', async () => {
  await page.getByRole('button', { name: 'User menu' }).click(); await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByLabel('E-mail').fill('ada@example.com'); await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('switch', { name: 'Sign in to a specific organization' }).check().catch(async () => page.getByText('Sign in to a specific organization').click());
  await page.getByLabel('Organization', { exact: true }).fill('acme-bands');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').waitFor(); await shot(page, 'c-signin-wrong');
  await page.getByLabel('Password').fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
});
await step('profile', async () => {
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByLabel('Current password').fill('nope nope nope');
  await page.getByLabel('New password', { exact: true }).fill('another long passphrase 9');
  await page.getByLabel('Confirm new password').fill('another long passphrase 9');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForTimeout(800); await shot(page, 'd-profile-wrong-current');
  await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Ada Lovelace').first().waitFor(); await shot(page, 'd-profile-saved');
});
await step('settings', async () => {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Organization name').fill('Acme Bands GmbH');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.getByTestId('current-organization').filter({ hasText: 'Acme Bands GmbH' }).waitFor();
  await shot(page, 'e-settings');
});
await step('invite-invalid', async () => {
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('button', { name: 'Invite member' }).click();
  const d = page.getByRole('dialog', { name: 'Invite member' });
  await d.getByLabel('E-mail').fill('not-an-email');
  await d.getByRole('button', { name: 'Send invitation' }).click();
  await page.waitForTimeout(800); await shot(page, 'f-invite-invalid');
  await d.getByLabel('E-mail').fill('bob@example.com');
  await d.getByRole('textbox', { name: 'Roles' }).click();
  await shot(page, 'f-roles-dropdown');
  await page.getByRole('option', { name: /Auditor/ }).click();
  await d.getByLabel('E-mail').click();
  await d.getByRole('button', { name: 'Send invitation' }).click();
  const link = page.getByRole('dialog', { name: 'Send the invitation link' });
  const url = await link.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  await link.getByRole('button', { name: 'Done' }).click();
  const c2 = await browser.newContext(); const p2 = await c2.newPage(); await p2.goto(url);
  await p2.getByLabel('Your name').fill('Bob Auditor'); await p2.getByLabel('Choose a password').fill('bob has a long passphrase 1');
  await p2.getByRole('button', { name: /Join/ }).click(); await p2.getByRole('heading', { name: 'Welcome, Bob' }).waitFor();
  await p2.screenshot({ path: '/tmp/shots/f-bob-home.png', fullPage: true }); await c2.close();
  await page.reload();
  await page.getByRole('button', { name: 'Actions for Bob Auditor' }).click();
  await shot(page, 'g-member-menu');
  await page.getByRole('menuitem', { name: 'Change roles' }).click();
  await page.waitForTimeout(300); await shot(page, 'g-change-roles');
  await page.getByRole('dialog', { name: 'Change roles' }).getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Actions for Bob Auditor' }).click();
  await page.getByRole('menuitem', { name: 'Remove from organization' }).click();
  await shot(page, 'g-remove');
  await page.getByRole('button', { name: 'Remove member' }).click();
  await page.waitForTimeout(800); await shot(page, 'g-members-after');
});
await step('orgs', async () => {
  await page.getByRole('link', { name: 'Organizations' }).click();
  await page.getByRole('button', { name: 'Create organization' }).click();
  const d = page.getByRole('dialog', { name: 'Create organization' });
  await d.getByLabel('Name').fill('Globex');
  await d.getByLabel('Owner e-mail').fill('ada@example.com');
  await d.getByRole('button', { name: 'Create organization' }).click();
  const link = page.getByRole('dialog', { name: 'Send the invitation link' });
  const url = await link.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  await shot(page, 'h-org-invite'); await link.getByRole('button', { name: 'Done' }).click();
  await shot(page, 'h-orgs');
  await page.goto(url);
  await page.getByRole('heading', { name: 'Join Globex' }).waitFor(); await shot(page, 'h-accept-existing');
  await page.getByLabel('Your password').fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Join Globex' }).click();
  await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
  await page.getByRole('button', { name: /Switch organization/ }).click(); await shot(page, 'i-switcher');
  await page.getByRole('menuitem', { name: /Acme Bands GmbH/ }).click();
  await page.getByTestId('current-organization').filter({ hasText: 'Acme Bands GmbH' }).waitFor();
  await shot(page, 'i-switched');
});
await step('outbox', async () => {
  await page.getByRole('link', { name: 'Outbox' }).click();
  await page.getByRole('button', { name: /Show message/ }).first().click();
  await page.waitForTimeout(400); await shot(page, 'j-outbox');
});
await step('mobile', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: 'Members' }).click().catch(() => undefined);
  await page.goto(`${BASE}/members`); await page.waitForTimeout(800); await shot(page, 'k-mobile-members');
  await page.getByRole('button', { name: 'Toggle navigation' }).click(); await page.waitForTimeout(400); await shot(page, 'k-mobile-nav');
  await page.goto(`${BASE}/nope`); await page.waitForTimeout(500); await shot(page, 'k-notfound');
});
await browser.close();
