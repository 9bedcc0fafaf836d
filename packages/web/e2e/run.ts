/**
 * End-to-end test of the console against the real server and a real browser.
 *
 *   npm run build -w @custos/web && node --import tsx packages/web/e2e/run.ts
 *
 * Starts `custos serve` on a free port with a fresh data directory, drives Chromium through first-run
 * setup, sign-in, inviting a member, an API key's life and accepting the invitation as another person,
 * and prints `ok - <step>` / `not ok - <step>: <error>` lines, then `N passed, N failed`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
const OVERALL_TIMEOUT_MS = 120_000;
const SERVER_START_TIMEOUT_MS = 45_000;
const ACTION_TIMEOUT_MS = 10_000;

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery staple 42' };
const INVITEE = {
  name: 'Nina Member',
  email: 'new.member@example.com',
  password: 'purple elephant marching band 7',
};
const ORGANIZATION = 'Acme Bands';

interface Step {
  name: string;
  /** When a critical step fails, the steps after it cannot run. */
  critical?: boolean;
  run: () => Promise<void>;
}

interface State {
  server?: ChildProcess;
  serverOutput: string[];
  dataDir?: string;
  browser?: Browser;
  contexts: BrowserContext[];
  pageErrors: string[];
  baseUrl: string;
  setupUrl: string;
  inviteUrl: string;
}

const state: State = {
  serverOutput: [],
  contexts: [],
  pageErrors: [],
  baseUrl: '',
  setupUrl: '',
  inviteUrl: '',
};
let admin: Page | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the server and resolves with the setup link it prints on first start. */
async function startServer(): Promise<void> {
  const port = await freePort();
  state.dataDir = await mkdtemp(path.join(tmpdir(), 'custos-e2e-'));
  state.baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CUSTOS_PORT: String(port),
    CUSTOS_DATA_DIR: state.dataDir,
    CUSTOS_PUBLIC_URL: state.baseUrl,
    CUSTOS_LOG_LEVEL: 'info',
  };
  if (process.env.CUSTOS_E2E_DATABASE_URL) env.CUSTOS_DATABASE_URL = process.env.CUSTOS_E2E_DATABASE_URL;
  const server = spawn(process.execPath, ['packages/server/bin/custos.js', 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  state.server = server;

  state.setupUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no setup link printed within ${SERVER_START_TIMEOUT_MS / 1000} s`)),
      SERVER_START_TIMEOUT_MS,
    );
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        state.serverOutput.push(line);
        const match = /https?:\/\/\S+\/setup#token=[A-Za-z0-9_-]+/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      }
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})`));
    });
  });

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${state.baseUrl}/api/health`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('GET /api/health did not answer 200');
    await delay(200);
  }
}

async function newPage(): Promise<Page> {
  if (!state.browser) throw new Error('browser not started');
  const context = await state.browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  state.contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => state.pageErrors.push(error.message));
  return page;
}

function adminPage(): Page {
  if (!admin) throw new Error('the admin page is not open');
  return admin;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}

async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const steps: Step[] = [
  {
    name: 'server starts and prints the setup link',
    critical: true,
    run: async () => {
      await startServer();
      check(
        state.setupUrl.startsWith(state.baseUrl),
        `setup link ${state.setupUrl} is not on ${state.baseUrl}`,
      );
    },
  },
  {
    name: 'setup creates the administrator and the organization',
    critical: true,
    run: async () => {
      if (!state.browser) {
        state.browser = await chromium.launch({
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        });
      }
      admin = await newPage();
      const page = admin;
      await page.goto(state.setupUrl);
      await visible(page.getByRole('button', { name: 'Create administrator' }));
      await page.getByLabel('Your name').fill(ADMIN.name);
      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByLabel('Organization name').fill(ORGANIZATION);
      await shot(page, '01-setup');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await visible(page.getByTestId('current-organization').filter({ hasText: ORGANIZATION }));
      await visible(page.getByRole('heading', { name: 'Welcome, Ada' }));
      await shot(page, '02-home-after-setup');
    },
  },
  {
    name: 'sign out and sign in again',
    run: async () => {
      const page = adminPage();
      await page.getByRole('button', { name: 'User menu' }).click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await visible(page.getByRole('heading', { name: 'Sign in' }));
      check(new URL(page.url()).pathname === '/sign-in', `expected /sign-in, at ${page.url()}`);
      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await shot(page, '03-sign-in');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await visible(page.getByRole('heading', { name: 'Welcome, Ada' }));
      await visible(page.getByTestId('current-organization').filter({ hasText: ORGANIZATION }));
      await shot(page, '04-home');
    },
  },
  {
    name: 'invite a member and get the invitation link',
    run: async () => {
      const page = adminPage();
      await page.getByRole('link', { name: 'Members' }).click();
      await visible(page.getByRole('table', { name: 'Members' }).getByText(ADMIN.email));
      await page.getByRole('button', { name: 'Invite member' }).click();
      const dialog = page.getByRole('dialog', { name: 'Invite member' });
      await dialog.getByLabel('E-mail').fill(INVITEE.email);
      await visible(dialog.getByText('Member', { exact: true }));
      await shot(page, '05-invite-modal');
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      const linkDialog = page.getByRole('dialog', { name: 'Send the invitation link' });
      await visible(linkDialog);
      state.inviteUrl = await linkDialog.getByRole('textbox', { name: 'Invitation link' }).inputValue();
      check(state.inviteUrl.includes('/invite#token='), `unexpected invitation link: ${state.inviteUrl}`);
      await shot(page, '06-invite-link');
      await linkDialog.getByRole('button', { name: 'Done' }).click();
      await visible(page.getByRole('table', { name: 'Pending invitations' }).getByText(INVITEE.email));
      await shot(page, '07-members');
    },
  },
  {
    name: 'create an API key, see its secret once, revoke it',
    run: async () => {
      const page = adminPage();
      await page.getByRole('link', { name: 'API keys' }).click();
      await visible(page.getByRole('heading', { name: 'API keys' }));
      await page.getByRole('button', { name: 'Create API key' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Create API key' });
      await dialog.getByLabel('Name').fill('Band app');
      await dialog.getByRole('textbox', { name: 'Permissions' }).click();
      await dialog.getByRole('textbox', { name: 'Permissions' }).fill('audit:write');
      await page.getByRole('option', { name: /audit:write/ }).click();
      await dialog.getByLabel('Name').click();
      await shot(page, '08-create-api-key');
      await dialog.getByRole('button', { name: 'Create API key' }).click();
      const secretDialog = page.getByRole('dialog', { name: 'Copy your new API key' });
      await visible(secretDialog);
      const secret = await secretDialog.getByRole('textbox', { name: 'API key secret' }).inputValue();
      check(secret.startsWith('custos_'), `the secret does not start with custos_: ${secret.slice(0, 12)}…`);
      await visible(secretDialog.getByText('It will not be shown again'));
      await shot(page, '09-api-key-secret');
      await secretDialog.getByRole('button', { name: 'I have copied the key' }).click();
      const row = page.getByRole('row', { name: /Band app/ });
      await visible(row.getByText('Active'));
      await page.getByRole('button', { name: 'Revoke Band app' }).click();
      await page
        .getByRole('dialog', { name: 'Revoke API key' })
        .getByRole('button', { name: 'Revoke key' })
        .click();
      await visible(row.getByText('Revoked'));
      await shot(page, '10-api-key-revoked');
    },
  },
  {
    name: 'the invited person accepts and lands signed in',
    run: async () => {
      check(state.inviteUrl !== '', 'no invitation link (the invitation step failed)');
      const page = await newPage();
      await page.goto(state.inviteUrl);
      await visible(page.getByRole('heading', { name: `Join ${ORGANIZATION}` }));
      await page.getByLabel('Your name').fill(INVITEE.name);
      await page.getByLabel('Choose a password').fill(INVITEE.password);
      await shot(page, '11-accept-invitation');
      await page.getByRole('button', { name: `Join ${ORGANIZATION}` }).click();
      await visible(page.getByRole('heading', { name: 'Welcome, Nina' }));
      await visible(page.getByTestId('current-organization').filter({ hasText: ORGANIZATION }));
      await shot(page, '12-invitee-home');
    },
  },
];

async function cleanup(): Promise<void> {
  for (const context of state.contexts) await context.close().catch(() => undefined);
  await state.browser?.close().catch(() => undefined);
  const server = state.server;
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    server.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), delay(5000).then(() => false)]);
    if (!stopped) server.kill('SIGKILL');
  }
  if (state.dataDir) await rm(state.dataDir, { recursive: true, force: true }).catch(() => undefined);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal colours Playwright adds
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('Call log'));
  return lines.slice(0, 3).join(' | ');
}

/** What the console itself said when a step failed: its alerts and field errors. */
async function consoleMessages(page: Page): Promise<string[]> {
  const texts = await page
    .locator('[role="alert"], .mantine-InputWrapper-error')
    .allInnerTexts()
    .catch(() => []);
  return texts.map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

let passed = 0;
let failed = 0;

async function main(): Promise<number> {
  await mkdir(SCREENSHOTS, { recursive: true });
  let blocked = false;
  for (const step of steps) {
    if (blocked) {
      console.log(`not ok - ${step.name}: skipped, an earlier step failed`);
      failed++;
      continue;
    }
    try {
      await step.run();
      console.log(`ok - ${step.name}`);
      passed++;
    } catch (error) {
      console.log(`not ok - ${step.name}: ${describe(error)}`);
      failed++;
      blocked = step.critical === true;
      for (const [c, context] of state.contexts.entries()) {
        for (const [index, page] of context.pages().entries()) {
          await shot(page, `failed-${steps.indexOf(step) + 1}-${c}-${index}`).catch(() => undefined);
          for (const text of await consoleMessages(page)) console.log(`# the page says: ${text}`);
        }
      }
      if (state.pageErrors.length > 0) console.log(`# page errors:\n#   ${state.pageErrors.join('\n#   ')}`);
      if (blocked) console.log(`# last server output:\n#   ${state.serverOutput.slice(-25).join('\n#   ')}`);
      // Start the next step from a clean page rather than from whatever dialog this one left open.
      await admin?.goto(state.baseUrl).catch(() => undefined);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const overall = setTimeout(() => {
  // The running step and the ones after it count as failed.
  console.log(`not ok - the run did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
  console.log(`${passed} passed, ${steps.length - passed} failed`);
  void cleanup().finally(() => process.exit(1));
}, OVERALL_TIMEOUT_MS);

let exitCode = 1;
try {
  exitCode = await main();
} finally {
  await cleanup();
  clearTimeout(overall);
}
process.exit(exitCode);
