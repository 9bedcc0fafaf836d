/**
 * End-to-end test of the console against the real server and a real browser.
 *
 *   npm run build -w @custos/web && node --import tsx packages/web/e2e/run.ts
 *
 * Starts `custos serve` on a free port with a fresh data directory, drives Chromium through first-run
 * setup, sign-in, inviting a member, an API key's life, accepting the invitation as another person and
 * the audit log (search, filters in the URL, an event's proof, live tail, export, saved searches,
 * retention, erasure, the browser's check of the log against the checkpoint it remembers and its
 * warning for a forged one, a read-only role), access control (host-app permissions in the roles matrix, a
 * custom role created, granted, renamed and deleted; the time zone, an IP allow list, the rule tester
 * and the lockout safeguard), sign-in hardening (an authenticator app enrolled from its
 * setup key, a passkey on a virtual authenticator, sign-in with password and code and with the passkey
 * alone, the security policy, ending a member's sessions, step-up, impersonation, the MFA enrolment
 * banner), and threat detection (the security overview under a brute-force attack, triage of the event,
 * lifting its lock and blocking an IP by hand, a detector's threshold, a webhook alert channel whose
 * signed test message and replay reach a local receiver), and, last, tampering with the database as
 * someone with write access to it would (an event's body edited and another's emptied, then the
 * log rolled back): the events flagged altered and purged, the server's red integrity alarm on every
 * page with its critical security event, and the browser forgetting its checkpoint. It prints `ok - <step>` /
 * `not ok - <step>: <error>` lines, then `N passed, N failed`. Screenshots go to `e2e/screenshots`, or to `CUSTOS_E2E_SCREENSHOTS`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CustosClient } from '@custos/sdk';
import type { RoleCatalog } from '@custos/shared';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import {
  type Browser,
  type BrowserContext,
  type CDPSession,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import {
  formatCheckpoint,
  generateSignerKey,
  parseSignerKey,
  signNote,
} from '../../server/src/platform/crypto/signed-note';
import { openDatabase } from '../../server/src/platform/db/database';
import type { DB } from '../../server/src/platform/db/schema';
import { editBody, headSize, nullBody, rollBack } from '../../server/test/audit-tamper';
import {
  consolePages,
  headingsOfLevelOne,
  openConsolePage,
  sidewaysOverflow,
  skipLinkWorks,
  WIDTHS,
} from './pages';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCREENSHOTS = process.env.CUSTOS_E2E_SCREENSHOTS ?? path.join(import.meta.dirname, 'screenshots');
const OVERALL_TIMEOUT_MS = 600_000;
/**
 * While developing: `CUSTOS_E2E_STEPS=<regex>` runs only the steps whose names match (and the
 * critical ones they need). Skipped steps are not counted; the full run is what CI judges.
 */
const ONLY_STEPS = process.env.CUSTOS_E2E_STEPS ? new RegExp(process.env.CUSTOS_E2E_STEPS) : null;
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
  /** Where the browser opens the console: `localhost`, because WebAuthn refuses IP addresses as relying party. */
  baseUrl: string;
  /** Where Node talks to the server (health check, SDK): the address it listens on. */
  apiUrl: string;
  setupUrl: string;
  inviteUrl: string;
  /** The administrator through the SDK, with a bearer token: triggers events from outside the browser. */
  api?: CustosClient;
  /** A host app's API key (audit:write) sending its own events. */
  host?: CustosClient;
  /** The event the host app sent while the live tail was on. */
  hostEventId: string;
  /** The administrator's authenticator app, once enrolled on My security. */
  totp?: TOTP;
  /** The last TOTP time step used: the server refuses a step at or before it (replay). */
  totpStep: number;
  /** The virtual authenticator holding the administrator's passkey. */
  authenticator?: { cdp: CDPSession; id: string };
  /** When the administrator last signed in, which is also a verification for sensitive actions. */
  signedInAt: number;
  /** A local webhook receiver standing in for a SIEM: the alert channel posts to it. */
  receiver?: Server;
  receiverUrl: string;
  /** What the receiver was sent, in order. */
  received: ReceivedWebhook[];
  /** The brute-force event the attack raised. */
  attackEventId: string;
  /** The privacy request made on the public page. */
  privacyRequestId: string;
  /** The server's checkpoint signing key, handed to it here so the history check can forge a checkpoint. */
  signingKey: string;
}

interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

const state: State = {
  serverOutput: [],
  contexts: [],
  pageErrors: [],
  baseUrl: '',
  apiUrl: '',
  setupUrl: '',
  inviteUrl: '',
  hostEventId: '',
  totpStep: 0,
  signedInAt: 0,
  receiverUrl: '',
  received: [],
  attackEventId: '',
  privacyRequestId: '',
  signingKey: '',
};
let admin: Page | undefined;
let invitee: Page | undefined;

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
  state.baseUrl = `http://localhost:${port}`;
  state.apiUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CUSTOS_PORT: String(port),
    CUSTOS_DATA_DIR: state.dataDir,
    CUSTOS_PUBLIC_URL: state.baseUrl,
    CUSTOS_LOG_LEVEL: 'info',
    // One proxy hop is trusted, so the attack below can come "from" its own address; requests
    // without X-Forwarded-For (the browser's) still count from the socket address.
    CUSTOS_TRUST_PROXY: '1',
    // The webhook receiver listens on 127.0.0.1, which is refused otherwise.
    CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    CUSTOS_ALERT_RETRY_SECONDS: '0.2,0.5',
  };
  // Known to the harness, which signs a checkpoint of a history the log never had (as if the log had
  // been rewritten after the browser saw it) to check the console's warning.
  state.signingKey =
    process.env.CUSTOS_AUDIT_SIGNING_KEY ?? generateSignerKey(`localhost:${port}/custos-audit`).signerKey;
  env.CUSTOS_AUDIT_SIGNING_KEY = state.signingKey;
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
      const response = await fetch(`${state.apiUrl}/api/health`);
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

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** WCAG 2.1 AA through axe-core on what the page shows now: serious or critical findings fail the step. */
async function expectAccessible(page: Page, what: string, include?: string): Promise<void> {
  // Evaluated through the DevTools protocol: the console's CSP (rightly) refuses injected script tags.
  await page.evaluate(await readFile(AXE_SOURCE, 'utf8'));
  const violations = await page.evaluate(
    async (scope: { include: string | null }) => {
      const axe = (
        window as unknown as {
          axe: { run: (context: object, options: object) => Promise<{ violations: AxeViolation[] }> };
        }
      ).axe;
      const result = await axe.run(scope.include ? { include: [scope.include] } : document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3),
      }));
    },
    { include: include ?? null },
  );
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    const list = serious.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    );
    throw new Error(
      `axe found ${serious.length} serious or critical problem(s) on ${what}:\n${list.join('\n')}`,
    );
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}

/** What the viewport shows, for a page scrolled to a field (a full-page shot repeats the fixed header). */
async function viewShot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** The whole of a drawer or modal, which a full-page screenshot cuts at the viewport: a tall viewport. */
async function tallShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 2000 });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
  if (size) await page.setViewportSize(size);
}

/**
 * How many rows a list shows once it has stopped changing (a new search remounts the list, so rows
 * seen right after the URL changed may be the old search's).
 */
async function settledCount(page: Page, rows: Locator): Promise<number> {
  let last = -1;
  for (let tries = 0; tries < 40; tries++) {
    const count = await rows.count();
    if (count > 0 && count === last) return count;
    last = count;
    await page.waitForTimeout(200);
  }
  return last;
}

/** Shows the audit log's precise filters (Action, Actor id, …) when they are folded away. */
async function unfoldFilters(page: Page): Promise<void> {
  const more = page.getByRole('button', { name: 'More filters' });
  if (await more.isVisible()) await more.click();
}

/** The accessible label of what has keyboard focus. */
function focusedLabel(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
}

async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function waitForUrl(page: Page, test: (url: URL) => boolean, what: string): Promise<void> {
  await page
    .waitForURL((url) => test(url), { timeout: ACTION_TIMEOUT_MS })
    .catch(() => {
      throw new Error(`expected ${what}, at ${page.url()}`);
    });
}

/** The administrator signed in through the SDK, and a host app's API key: events from outside the page. */
async function sdkClients(): Promise<{ api: CustosClient; host: CustosClient }> {
  if (!state.api || !state.host) {
    const api = new CustosClient({ baseUrl: state.apiUrl });
    await api.auth.signIn({ email: ADMIN.email, password: ADMIN.password, tokenType: 'bearer' });
    const key = await api.apiKeys.create({ name: 'Gig app', permissions: ['audit:write'] });
    state.api = api;
    state.host = new CustosClient({ baseUrl: state.apiUrl, token: key.secret });
  }
  return { api: state.api, host: state.host };
}

/** The rows of the audit log table. */
function auditRows(page: Page): Locator {
  return page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
}

/** Makes sure a step starts on the audit log, whatever the step before it left open. */
async function onAuditLog(page: Page): Promise<void> {
  if (new URL(page.url()).pathname !== '/audit') await page.goto(`${state.baseUrl}/audit`);
  await visible(auditRows(page));
}

async function openAuditLog(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Audit log' }).click();
  await visible(page.getByRole('heading', { name: 'Audit log' }));
  await visible(auditRows(page));
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
      await dialog.getByRole('textbox', { name: 'E-mail' }).fill(INVITEE.email);
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
      invitee = page;
    },
  },
  ...auditSteps(),
  // A second invitation, by keyboard: after the audit steps, which read this run's first one.
  {
    name: 'an invitation by keyboard alone: Enter in the roles picker adds the typed role and sends nothing',
    run: async () => {
      const page = adminPage();
      const email = 'keyboard.auditor@example.com';
      await page.goto(`${state.baseUrl}/members`);
      await page.getByRole('button', { name: 'Invite member' }).click();
      const dialog = page.getByRole('dialog', { name: 'Invite member' });
      await dialog.getByRole('textbox', { name: 'E-mail' }).fill(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Audi');
      await page.keyboard.press('Enter');
      await visible(dialog.getByText('Auditor', { exact: true }));
      check(await dialog.isVisible(), 'Enter in the roles picker sent the invitation');
      await dialog.getByRole('button', { name: 'Send invitation' }).focus();
      await page.keyboard.press('Enter');
      const linkDialog = page.getByRole('dialog', { name: 'Send the invitation link' });
      await afterStepUpWithPasskey(page, linkDialog);
      await linkDialog.getByRole('button', { name: 'Done' }).click();
      const row = page
        .getByRole('table', { name: 'Pending invitations' })
        .getByRole('row')
        .filter({ hasText: email });
      await visible(row.getByText('Auditor'));
    },
  },
  ...accessSteps(),
  ...securitySteps(),
  // The attack locks an account and the steps block an IP, which must not disturb the others.
  ...threatSteps(),
  ...privacySteps(),
  // Every page at 1440 and 390 wide, with the data the steps above left: before the tampering, whose
  // alarm would sit on every page.
  pageSweepStep(),
  // Last of all: the organization's log stays broken once rolled back.
  ...tamperSteps(),
];

/** The newest mail to `to` whose subject matches, as the signed-in super admin reads the outbox. */
async function mailTo(to: string, subject: RegExp): Promise<string> {
  const deadline = Date.now() + ACTION_TIMEOUT_MS;
  for (;;) {
    const res = await adminPage().request.get(`${state.baseUrl}/api/v1/admin/outbox`);
    const { messages } = (await res.json()) as {
      messages: { to: string; subject: string; text: string | null }[];
    };
    const mail = messages.find((m) => m.to === to && subject.test(m.subject));
    if (mail?.text) return mail.text;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} about ${subject}`);
    await delay(200);
  }
}

/** A person's request from the public page to its completion by the privacy officer; the data map. */
function privacySteps(): Step[] {
  const VISITOR = { email: 'val.visitor@example.com', name: 'Val Visitor' };
  return [
    {
      name: 'a person asks for their data on the public page, confirms with the e-mailed code and is told the due date',
      run: async () => {
        // The slug the setup gave the organization; the outbox is read as the signed-in super admin.
        const slug = ORGANIZATION.toLowerCase().replace(/\s+/g, '-');
        const outbox = async () =>
          (await (await adminPage().request.get(`${state.baseUrl}/api/v1/admin/outbox`)).json()) as {
            messages: { to: string; subject: string; text: string | null }[];
          };
        const page = await newPage();
        await page.goto(`${state.baseUrl}/privacy/${slug}/request`);
        await visible(page.getByRole('heading', { level: 1, name: `Privacy request to ${ORGANIZATION}` }));
        await page
          .getByRole('radiogroup', { name: 'What would you like to ask for?' })
          .getByRole('radio', { name: 'Access' })
          .check();
        await page.getByRole('textbox', { name: 'Your e-mail' }).fill(VISITOR.email);
        await page.getByRole('textbox', { name: 'Your name (optional)' }).fill(VISITOR.name);
        await shot(page, '70-privacy-public-request');
        await page.getByRole('button', { name: 'Send request' }).click();
        await visible(page.getByRole('heading', { name: 'Check your e-mail for a code' }));
        const deadline = Date.now() + ACTION_TIMEOUT_MS;
        let code = '';
        while (!code && Date.now() < deadline) {
          const { messages } = await outbox();
          const mail = messages.find((m) => m.to === VISITOR.email && /privacy request/.test(m.subject));
          code = /Your code: (\d{8})/.exec(mail?.text ?? '')?.[1] ?? '';
          if (!code) await delay(200);
        }
        check(code !== '', 'no code was mailed to the requester (outbox)');
        await page.getByRole('textbox', { name: 'Code from the e-mail' }).fill(code);
        await page.getByRole('button', { name: 'Confirm request' }).click();
        await visible(page.getByText('Request received'));
        await visible(page.getByText(/We will answer by /));
        const reference = /Your reference: (\S+)/.exec(await page.locator('body').innerText())?.[1] ?? '';
        check(reference !== '', 'the confirmation gives no reference');
        state.privacyRequestId = reference.replace(/[.,]$/, '');
        await shot(page, '71-privacy-public-confirmed');
      },
    },
    {
      name: 'the request waits in the privacy queue with its due date; approving it runs Custos’ own access task and completes it',
      run: async () => {
        const page = adminPage();
        // From wherever the threat steps left off (a drawer may still be open over the navigation).
        await page.goto(state.baseUrl);
        await page
          .getByRole('navigation', { name: 'Main navigation' })
          .getByRole('link', { name: 'Privacy requests' })
          .click();
        await visible(page.getByRole('heading', { level: 1, name: 'Privacy requests' }));
        const row = page
          .getByRole('table', { name: 'Privacy requests' })
          .locator(`tr[data-request-id="${state.privacyRequestId}"]`);
        await visible(row.getByText(/due in \d+ days?/));
        await shot(page, '72-privacy-requests');
        await row.click();
        await visible(page.getByRole('heading', { level: 1, name: /request #/ }));
        await page.getByRole('button', { name: 'Approve', exact: true }).click();
        await page.getByRole('button', { name: 'Approve and start' }).click();
        await afterStepUpWithPasskey(page, page.getByRole('table', { name: 'Tasks per system' }));
        await page
          .locator('[data-state="completed"]')
          .first()
          .waitFor({ timeout: 3 * ACTION_TIMEOUT_MS });
        await visible(
          page.getByRole('table', { name: 'Tasks per system' }).locator('[data-task-state="done"]'),
        );
        await shot(page, '73-privacy-request-completed');
      },
    },
    {
      name: 'the person opens the e-mailed link, gets a second code and downloads their data as a signed ZIP',
      run: async () => {
        const link =
          /Download it here: (\S+)/.exec(await mailTo(VISITOR.email, /ready to download/))?.[1] ?? '';
        check(link.includes('/download/'), `the ready mail holds no download link (${link})`);
        const page = await newPage();
        await page.goto(link.replace(/^https?:\/\/[^/]+/, state.baseUrl));
        await visible(page.getByRole('heading', { name: 'Download your data' }));
        await page.getByRole('button', { name: 'Send me a code' }).click();
        const code = /Your code: (\d+)/.exec(await mailTo(VISITOR.email, /code to download/))?.[1] ?? '';
        check(code !== '', 'no download code was mailed');
        await page.getByRole('textbox', { name: 'Code from the e-mail' }).fill(code);
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download', exact: true }).click(),
        ]);
        const file = await download.path();
        const bytes = file ? await readFile(file) : Buffer.alloc(0);
        check(bytes.subarray(0, 2).toString() === 'PK', `the download is not a ZIP (${bytes.length} bytes)`);
        await shot(page, '75-privacy-download');
      },
    },
    {
      name: 'the data map lists Custos itself and takes a host system that fetches its tasks',
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Data map' }).click();
        await visible(page.getByRole('heading', { level: 1, name: 'Data map' }));
        const systems = page.getByRole('table', { name: 'Systems' });
        await visible(systems.locator('[data-kind="custos"]'));
        await page.getByRole('button', { name: 'Add system' }).first().click();
        const dialog = page.getByRole('dialog');
        await dialog.getByRole('textbox', { name: 'Name' }).fill('Gig app database');
        await dialog.getByRole('switch', { name: 'The system fetches its tasks (polling)' }).check();
        await dialog.getByRole('button', { name: 'Add system' }).click();
        await afterStepUpWithPasskey(
          page,
          systems.locator('[data-kind="host"]').filter({ hasText: 'Gig app database' }),
        );
        await shot(page, '74-privacy-data-map');
      },
    },
  ];
}

function pageSweepStep(): Step {
  return {
    name: 'every page has one h1 and a working skip link, passes axe and is screenshot at 1440 and 390 wide; the overview, security events and audit log fit a phone',
    run: async () => {
      const page = adminPage();
      const problems: string[] = [];
      const pages = consolePages(state.attackEventId, state.privacyRequestId || undefined);
      try {
        for (const size of WIDTHS) {
          await page.setViewportSize(size);
          for (const target of pages) {
            const label = `${target.name} at ${size.width}`;
            try {
              await openConsolePage(page, state.baseUrl, target.path);
            } catch (error) {
              problems.push(`${label}: ${describe(error)}`);
              await shot(page, `page-${target.name}-${size.width}`);
              continue;
            }
            const h1 = await headingsOfLevelOne(page);
            if (h1.length !== 1) problems.push(`${label}: ${h1.length} h1 (${h1.join(' / ')})`);
            await expectAccessible(page, label).catch((error: Error) => problems.push(error.message));
            await shot(page, `page-${target.name}-${size.width}`);
            if (size.width < 500) {
              const overflow = await sidewaysOverflow(page, target.mustFitPhone);
              if (overflow > 0 && target.mustFitPhone) {
                problems.push(`${label}: scrolls ${overflow} px sideways`);
              } else if (overflow > 0) {
                console.log(`# ${label}: scrolls ${overflow} px sideways (not yet required to fit)`);
              }
            }
          }
        }
        await page.setViewportSize(WIDTHS[0]);
        await openConsolePage(page, state.baseUrl, '/members');
        if (!(await skipLinkWorks(page))) problems.push('the first Tab does not reach a working skip link');
        // A super admin's whole navigation, Platform included, fits 1440×900 without scrolling.
        const lastItem = page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').last();
        const box = await lastItem.boundingBox();
        if (!box || box.y + box.height > WIDTHS[0].height) {
          problems.push(`the navigation's last item ends at ${box ? box.y + box.height : '?'} px, below 900`);
        }
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      for (const problem of problems) console.log(`# ${problem.replace(/\n/g, '\n#   ')}`);
      check(problems.length === 0, `${problems.length} problem(s), listed above`);
    },
  };
}

/** The audit log, as an administrator and then as a privacy officer (read-only, no export). */
function auditSteps(): Step[] {
  return [
    {
      name: 'the audit log lists the events of this run',
      run: async () => {
        const page = adminPage();
        await openAuditLog(page);
        const table = page.getByRole('table', { name: 'Audit events' });
        for (const action of [
          'user.signed_in',
          'invitation.sent',
          'invitation.accepted',
          'api_key.revoked',
        ]) {
          await visible(table.getByText(action, { exact: true }));
        }
        await shot(page, '13-audit-log');
      },
    },
    {
      name: 'filtering by an action prefix puts it in the URL, and back undoes it',
      run: async () => {
        const page = adminPage();
        const table = page.getByRole('table', { name: 'Audit events' });
        await unfoldFilters(page);
        const action = page.getByRole('textbox', { name: 'Action', exact: true });
        await action.fill('invitation.*');
        await action.press('Enter');
        await waitForUrl(
          page,
          (url) => url.searchParams.get('action') === 'invitation.*',
          'action=invitation.*',
        );
        await table.getByText('user.signed_in', { exact: true }).first().waitFor({ state: 'detached' });
        await visible(table.getByText('invitation.accepted', { exact: true }));
        const actions = await table.locator('tbody tr td:nth-child(3) p').allInnerTexts();
        check(
          actions.length > 0 && actions.every((a) => a.startsWith('invitation.')),
          `rows outside the prefix: ${actions.join(', ')}`,
        );
        await shot(page, '14-audit-filtered');
        await page.goBack();
        await waitForUrl(page, (url) => !url.searchParams.has('action'), 'no action filter after going back');
        await visible(table.getByText('user.signed_in', { exact: true }));
        check((await action.inputValue()) === '', 'the action field kept its text after going back');
        await page.goForward();
        await waitForUrl(
          page,
          (url) => url.searchParams.get('action') === 'invitation.*',
          'the filter again',
        );
        check((await action.inputValue()) === 'invitation.*', 'the action field did not follow the URL');
      },
    },
    {
      name: 'an IP address typed into search finds what the IP filter finds; my own searches stay hidden until asked',
      run: async () => {
        const page = adminPage();
        const table = page.getByRole('table', { name: 'Audit events' });
        await page.goto(`${state.baseUrl}/audit?ip=127.0.0.1`);
        const byFilter = await settledCount(page, auditRows(page));
        await page.goto(`${state.baseUrl}/audit`);
        const search = page.getByRole('textbox', { name: 'Search', exact: true });
        await search.fill('127.0.0.1');
        await search.press('Enter');
        await waitForUrl(page, (url) => url.searchParams.get('q') === '127.0.0.1', 'q=127.0.0.1');
        const bySearch = await settledCount(page, auditRows(page));
        check(
          bySearch > 1 && bySearch === byFilter,
          `the IP filter found ${byFilter} events, search for the IP ${bySearch}`,
        );
        // Every search above was itself recorded (audit.searched), and none of them shows.
        await page.goto(`${state.baseUrl}/audit`);
        await visible(auditRows(page));
        check(
          (await table.getByText('audit.searched', { exact: true }).count()) === 0,
          'my own searches fill the log',
        );
        const own = page.getByRole('switch', { name: 'Show my own searches and views' });
        // The switch lives in the URL (ownReads=shown): it turns once the URL has changed.
        await own.click();
        await waitForUrl(page, (url) => url.searchParams.get('ownReads') === 'shown', 'ownReads=shown');
        await visible(table.getByText('audit.searched', { exact: true }));
        await shot(page, '14c-audit-own-reads-shown');
        await own.click();
        await waitForUrl(page, (url) => !url.searchParams.has('ownReads'), 'no ownReads');
        await table.getByText('audit.searched', { exact: true }).first().waitFor({ state: 'detached' });
      },
    },
    {
      name: 'the actor is picked by name, and each filter shows as a chip that removes it',
      run: async () => {
        const page = adminPage();
        const table = page.getByRole('table', { name: 'Audit events' });
        await page.goto(`${state.baseUrl}/audit`);
        await visible(auditRows(page));
        await unfoldFilters(page);
        const actor = page.getByRole('combobox', { name: 'Actor' });
        await actor.fill('Ada');
        await page
          .getByRole('listbox', { name: 'Actor suggestions' })
          .getByRole('option', { name: new RegExp(ADMIN.name) })
          .click();
        await waitForUrl(page, (url) => (url.searchParams.get('actor') ?? '') !== '', 'an actor filter');
        const chips = page.getByRole('group', { name: 'Active filters' });
        const chip = chips.getByRole('button', { name: `Remove filter Actor: ${ADMIN.name}` });
        await visible(chip);
        await visible(table.getByText('user.signed_in', { exact: true }));
        const actors = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
        check(
          actors.length > 0 && actors.every((text) => text.includes(ADMIN.name)),
          `rows of other actors: ${actors.filter((text) => !text.includes(ADMIN.name)).join(' | ')}`,
        );
        await shot(page, '14d-audit-actor-chip');
        await chip.click();
        await waitForUrl(
          page,
          (url) => !url.searchParams.has('actor'),
          'no actor filter after the chip is removed',
        );
        await chip.waitFor({ state: 'detached' });
      },
    },
    {
      name: 'no matches and a refused filter each say what to do',
      run: async () => {
        const page = adminPage();
        await page.goto(`${state.baseUrl}/audit?action=nothing.matches`);
        await visible(page.getByRole('heading', { name: 'No events match these filters' }));
        await shot(page, '14b-audit-no-matches');
        await page.goto(`${state.baseUrl}/audit?ip=not-an-address`);
        const alert = page.getByRole('alert').filter({ hasText: 'Could not load the audit log' });
        await visible(alert.getByText('Check the filters above, or clear them.'));
        await shot(page, '14c-audit-refused-filter');
        await alert.getByRole('button', { name: 'Clear filters' }).click();
        await visible(auditRows(page));
        await page.goto(`${state.baseUrl}/audit?action=invitation.*`);
      },
    },
    {
      name: 'an event opens in a drawer with its proof verified',
      run: async () => {
        const page = adminPage();
        await onAuditLog(page);
        await auditRows(page).filter({ hasText: 'invitation.sent' }).first().click();
        const drawer = page.getByRole('dialog');
        await visible(drawer.getByText('Verified', { exact: true }));
        await visible(drawer.getByRole('heading', { name: 'Integrity proof' }));
        await visible(drawer.getByText(INVITEE.email));
        const note = await drawer.getByTestId('checkpoint-note').innerText();
        check(note.includes('— '), `the checkpoint note has no signature line: ${note}`);
        check(new URL(page.url()).searchParams.has('event'), 'the open event is not in the URL');
        await tallShot(page, '15-audit-event-drawer');
        await page.keyboard.press('Escape');
        await drawer.waitFor({ state: 'hidden' });
        check(!new URL(page.url()).searchParams.has('event'), 'the closed event is still in the URL');
      },
    },
    {
      name: 'the live tail shows a new event as it is recorded',
      run: async () => {
        const page = adminPage();
        await onAuditLog(page);
        const { host } = await sdkClients();
        await page.getByRole('button', { name: 'Clear filters' }).first().click();
        await waitForUrl(page, (url) => !url.searchParams.has('action'), 'no filters');
        await page.getByRole('switch', { name: 'Live tail' }).check();
        await visible(page.getByTestId('live-tail-status').filter({ hasText: 'Live' }));
        const { receipt } = await host.audit.ingest({
          action: 'gig.rsvp_changed',
          actor: {
            type: 'user',
            id: 'fan-42',
            name: 'Frida Fan',
            email: 'frida@example.com',
            ip: '203.0.113.42',
          },
          targets: [{ type: 'gig', id: 'gig-7', name: 'Friday at the Roxy' }],
          changes: { answer: ['maybe', 'yes'], seats: [1, 2] },
          metadata: { phone: '+44 20 7946 0018', channel: 'mobile-app' },
          personal: ['phone'],
        });
        state.hostEventId = receipt.id;
        const fresh = page.locator('tr[data-fresh]', { hasText: 'gig.rsvp_changed' });
        await visible(fresh);
        // Animations left running, to catch the highlight of the new row.
        await page.screenshot({ path: path.join(SCREENSHOTS, '16-audit-live-tail.png'), fullPage: true });
        await page.getByRole('switch', { name: 'Live tail' }).uncheck();
        await fresh.click();
        const drawer = page.getByRole('dialog');
        await visible(drawer.getByRole('table', { name: 'Changes' }).getByText('maybe'));
        await visible(drawer.getByText('Verified', { exact: true }));
        await tallShot(page, '17-audit-event-changes');
        await page.keyboard.press('Escape');
        await drawer.waitFor({ state: 'hidden' });
      },
    },
    {
      name: 'export as JSON Lines shows progress and downloads the file',
      run: async () => {
        const page = adminPage();
        await onAuditLog(page);
        await page.getByRole('button', { name: 'Export' }).click();
        const downloading = page.waitForEvent('download');
        await page.getByRole('menuitem', { name: /JSON Lines/ }).click();
        const download = await downloading;
        const dialog = page.getByRole('dialog', { name: /Export as JSON Lines/ });
        await visible(dialog.getByText('Export complete'));
        const file = await download.path();
        const lines = (await readFile(file, 'utf8'))
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { type: string; event?: { action?: string } | null });
        const events = lines.filter((line) => line.type === 'event');
        check(lines[0]?.type === 'header' && lines.at(-1)?.type === 'trailer', 'the export is not complete');
        check(events.length > 5, `the export holds only ${events.length} events`);
        check(
          events.some((line) => line.event?.action === 'gig.rsvp_changed'),
          'the export lacks the host app event',
        );
        await visible(dialog.getByText(`${events.length} events`));
        check(
          download.suggestedFilename().endsWith('.jsonl'),
          `unexpected file ${download.suggestedFilename()}`,
        );
        await shot(page, '18-audit-export');
        await dialog.getByRole('button', { name: 'Done' }).click();
      },
    },
    {
      name: 'a slow CSV export shows its progress and can be cancelled',
      run: async () => {
        const page = adminPage();
        await onAuditLog(page);
        // A slow network, so the export is caught half-way.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 50,
          downloadThroughput: 2048,
          uploadThroughput: -1,
        });
        try {
          await page.getByRole('button', { name: 'Export' }).click();
          await page.getByRole('menuitem', { name: /CSV/ }).click();
          const dialog = page.getByRole('dialog', { name: /Export as CSV/ });
          await visible(dialog.getByTestId('export-progress').filter({ hasText: /of \d+ events/ }));
          await visible(dialog.getByRole('progressbar', { name: 'Export progress' }));
          await shot(page, '18b-audit-export-progress');
          await dialog.getByRole('button', { name: 'Cancel export' }).click();
          await dialog.waitFor({ state: 'hidden' });
          await visible(page.getByText('Export cancelled; nothing was saved.'));
        } finally {
          await cdp.send('Network.emulateNetworkConditions', {
            offline: false,
            latency: 0,
            downloadThroughput: -1,
            uploadThroughput: -1,
          });
          await cdp.detach();
        }
      },
    },
    {
      name: 'a search is saved, applied and deleted',
      run: async () => {
        const page = adminPage();
        await onAuditLog(page);
        await unfoldFilters(page);
        const action = page.getByRole('textbox', { name: 'Action', exact: true });
        await action.fill('gig.*');
        await action.press('Enter');
        await waitForUrl(page, (url) => url.searchParams.get('action') === 'gig.*', 'action=gig.*');
        await page.getByRole('button', { name: 'Saved searches' }).click();
        await page.getByRole('button', { name: 'Save current search…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Save search' });
        await dialog.getByLabel('Name').fill('Gig changes');
        await dialog.getByRole('button', { name: 'Save search' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await page.getByRole('button', { name: 'Clear filters' }).first().click();
        await waitForUrl(page, (url) => !url.searchParams.has('action'), 'no filters');
        await page.getByRole('button', { name: 'Saved searches' }).click();
        const apply = page.getByRole('button', { name: 'Apply saved search Gig changes' });
        await visible(apply);
        await shot(page, '19-audit-saved-searches');
        await apply.click();
        await waitForUrl(
          page,
          (url) => url.searchParams.get('action') === 'gig.*',
          'the saved filter applied',
        );
        await page.getByRole('button', { name: 'Saved searches' }).click();
        await page.getByRole('button', { name: 'Delete saved search Gig changes' }).click();
        await apply.waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'scrolling to the end of the table loads older pages',
      run: async () => {
        const page = adminPage();
        const { host } = await sdkClients();
        await host.audit.ingestBatch(
          Array.from({ length: 120 }, (_, i) => ({
            action: 'setlist.song_added',
            actor: { type: 'service' as const, id: 'setlist-importer' },
            targets: [{ type: 'song', id: `song-${i + 1}` }],
          })),
        );
        await page.goto(`${state.baseUrl}/audit?action=setlist.*`);
        const rows = auditRows(page);
        await visible(rows);
        check((await rows.count()) === 50, `the first page has ${await rows.count()} rows`);
        for (const expected of [100, 120]) {
          await page.getByTestId('load-more-sentinel').scrollIntoViewIfNeeded();
          await rows.nth(expected - 1).waitFor();
        }
        await visible(page.getByText('That is the oldest event matching the filters.'));
        check((await rows.count()) === 120, `${await rows.count()} rows after scrolling to the end`);
      },
    },
    {
      name: 'retention and legal hold are saved',
      run: async () => {
        const page = adminPage();
        await onAuditLog(page);
        await page.getByRole('tab', { name: 'Retention & privacy' }).click();
        await waitForUrl(page, (url) => url.pathname === '/audit/settings', '/audit/settings');
        const days = page.getByRole('textbox', { name: 'Keep events for' });
        await days.fill('0');
        await visible(page.getByText('Between 1 and'));
        await days.fill('400');
        await page.getByRole('switch', { name: 'Legal hold' }).check();
        await page.getByRole('button', { name: 'Save retention' }).click();
        await visible(page.getByText('Audit retention saved'));
        await page.reload();
        await visible(page.getByRole('heading', { name: 'Retention' }));
        check((await days.inputValue()) === '400', `retention reads ${await days.inputValue()} after reload`);
        check(
          await page.getByRole('switch', { name: 'Legal hold' }).isChecked(),
          'legal hold is off after reload',
        );
        await shot(page, '20-audit-settings');
      },
    },
    {
      name: 'erasing a data subject asks first, then their fields read as erased',
      run: async () => {
        const page = adminPage();
        check(state.hostEventId !== '', 'no host app event (the live tail step failed)');
        await page.getByRole('textbox', { name: 'Data subject' }).fill('fan-42');
        await page.getByRole('button', { name: 'Erase personal data…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Erase personal data' });
        await visible(dialog.getByText('cannot be undone'));
        await shot(page, '21-audit-erase-confirm');
        await dialog.getByRole('button', { name: 'Erase for good' }).click();
        await visible(page.getByText('“fan-42” erased'));
        await page.goto(`${state.baseUrl}/audit?event=${state.hostEventId}`);
        const drawer = page.getByRole('dialog');
        await visible(drawer.getByText('Verified', { exact: true }));
        await visible(drawer.getByText('erased', { exact: true }));
        check(!(await drawer.innerText()).includes('Frida Fan'), 'the erased name still shows');
        await tallShot(page, '22-audit-erased-event');
        await page.keyboard.press('Escape');
      },
    },
    ...historyCheckSteps(),
    {
      name: 'a privacy officer reads the log but cannot export or change retention',
      run: async () => {
        if (!invitee) throw new Error('the invited person is not signed in (an earlier step failed)');
        const page = invitee;
        const { api } = await sdkClients();
        const member = (await api.members.list()).members.find((m) => m.email === INVITEE.email);
        check(member !== undefined, 'the invited person is not a member');
        await api.members.updateRoles(member?.userId ?? '', ['privacy_officer']);
        await page.goto(state.baseUrl);
        // A privacy officer lands on what their role can do, not on a generic page.
        const tasks = page.getByTestId('landing-task');
        await visible(tasks.filter({ hasText: 'Erase a person’s data' }));
        await visible(tasks.filter({ hasText: 'Investigate the audit trail' }));
        check(
          (await tasks.filter({ hasText: 'Export evidence' }).count()) === 0,
          'a privacy officer is offered exports they may not make',
        );
        await shot(page, '23a-privacy-officer-landing');
        await openAuditLog(page);
        const exportButton = page.getByRole('button', { name: 'Export' });
        check((await exportButton.getAttribute('data-disabled')) !== null, 'export is not disabled');
        await exportButton.hover();
        await visible(page.getByText('Exporting needs the audit:export permission'));
        await shot(page, '23-audit-no-export');
        await page.getByRole('tab', { name: 'Retention & privacy' }).click();
        await visible(page.getByText('that needs the audit:manage permission'));
        await visible(page.getByTestId('retention-days').filter({ hasText: '400 days' }));
        check(
          (await page.getByRole('button', { name: 'Save retention' }).count()) === 0,
          'retention can be saved without audit:manage',
        );
        await visible(page.getByRole('button', { name: 'Erase personal data…' }));
        await shot(page, '24-audit-settings-read-only');
      },
    },
  ];
}

const REMEMBERED_PREFIX = 'custos.audit.checkpoint.';

interface Remembered {
  key: string;
  /** The stored value, verbatim. */
  value: string;
  note: string;
  treeSize: number;
}

/** The checkpoint the console remembers in this browser (one organization, so exactly one). */
async function rememberedCheckpoint(page: Page): Promise<Remembered> {
  const entries = await page.evaluate(
    (prefix) =>
      Object.keys(localStorage)
        .filter((key) => key.startsWith(prefix))
        .map((key) => [key, localStorage.getItem(key) ?? ''] as const),
    REMEMBERED_PREFIX,
  );
  const [entry, ...others] = entries;
  check(entry !== undefined && others.length === 0, `${entries.length} remembered checkpoints, not 1`);
  const [key, value] = entry ?? ['', '{}'];
  const parsed = JSON.parse(value) as { note?: unknown; treeSize?: unknown };
  check(typeof parsed.note === 'string' && typeof parsed.treeSize === 'number', `unreadable: ${value}`);
  return { key, value, note: String(parsed.note), treeSize: Number(parsed.treeSize) };
}

async function setRemembered(page: Page, key: string, value: string): Promise<void> {
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [key, value] as const);
}

/**
 * A checkpoint of a history the log never had, signed with the server's own key: what the browser
 * would hold had the log been rewritten or rolled back since it saw it.
 */
function forgedCheckpoint(origin: string, size: number): string {
  const signer = parseSignerKey(state.signingKey);
  return signNote(formatCheckpoint({ origin, size, rootHash: randomBytes(32) }), signer);
}

function historyWarning(page: Page): Locator {
  return page.getByRole('alert').filter({ hasText: 'The audit log’s history has changed' });
}

/** The console checks the log against the checkpoint it saw last, and raises the alarm for a forged one. */
function historyCheckSteps(): Step[] {
  return [
    {
      name: 'the audit page verifies the log against the checkpoint this browser remembers',
      run: async () => {
        const page = adminPage();
        await page.goto(`${state.baseUrl}/audit`);
        const status = page.getByTestId('history-status');
        await visible(status.filter({ hasText: 'History verified against the checkpoint this browser saw' }));
        await visible(status.getByRole('button', { name: 'Download signed checkpoint' }));
        const remembered = await rememberedCheckpoint(page);
        check(remembered.treeSize > 0, 'the remembered checkpoint is empty');
        // The same check from Node through the SDK: the server signed it, and the log extends it.
        const { api } = await sdkClients();
        const result = await api.audit.verify({ checkpoints: [remembered.note] });
        check(
          result.ok && result.checks[0]?.treeSize === remembered.treeSize,
          `the SDK does not verify the remembered checkpoint: ${JSON.stringify(result.checks)}`,
        );
        await viewShot(page, '22b-audit-history-verified');
      },
    },
    {
      name: 'a log that does not extend the remembered checkpoint raises a red warning and keeps it',
      run: async () => {
        const page = adminPage();
        const genuine = await rememberedCheckpoint(page);
        const origin = genuine.note.split('\n')[0] ?? '';
        const remember = async (note: string, treeSize: number) => {
          const savedAt = new Date(Date.now() - 3_600_000).toISOString();
          const value = JSON.stringify({ note, treeSize, savedAt });
          await setRemembered(page, genuine.key, value);
          return value;
        };
        try {
          // Rewritten: as many events as the browser saw, under another root hash.
          const rewritten = forgedCheckpoint(origin, genuine.treeSize);
          const value = await remember(rewritten, genuine.treeSize);
          await page.goto(`${state.baseUrl}/audit`);
          const warning = historyWarning(page);
          await visible(warning.getByText('does not extend the checkpoint this browser saw'));
          await visible(warning.getByTestId('history-check-detail').filter({ hasText: 'rewritten' }));
          check(
            (await page.getByTestId('history-status').count()) === 0,
            'the quiet "verified" line shows beside the warning',
          );
          await viewShot(page, '22c-audit-history-warning');
          const fileName = `checkpoint-${genuine.treeSize}.txt`;
          const downloading = page.waitForEvent('download');
          await warning.getByRole('button', { name: `Download ${fileName}` }).click();
          const download = await downloading;
          check(download.suggestedFilename() === fileName, `downloaded ${download.suggestedFilename()}`);
          const saved = await readFile(await download.path(), 'utf8');
          check(saved === rewritten, 'the downloaded file is not the remembered note, byte for byte');

          // On every page, and the next check does not replace the evidence.
          await page.getByRole('link', { name: 'Members' }).click();
          await visible(historyWarning(page));
          await page.setViewportSize({ width: 390, height: 844 });
          await page.goto(`${state.baseUrl}/audit`);
          await visible(historyWarning(page));
          await viewShot(page, '22d-audit-history-warning-phone');
          await page.setViewportSize({ width: 1280, height: 800 });
          check(
            (await rememberedCheckpoint(page)).value === value,
            'the failed check replaced the checkpoint',
          );

          // Rolled back: the browser saw more events than the log now has.
          const { api } = await sdkClients();
          const ahead = (await api.audit.checkpoint()).treeSize + 1000;
          await remember(forgedCheckpoint(origin, ahead), ahead);
          await page.goto(`${state.baseUrl}/audit`);
          await visible(
            historyWarning(page).getByTestId('history-check-detail').filter({ hasText: 'rolled back' }),
          );
        } finally {
          await page.setViewportSize({ width: 1280, height: 800 });
          await setRemembered(page, genuine.key, genuine.value);
        }
        // The genuine checkpoint back: the log extends it, the warning goes.
        await page.goto(`${state.baseUrl}/audit`);
        await visible(page.getByTestId('history-status').filter({ hasText: 'History verified' }));
        check((await historyWarning(page).count()) === 0, 'the warning stays for a genuine checkpoint');
      },
    },
  ];
}

/**
 * Waits for `done` after an action; if the server first asks to confirm it's you (step-up), answers
 * with the password (the administrator has no second factor yet at this point of the run).
 */
async function afterStepUp(page: Page, done: Locator): Promise<void> {
  const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
  await Promise.race([
    done
      .first()
      .waitFor()
      .catch(() => undefined),
    dialog.waitFor().catch(() => undefined),
  ]);
  if (await dialog.isVisible()) {
    await dialog.getByLabel('Your password').fill(ADMIN.password);
    await dialog.getByRole('button', { name: 'Verify', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
  await visible(done);
}

/** The roles catalog and the access rules as the administrator's SDK client reads them. */
async function roleCatalog(): Promise<RoleCatalog> {
  const { api } = await sdkClients();
  return api.roles.list();
}

/** Roles & permissions (custom roles, the matrix, host-app permissions) and access rules. */
function accessSteps(): Step[] {
  return [
    {
      name: "the roles matrix shows the host app's permissions; a custom role is created, granted and saved",
      run: async () => {
        const page = adminPage();
        const { api } = await sdkClients();
        // The host app registers its own permissions with a key that may do only that.
        const key = await api.apiKeys.create({
          name: 'Gig app permissions',
          permissions: ['access:register'],
        });
        const registrar = new CustosClient({ baseUrl: state.apiUrl, token: key.secret });
        await registrar.appPermissions.register({
          permissions: [
            { key: 'gig:edit', description: 'Change the date, venue and line-up of a gig' },
            { key: 'gig:cancel', description: 'Cancel a gig and tell the fans' },
          ],
        });
        await page.goto(state.baseUrl);
        await page.getByRole('link', { name: 'Roles & permissions' }).click();
        const matrix = page.getByRole('table', { name: 'Role permissions' });
        await visible(matrix.getByText('members:invite', { exact: true }));
        await visible(matrix.getByTestId('permission-row-gig:edit'));
        check(
          await matrix.getByRole('checkbox', { name: 'members:invite for Owner' }).isDisabled(),
          "the owner's grants can be changed",
        );
        check(
          await matrix.getByRole('checkbox', { name: 'members:invite for Member' }).isDisabled(),
          "a built-in role's Custos grants can be changed",
        );
        await visible(page.getByText('No custom roles yet'));
        await viewShot(page, '41-roles-matrix');

        await page.getByRole('button', { name: 'Create role' }).first().click();
        const dialog = page.getByRole('dialog', { name: 'Create role' });
        await dialog.getByRole('textbox', { name: 'Name' }).fill('Support agent');
        const keyField = dialog.getByRole('textbox', { name: 'Key' });
        check(
          (await keyField.inputValue()) === 'support_agent',
          `suggested key ${await keyField.inputValue()}`,
        );
        await dialog.getByRole('textbox', { name: 'Description' }).fill('Answers fans; sees members');
        await shot(page, '42-create-role');
        await dialog.getByRole('button', { name: 'Create role' }).click();
        const column = matrix.getByTestId('role-column-support_agent');
        await afterStepUp(page, column);
        await visible(column.getByText('No members'));

        // A Custos permission and a host-app permission on own resources for the custom role, and a
        // host-app permission for the built-in Member role: two roles saved at once.
        // By keyboard: the arrows move along the role's column and the permission's row, passing over
        // fixed grants; Space grants.
        await matrix.getByRole('checkbox', { name: 'members:invite for Support agent' }).focus();
        await page.keyboard.press('ArrowUp');
        check(
          (await focusedLabel(page)) === 'members:read for Support agent',
          `ArrowUp reached ${await focusedLabel(page)}`,
        );
        await page.keyboard.press('Space');
        await matrix.getByRole('checkbox', { name: 'gig:edit for Support agent' }).check();
        await matrix.getByRole('button', { name: 'Own only: gig:edit for Support agent' }).click();
        await matrix.getByRole('checkbox', { name: 'gig:cancel for Support agent' }).focus();
        for (let press = 0; press < 10 && (await focusedLabel(page)) !== 'gig:cancel for Member'; press++) {
          await page.keyboard.press('ArrowLeft');
        }
        check(
          (await focusedLabel(page)) === 'gig:cancel for Member',
          `ArrowLeft stopped at ${await focusedLabel(page)}`,
        );
        await page.keyboard.press('Space');
        // A group folds away and back; modules not built yet offer no permissions.
        const membersGroup = matrix.getByRole('button', { name: /^Members \d+ permissions$/ });
        await membersGroup.click();
        await matrix.getByText('members:invite', { exact: true }).waitFor({ state: 'hidden' });
        await membersGroup.click();
        await visible(matrix.getByText('members:invite', { exact: true }));
        check(
          (await matrix.getByText(/^(compliance|keys):/).count()) === 0,
          'the matrix offers permissions of modules that do not exist',
        );
        const bar = page.getByRole('region', { name: 'Unsaved changes' });
        await visible(bar.getByText('3 unsaved changes'));
        await matrix.getByTestId('permission-row-gig:edit').scrollIntoViewIfNeeded();
        await viewShot(page, '43-roles-matrix-unsaved');
        await bar.getByRole('button', { name: 'Save 2 roles' }).click();
        await afterStepUp(page, page.getByText('2 roles saved'));
        await bar.waitFor({ state: 'hidden' });

        const roles = (await roleCatalog()).roles;
        const support = roles.find((r) => r.key === 'support_agent');
        const member = roles.find((r) => r.key === 'member');
        check(support?.permissions.includes('members:read') === true, 'members:read was not granted');
        check(support?.ownPermissions.includes('gig:edit') === true, 'gig:edit (own) was not granted');
        check(member?.permissions.includes('gig:cancel') === true, 'gig:cancel was not granted to Member');
        await page.reload();
        await visible(matrix.getByTestId('role-column-support_agent'));
        check(
          (await matrix
            .getByRole('button', { name: 'Own only: gig:edit for Support agent' })
            .getAttribute('aria-pressed')) === 'true',
          'the own-only grant does not show after reload',
        );
      },
    },
    {
      name: 'a custom role is renamed, and one nobody holds is deleted',
      run: async () => {
        const page = adminPage();
        const matrix = page.getByRole('table', { name: 'Role permissions' });
        await matrix.getByRole('button', { name: 'Actions for role Support agent' }).click();
        await page.getByRole('menuitem', { name: 'Edit name and description' }).click();
        const dialog = page.getByRole('dialog', { name: 'Edit role Support agent' });
        await dialog.getByRole('textbox', { name: 'Name' }).fill('Fan support');
        await dialog.getByRole('button', { name: 'Save role' }).click();
        await afterStepUp(page, page.getByText('Role “Fan support” saved'));
        await visible(matrix.getByTestId('role-column-support_agent').getByText('Fan support'));

        await page.getByRole('button', { name: 'Create role' }).first().click();
        const create = page.getByRole('dialog', { name: 'Create role' });
        await create.getByRole('textbox', { name: 'Name' }).fill('Night shift');
        await create.getByRole('textbox', { name: 'Start from' }).click();
        await page.getByRole('option', { name: 'Auditor' }).click();
        await create.getByRole('button', { name: 'Create role' }).click();
        const column = matrix.getByTestId('role-column-night_shift');
        await afterStepUp(page, column);
        check(
          await matrix.getByRole('checkbox', { name: 'audit:export for Night shift' }).isChecked(),
          "the new role did not copy the auditor's grants",
        );
        await matrix.getByRole('button', { name: 'Actions for role Night shift' }).click();
        await page.getByRole('menuitem', { name: 'Delete role' }).click();
        await page
          .getByRole('dialog', { name: 'Delete role' })
          .getByRole('button', { name: 'Delete role' })
          .click();
        await afterStepUp(page, page.getByText('Role “Night shift” deleted'));
        await column.waitFor({ state: 'detached' });
      },
    },
    {
      name: 'access rules: the time zone is set, an IP allow list with this address is added and tested',
      run: async () => {
        const page = adminPage();
        // The organization's time zone is set where people look for it, in Organization settings.
        await page.getByRole('link', { name: 'Organization settings' }).click();
        await visible(page.getByRole('heading', { name: 'Organization settings', level: 1 }));
        const zone = page.getByRole('textbox', { name: 'Organization time zone' });
        await zone.click();
        await zone.fill('Europe/Berl');
        await page.getByRole('option', { name: 'Europe/Berlin' }).click();
        await page.getByRole('button', { name: 'Save time zone' }).click();
        await afterStepUp(page, page.getByText('Time zone set to Europe/Berlin'));

        await page.getByRole('link', { name: 'Access rules' }).click();
        await visible(page.getByRole('heading', { name: 'Access rules' }));
        const yourRequest = await page.getByTestId('your-request').innerText();
        const ip = /IP (\S+)/.exec(yourRequest)?.[1] ?? '';
        check(ip === '127.0.0.1' || ip === '::1', `the page says your request comes from ${yourRequest}`);
        await visible(page.getByTestId('rules-time-zone').getByText('Europe/Berlin'));
        await visible(page.getByText('No IP rules'));
        await shot(page, '44-access-rules-empty');

        // The country and time editors, looked at and left.
        await page.getByRole('button', { name: 'Add rule' }).click();
        await page.getByRole('menuitem', { name: 'Times' }).click();
        const timeDialog = page.getByRole('dialog', { name: 'Add time rule' });
        await visible(timeDialog.getByText('Europe/Berlin', { exact: false }));
        await timeDialog.getByRole('button', { name: 'Add window' }).click();
        await timeDialog
          .getByRole('group', { name: 'Window 2' })
          .getByRole('textbox', { name: 'From' })
          .fill('25:00');
        await timeDialog.getByRole('button', { name: 'Add rule' }).click();
        await visible(timeDialog.getByText('HH:MM, 00:00 to 23:59'));
        await tallShot(page, '45-access-time-editor');
        await timeDialog.getByRole('button', { name: 'Cancel' }).click();
        await page.getByRole('button', { name: 'Add rule' }).click();
        await page.getByRole('menuitem', { name: 'Countries' }).click();
        const countryDialog = page.getByRole('dialog', { name: 'Add country rule' });
        await countryDialog.getByRole('textbox', { name: 'Countries' }).fill('Germ');
        await page.getByRole('option', { name: /Germany/ }).click();
        // The list stays open for more picks; a click beside it closes it.
        await countryDialog.getByText('Requests from any other country are refused.').click();
        await page.evaluate(() => window.scrollTo(0, 0));
        await tallShot(page, '46-access-country-editor');
        await countryDialog.getByRole('button', { name: 'Cancel' }).click();

        await page.getByRole('button', { name: 'Add rule' }).click();
        await page.getByRole('menuitem', { name: 'IP addresses' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add IP rule' });
        const cidrs = dialog.getByRole('textbox', { name: 'Addresses and ranges' });
        await cidrs.fill('10.0.0.0/8\n10.0.0.300');
        await dialog.getByRole('button', { name: 'Add rule' }).click();
        await visible(dialog.getByText('Not an IP address or CIDR range: 10.0.0.300'));
        await cidrs.fill('10.0.0.0/8');
        await dialog.getByRole('button', { name: `Add my address (${ip})` }).click();
        await dialog.getByRole('textbox', { name: 'Description' }).fill('Office network and this machine');
        await page.evaluate(() => window.scrollTo(0, 0));
        await tallShot(page, '47-access-ip-editor');
        await dialog.getByRole('button', { name: 'Add rule' }).click();
        const table = page.getByRole('table', { name: 'IP addresses' });
        await afterStepUp(page, table.getByText('10.0.0.0/8'));
        await dialog.waitFor({ state: 'hidden' });

        const tester = page.getByRole('region', { name: 'Test the rules' });
        await tester.getByRole('textbox', { name: 'IP address' }).fill('10.20.30.40');
        await tester.getByRole('button', { name: 'Test', exact: true }).click();
        const result = tester.getByTestId('access-test-result');
        await visible(result.getByText('Allowed', { exact: true }));
        await tester.getByRole('textbox', { name: 'IP address' }).fill('203.0.113.9');
        await tester.getByRole('button', { name: 'Test', exact: true }).click();
        await visible(result.getByText('Denied', { exact: true }));
        await visible(result.getByText(/Office network and this machine/));
        await visible(result.getByText(/Europe\/Berlin/));
        await page.evaluate(() => window.scrollTo(0, 0));
        await tallShot(page, '48-access-rules-tested');
      },
    },
    {
      name: 'times are shown in my zone, in UTC or in the organization’s, as picked in the user menu',
      run: async () => {
        const page = adminPage();
        await openAuditLog(page);
        const firstTime = page
          .getByRole('table', { name: 'Audit events' })
          .locator('tbody tr td:first-child')
          .first();
        const pick = async (choice: RegExp) => {
          await page.getByRole('button', { name: 'User menu' }).click();
          await page.getByRole('menuitem', { name: choice }).click();
        };
        await pick(/Show times in UTC/);
        await visible(firstTime.filter({ hasText: /UTC/ }));
        // The organization's zone was set to Europe/Berlin above: in December that is an hour ahead.
        const utcHour = /(\d{1,2}):\d{2}/.exec(await firstTime.innerText())?.[1];
        await pick(/Show times in Organization/);
        await visible(firstTime.filter({ hasText: /GMT\+1|CET/ }));
        const berlinHour = /(\d{1,2}):\d{2}/.exec(await firstTime.innerText())?.[1];
        check(
          utcHour !== undefined &&
            [(Number(utcHour) % 12) + 1, (Number(utcHour) + 1) % 24].includes(Number(berlinHour)),
          `UTC shows hour ${utcHour}, the organization's zone hour ${berlinHour}`,
        );
        // A relative time tells its exact time, with the zone, on focus.
        await page.getByRole('link', { name: 'Sessions', exact: true }).click();
        const relative = page.locator('time[data-absolute][tabindex="0"]').first();
        await visible(relative);
        check(
          /GMT\+1|CET/.test((await relative.getAttribute('data-absolute')) ?? ''),
          `a relative time's exact time is ${await relative.getAttribute('data-absolute')}`,
        );
        // By keyboard (the tooltip opens on keyboard focus, not on a programmatic one).
        await relative.focus();
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Tab');
        await visible(page.getByRole('tooltip').filter({ hasText: /GMT\+1|CET/ }));
        await shot(page, '44b-times-in-organization-zone');
        await pick(/Show times in My time zone/);
        // Back where the access steps carry on.
        await page.getByRole('link', { name: 'Access rules' }).click();
        await visible(page.getByRole('table', { name: 'IP addresses' }));
      },
    },
    {
      name: 'an allow list without this address is refused as a lockout, and fixed from the message',
      run: async () => {
        const page = adminPage();
        const table = page.getByRole('table', { name: 'IP addresses' });
        await table.getByRole('button', { name: 'Edit rule Office network and this machine' }).click();
        const dialog = page.getByRole('dialog', { name: 'Edit IP rule' });
        await dialog.getByRole('textbox', { name: 'Addresses and ranges' }).fill('10.0.0.0/8\n192.0.2.0/24');
        await dialog.getByRole('button', { name: 'Save rule' }).click();
        const lockout = dialog.getByTestId('lockout-alert');
        await afterStepUp(page, lockout);
        await visible(lockout.getByText('Not saved: this would lock you out'));
        await lockout.scrollIntoViewIfNeeded();
        await tallShot(page, '49-access-lockout');
        const { api } = await sdkClients();
        const saved = await api.accessRules.list();
        check(
          saved.rules.some((rule) =>
            rule.cidrs?.some((c) => c.startsWith('127.0.0.1') || c.startsWith('::1')),
          ),
          'the refused change was written',
        );
        await lockout.getByRole('button', { name: /^Add .* to this rule$/ }).click();
        await dialog.getByRole('button', { name: 'Save rule' }).click();
        await afterStepUp(page, page.getByText('IP rule saved'));
        await visible(table.getByText('192.0.2.0/24'));
        // Leave no rule behind: the SDK and the browser reach the server from different loopbacks.
        await table.getByRole('button', { name: 'Delete rule Office network and this machine' }).click();
        await page
          .getByRole('dialog', { name: 'Delete access rule' })
          .getByRole('button', { name: 'Delete rule' })
          .click();
        await afterStepUp(page, page.getByText('IP rule deleted'));
        await visible(page.getByText('No IP rules'));
      },
    },
  ];
}

const TOTP_PERIOD_MS = 30_000;

/**
 * A code of the administrator's authenticator app for a time step after the last one used (the
 * server refuses replays), waiting for the clock when the next step is more than one ahead.
 */
async function nextTotpCode(): Promise<string> {
  const totp = state.totp;
  if (!totp) throw new Error('no authenticator app enrolled (the enrolment step failed)');
  for (;;) {
    const now = Math.floor(Date.now() / TOTP_PERIOD_MS);
    const step = Math.max(now, state.totpStep + 1);
    if (step <= now + 1) {
      state.totpStep = step;
      return totp.generate({ timestamp: step * TOTP_PERIOD_MS });
    }
    await delay(1000);
  }
}

/** A six-digit code the authenticator app does not show around now. */
function wrongTotpCode(): string {
  const totp = state.totp;
  const valid = new Set(
    [-1, 0, 1].map((d) => totp?.generate({ timestamp: Date.now() + d * TOTP_PERIOD_MS }) ?? ''),
  );
  return ['000000', '111111', '222222'].find((code) => !valid.has(code)) ?? '333333';
}

async function signOutInBrowser(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'User menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await visible(page.getByRole('heading', { name: 'Sign in' }));
}

async function enterPassword(page: Page): Promise<void> {
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** MFA, passkeys, session policy, ending sessions, step-up and impersonation. */
function securitySteps(): Step[] {
  return [
    {
      name: 'My security adds an authenticator app from its setup key and shows recovery codes once',
      run: async () => {
        const page = adminPage();
        await page.goto(state.baseUrl);
        // The caller's own pages are in the user menu.
        await page.getByRole('button', { name: 'User menu' }).click();
        await page.getByRole('menuitem', { name: 'My security' }).click();
        await visible(page.getByRole('heading', { name: 'My security' }));
        await visible(page.getByText('Only your password protects this account'));
        await visible(page.getByRole('table', { name: 'My sessions' }).getByText('This device'));
        await shot(page, '25-my-security-empty');
        await page.getByRole('button', { name: 'Add authenticator app' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add an authenticator app' });
        await visible(dialog.getByRole('img', { name: /QR code/ }));
        const secret = await dialog.getByRole('textbox', { name: 'Setup key' }).inputValue();
        state.totp = new TOTP({
          secret: Secret.fromBase32(secret),
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
        });
        const code = dialog.getByRole('textbox', { name: 'Code from the app' });
        await code.fill(wrongTotpCode());
        await dialog.getByRole('button', { name: 'Turn on' }).click();
        await visible(dialog.locator('[role="alert"], .mantine-InputWrapper-error'));
        await code.fill(await nextTotpCode());
        await tallShot(page, '26-add-authenticator-app');
        await dialog.getByRole('button', { name: 'Turn on' }).click();
        const codes = page.getByRole('dialog', { name: 'Save your recovery codes' });
        await visible(codes);
        const shown = await codes.getByRole('listitem').allInnerTexts();
        check(shown.length === 10, `${shown.length} recovery codes shown`);
        await shot(page, '27-recovery-codes');
        await codes.getByRole('button', { name: 'I have saved them' }).click();
        await codes.waitFor({ state: 'hidden' });
        await visible(
          page.getByRole('table', { name: 'Your factors' }).getByText('Authenticator app').first(),
        );
        await visible(page.getByTestId('recovery-remaining').filter({ hasText: '10' }));
        // Adding a factor ends the administrator's other sessions, the SDK's among them.
        state.api = undefined;
      },
    },
    {
      name: 'My security registers a passkey with a virtual authenticator',
      run: async () => {
        const page = adminPage();
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('WebAuthn.enable');
        const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
          options: {
            protocol: 'ctap2',
            transport: 'internal',
            hasResidentKey: true,
            hasUserVerification: true,
            isUserVerified: true,
          },
        });
        state.authenticator = { cdp, id: authenticatorId };
        await page.getByRole('button', { name: 'Add passkey' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add a passkey' });
        await dialog.getByRole('textbox', { name: 'Name' }).fill('Virtual key');
        await dialog.getByRole('button', { name: 'Create passkey' }).click();
        await dialog.waitFor({ state: 'hidden' });
        const factors = page.getByRole('table', { name: 'Your factors' });
        await visible(factors.getByText('Virtual key'));
        const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
        check(
          credentials.length === 1 && credentials[0]?.isResidentCredential === true,
          `the authenticator holds ${credentials.length} credentials`,
        );
        await shot(page, '28-my-security-factors');
      },
    },
    {
      name: 'forgot password answers the same whatever the address',
      run: async () => {
        const page = adminPage();
        await signOutInBrowser(page);
        await page.getByRole('link', { name: 'Forgot password?' }).click();
        await visible(page.getByRole('heading', { name: 'Reset your password' }));
        await page.getByLabel('E-mail').fill('nobody@example.com');
        await page.getByRole('button', { name: 'Send reset link' }).click();
        // This server has no SMTP: the page says so rather than claim a link was sent (issue 15).
        const answer = page.getByRole('alert').filter({ hasText: 'No e-mail is sent here' });
        await visible(answer.getByText('If an account exists for nobody@example.com, its link is waiting'));
        check(
          (await page.getByText('we sent a link').count()) === 0,
          'the page claims a link was e-mailed by a server without SMTP',
        );
        await shot(page, '29-forgot-password');
        await page.getByRole('link', { name: 'Back to sign-in' }).click();
        await visible(page.getByRole('heading', { name: 'Sign in' }));
      },
    },
    {
      name: 'sign-in asks for the authenticator code after the password',
      run: async () => {
        const page = adminPage();
        if (new URL(page.url()).pathname !== '/sign-in') await page.goto(`${state.baseUrl}/sign-in`);
        await enterPassword(page);
        await visible(page.getByRole('heading', { name: 'Two-step verification' }));
        await visible(page.getByRole('button', { name: 'Use a passkey' }));
        await visible(page.getByRole('button', { name: 'Use a recovery code' }));
        await page
          .getByRole('textbox', { name: 'Code from your authenticator app' })
          .fill(await nextTotpCode());
        await shot(page, '30-sign-in-totp');
        await page.getByRole('button', { name: 'Verify and sign in' }).click();
        await visible(page.getByRole('heading', { name: 'Welcome, Ada' }));
      },
    },
    {
      name: 'a passkey alone signs in',
      run: async () => {
        const page = adminPage();
        await signOutInBrowser(page);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await visible(page.getByRole('heading', { name: 'Welcome, Ada' }));
        state.signedInAt = Date.now();
        await visible(page.getByTestId('current-organization').filter({ hasText: ORGANIZATION }));
      },
    },
    {
      name: 'the security policy requires MFA of everyone and re-verification after a minute',
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Security policy' }).click();
        await visible(page.getByRole('heading', { name: 'Two-step verification' }));
        await page.getByText('Everyone', { exact: true }).click();
        const stepUp = page.getByRole('textbox', { name: 'Re-verify sensitive actions after' });
        await stepUp.fill('0');
        await visible(page.getByText('A whole number from 1 to 720'));
        check(
          await page.getByRole('button', { name: /^Save/ }).isDisabled(),
          'an out-of-range value can be saved',
        );
        await stepUp.fill('1');
        await page.getByRole('button', { name: 'Save 2 changes' }).click();
        await visible(page.getByText('Security policy saved'));
        await page.evaluate(() => window.scrollTo(0, 0));
        await tallShot(page, '31-security-policy');
      },
    },
    {
      name: "an admin ends a member's sessions and the member's next request lands on sign-in",
      run: async () => {
        if (!invitee) throw new Error('the invited person is not signed in (an earlier step failed)');
        const member = invitee;
        await member.goto(`${state.baseUrl}/audit`);
        await visible(member.getByRole('heading', { name: 'Audit log' }));
        const page = adminPage();
        await page.getByRole('link', { name: 'Members' }).click();
        await page.getByRole('button', { name: `Actions for ${INVITEE.name}` }).click();
        await page.getByRole('menuitem', { name: 'Sessions', exact: true }).click();
        await waitForUrl(
          page,
          (url) => url.pathname === '/sessions' && url.searchParams.has('userId'),
          '/sessions?userId=',
        );
        const table = page.getByRole('table', { name: 'Sessions' });
        await visible(table.getByText(INVITEE.email));
        await shot(page, '32-sessions-of-member');
        await page.getByRole('button', { name: `End all of ${INVITEE.name}'s sessions` }).click();
        const dialog = page.getByRole('dialog', { name: 'End all sessions of a member' });
        await dialog.getByRole('button', { name: 'End their sessions' }).click();
        await visible(page.getByText(/^\d+ sessions? ended$/));
        await visible(page.getByText('This member is not signed in anywhere'));
        // The member's next request (a new filter on the audit log) answers 401: off to sign-in.
        await unfoldFilters(member);
        const action = member.getByRole('textbox', { name: 'Action', exact: true });
        await action.fill('user.*');
        await action.press('Enter');
        await visible(member.getByRole('heading', { name: 'Sign in' }));
        await shot(member, '33-member-signed-out');
        await page.goto(`${state.baseUrl}/sessions`);
        await visible(table.getByText('This device'));
        await shot(page, '34-sessions');
      },
    },
    {
      name: "a sensitive action asks to confirm it's you, then carries on",
      run: async () => {
        const page = adminPage();
        // The passkey sign-in verified the administrator; the policy now trusts that for a minute.
        const wait = state.signedInAt + 62_000 - Date.now();
        if (wait > 0) await delay(wait);
        await page.goto(`${state.baseUrl}/settings/security`);
        const minLength = page.getByRole('textbox', { name: 'Minimum length' });
        await minLength.fill('14');
        await page.getByRole('button', { name: 'Save changes' }).click();
        const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
        await visible(dialog);
        await dialog
          .getByRole('textbox', { name: 'Code from your authenticator app' })
          .fill(await nextTotpCode());
        await viewShot(page, '35-step-up');
        await dialog.getByRole('button', { name: 'Verify', exact: true }).click();
        await dialog.waitFor({ state: 'hidden' });
        await visible(page.getByText('Security policy saved'));
        await page.reload();
        await visible(page.getByRole('heading', { name: 'Passwords' }));
        check(
          (await minLength.inputValue()) === '14',
          `minimum length reads ${await minLength.inputValue()}`,
        );
      },
    },
    {
      name: 'a super admin impersonates the member, sees the banner, and stops',
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Users', exact: true }).click();
        const table = page.getByRole('table', { name: 'Users' });
        await visible(table.getByText(INVITEE.email));
        await shot(page, '36-admin-users');
        await page.getByRole('button', { name: `Actions for ${INVITEE.name}` }).click();
        await page.getByRole('menuitem', { name: 'Impersonate' }).click();
        const dialog = page.getByRole('dialog', { name: 'Impersonate a user' });
        await dialog.getByRole('textbox', { name: 'Reason' }).fill('Ticket 4711: cannot open the audit log');
        await shot(page, '37-impersonate');
        await dialog.getByRole('button', { name: `Impersonate ${INVITEE.name}` }).click();
        const banner = page.getByRole('status', { name: 'Impersonation' });
        await visible(banner.getByText(`You are impersonating ${INVITEE.name}`));
        await visible(page.getByRole('heading', { name: 'Welcome, Nina' }));
        // Nina has no factor, but her enrolment state never blocks the impersonating admin.
        check(
          (await page.getByText('Your organization requires two-step verification').count()) === 0,
          'the impersonating admin is asked to set up MFA',
        );
        await shot(page, '38-impersonating');
        await banner.getByRole('button', { name: 'Stop impersonating' }).click();
        await visible(page.getByRole('heading', { name: 'Welcome, Ada' }));
        check((await banner.count()) === 0, 'the impersonation banner stays after stopping');
      },
    },
    {
      name: 'a member without MFA is reminded on every page and led to My security',
      run: async () => {
        if (!invitee) throw new Error('the invited person has no page (an earlier step failed)');
        const page = invitee;
        // Still on sign-in since her sessions were ended; signing in returns her to the audit log.
        if (new URL(page.url()).pathname !== '/sign-in') await page.goto(`${state.baseUrl}/sign-in`);
        await page.getByLabel('E-mail').fill(INVITEE.email);
        await page.getByLabel('Password').fill(INVITEE.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        const banner = page
          .getByRole('alert')
          .filter({ hasText: 'Your organization requires two-step verification' });
        await visible(banner.getByText('Set it up before'));
        await page.getByRole('link', { name: 'Overview' }).click();
        await visible(page.getByRole('heading', { name: 'Welcome, Nina' }));
        await visible(banner);
        await page.getByRole('link', { name: 'Audit log' }).click();
        await visible(page.getByRole('heading', { name: 'Audit log' }));
        await visible(banner);
        await shot(page, '39-mfa-enrolment-banner');
        await banner.getByRole('link', { name: 'Set up two-step verification' }).click();
        await visible(page.getByRole('heading', { name: 'My security' }));
        await visible(page.getByText('Your organization asks for two-step verification'));
        await shot(page, '40-my-security-enrolment');
      },
    },
  ];
}

/** Where the attack comes from (TEST-NET-3), through the one trusted proxy hop. */
const ATTACKER_IP = '203.0.113.7';
const BLOCKED_IP = '198.51.100.77';
const NOTE = `Investigating the ${ATTACKER_IP} burst`;
const CHANNEL = 'SIEM webhook';
/** Detection, the stream and the throttled refresh of the overview take a few seconds together. */
const LIVE_TIMEOUT_MS = 20_000;

/** Starts the local webhook receiver on 127.0.0.1: it records every request and answers 204. */
async function startReceiver(): Promise<void> {
  if (state.receiver) return;
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  state.receiver = server;
  state.receiverUrl = `http://127.0.0.1:${port}/custos`;
}

function header(request: ReceivedWebhook, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** Waits until the receiver holds `count` requests matching `test`, and returns them. */
async function receivedWebhooks(
  test: (request: ReceivedWebhook) => boolean,
  count: number,
  what: string,
): Promise<ReceivedWebhook[]> {
  const deadline = Date.now() + ACTION_TIMEOUT_MS;
  for (;;) {
    const matching = state.received.filter(test);
    if (matching.length >= count) return matching;
    if (Date.now() > deadline) {
      throw new Error(
        `the receiver got ${matching.length} of ${count} ${what} (${state.received.length} in all)`,
      );
    }
    await delay(100);
  }
}

/**
 * Checks a request's Standard Webhooks signature as a receiver would: HMAC-SHA256, keyed with the
 * base64 part of the `whsec_` secret, over `id.timestamp.body`, against each `v1,` signature sent.
 */
function signatureVerifies(secret: string, request: ReceivedWebhook): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${header(request, 'webhook-id')}.${header(request, 'webhook-timestamp')}.${request.body}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return header(request, 'webhook-signature')
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'))
    .some((mac) => mac.length === expected.length && timingSafeEqual(mac, expected));
}

/**
 * Waits for `done` after a sensitive action; if the server first asks to confirm it's you, answers
 * with the passkey on the virtual authenticator (no wait for a fresh authenticator code), or with
 * the password when the administrator has no factor.
 */
async function afterStepUpWithPasskey(page: Page, done: Locator): Promise<void> {
  const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
  await Promise.race([
    done
      .first()
      .waitFor()
      .catch(() => undefined),
    dialog.waitFor().catch(() => undefined),
  ]);
  if (await dialog.isVisible()) {
    const password = dialog.getByLabel('Your password');
    const passkey = dialog.getByRole('button', { name: 'Use a passkey' });
    await visible(password.or(passkey));
    if (await password.isVisible()) {
      await password.fill(ADMIN.password);
      await dialog.getByRole('button', { name: 'Verify', exact: true }).click();
    } else {
      // The authenticator app comes first; the link under its form switches to the passkey.
      const code = dialog.getByRole('textbox', { name: 'Code from your authenticator app' });
      if (await code.isVisible()) {
        await passkey.click();
        await code.waitFor({ state: 'detached' });
      }
      await passkey.click();
    }
    await dialog.waitFor({ state: 'hidden' });
  }
  await visible(done);
}

/** Closes the toasts still on screen, so a screenshot shows only what the next action says. */
async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.locator('.mantine-Notification-root');
  for (const close of await toasts.locator('.mantine-Notification-closeButton').all()) {
    await close.click().catch(() => undefined);
  }
  await toasts.first().waitFor({ state: 'detached' });
}

/** The brute-force event's row on the security events page. */
function attackRow(page: Page): Locator {
  return page
    .getByRole('table', { name: 'Security events' })
    .locator('[data-event-id]')
    .filter({ hasText: 'Brute force (account)' })
    .filter({ hasText: ATTACKER_IP });
}

/** Threat detection seen from the console: the overview, triage, responses, detectors and alerts. */
function threatSteps(): Step[] {
  return [
    {
      name: 'the home page is the security overview, following the live stream',
      run: async () => {
        const page = adminPage();
        await page.goto(state.baseUrl);
        await visible(page.getByTestId('security-overview'));
        const level = page.getByTestId('threat-level');
        await visible(level);
        check(
          ['low', 'guarded', 'elevated'].includes((await level.getAttribute('data-level')) ?? ''),
          `the threat level is ${await level.getAttribute('data-level')} before any attack`,
        );
        await visible(page.getByTestId('threat-level-reason').filter({ hasText: 'Open events:' }));
        const score = await page.getByTestId('security-score').innerText();
        check(/\d/.test(score), `the security score shows no figure: ${score}`);
        await visible(page.getByTestId('score-item'));
        await visible(page.getByTestId('mfa-adoption'));
        await visible(page.getByTestId('live-feed'));
        await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
        await shot(page, '50-security-overview');
      },
    },
    {
      name: 'a brute-force attack on a member shows on the open dashboard without a reload',
      run: async () => {
        const page = adminPage();
        await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
        // Twelve wrong passwords for Nina from an address she never used, as a script would try them.
        const statuses: number[] = [];
        for (let i = 1; i <= 12; i++) {
          const response = await fetch(`${state.apiUrl}/api/v1/auth/sign-in`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': ATTACKER_IP },
            body: JSON.stringify({ email: INVITEE.email, password: `guessing her password ${i}` }),
          });
          statuses.push(response.status);
        }
        check(
          statuses.every((status) => status === 401 || status === 429),
          `an attack attempt was answered ${statuses.join(', ')}`,
        );
        const fresh = page
          .locator('[data-testid="feed-event"][data-fresh]')
          .filter({ has: page.getByRole('link', { name: 'Brute force on an account' }) });
        await fresh.first().waitFor({ timeout: LIVE_TIMEOUT_MS });
        await page
          .locator('[data-testid="threat-level"][data-level="high"]')
          .waitFor({ timeout: LIVE_TIMEOUT_MS });
        await visible(page.getByTestId('threat-level-reason').filter({ hasText: 'high-severity' }));
        // Animations left running, to catch the highlight of the fresh event.
        await page.screenshot({
          path: path.join(SCREENSHOTS, '51-overview-under-attack.png'),
          fullPage: true,
        });
      },
    },
    {
      name: 'the brute-force event is triaged: its evidence and lock shown, acknowledged, a note added',
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Security events', exact: true }).click();
        await visible(page.getByRole('heading', { name: 'Security events' }));
        const row = attackRow(page);
        await visible(row);
        await visible(row.locator('[data-severity="high"]'));
        await visible(row.locator('[data-status="open"]'));
        await visible(row.getByText(INVITEE.name));
        await shot(page, '52-security-events');
        state.attackEventId = (await row.first().getAttribute('data-event-id')) ?? '';
        await row.first().getByText('Brute force (account)', { exact: true }).click();
        await waitForUrl(
          page,
          (url) => url.pathname === `/security/events/${state.attackEventId}`,
          'the event page',
        );
        await visible(page.getByRole('heading', { level: 1, name: 'Brute force (account)' }));
        const explanation = await page.getByTestId('event-explanation').innerText();
        check(
          explanation.includes(INVITEE.name) && explanation.includes(ATTACKER_IP),
          `the explanation does not name the member and the address: ${explanation}`,
        );
        // Each attempt in place (issue 15): the attacker's address on every row, one count everywhere,
        // and a link opening the audit log on exactly this evidence.
        const evidence = page.getByRole('table', { name: 'Evidence' }).locator('[data-audit-event-id]');
        await visible(evidence);
        const attempts = await evidence.count();
        check(attempts >= 5, `only ${attempts} attempts as evidence`);
        check(
          (await evidence.filter({ hasText: ATTACKER_IP }).count()) === attempts,
          'an evidence row does not show the attacker’s address',
        );
        const count = await page.getByTestId('event-count').getAttribute('data-count');
        check(
          explanation.includes(`In all, ${count} attempts`),
          `the explanation does not say the event's count (${count}): ${explanation}`,
        );
        const inAuditLog = await page
          .getByRole('link', { name: 'Open all evidence in the audit log' })
          .getAttribute('href');
        check(inAuditLog?.startsWith('/audit?ids=') === true, `the evidence opens ${inAuditLog}`);
        const lock = page.locator('[data-response-id]').filter({ hasText: 'Account locked' });
        await visible(lock.getByText('unknown devices only'));
        await visible(lock.getByText('Active', { exact: true }));
        await visible(lock.getByRole('button', { name: 'Lift' }));

        const triage = page.getByRole('region', { name: 'Triage' });
        await triage.getByRole('button', { name: 'Acknowledge' }).click();
        await afterStepUpWithPasskey(page, page.getByText('Marked acknowledged'));
        await visible(triage.getByRole('button', { name: 'Resolve' }));
        await triage.getByRole('textbox', { name: 'Add a note' }).fill(NOTE);
        await triage.getByRole('button', { name: 'Add note' }).click();
        await afterStepUpWithPasskey(page, page.getByText('Note added'));
        const timeline = page.getByTestId('event-timeline');
        await visible(timeline.locator('[data-kind="status_changed"]').filter({ hasText: 'Acknowledged' }));
        await visible(timeline.locator('[data-kind="note"]').filter({ hasText: NOTE }));
        await visible(timeline.locator('[data-kind="raised"]'));
        await page.evaluate(() => window.scrollTo(0, 0));
        await tallShot(page, '53-security-event-detail');
      },
    },
    {
      name: 'on Responses the lock is lifted, and an IP is blocked by hand for an hour',
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Responses', exact: true }).click();
        await visible(page.getByRole('heading', { name: 'Responses' }));
        const table = page.getByRole('table', { name: 'Responses' });
        const lock = table
          .locator('[data-response-id]')
          .filter({ hasText: 'Account locked' })
          .filter({ hasText: INVITEE.name });
        await visible(lock.getByText('unknown devices only'));
        await lock.getByRole('button', { name: 'Lift' }).click();
        const confirm = page.getByRole('dialog', { name: 'Lift this response?' });
        await visible(confirm.getByText('the user can sign in again'));
        await confirm.getByRole('button', { name: 'Lift', exact: true }).click();
        await afterStepUpWithPasskey(page, page.getByText('Account locked: lifted'));
        await lock.waitFor({ state: 'detached' });

        await dismissToasts(page);
        await page.getByRole('button', { name: 'Block an IP' }).click();
        const dialog = page.getByRole('dialog', { name: 'Block an IP' });
        await dialog.getByRole('textbox', { name: 'IP address' }).fill(BLOCKED_IP);
        await dialog.getByRole('textbox', { name: 'Duration' }).click();
        await page.getByRole('option', { name: '1 hour', exact: true }).click();
        await dialog.getByRole('button', { name: 'Block IP' }).click();
        const blocked = table.locator('[data-response-id]').filter({ hasText: BLOCKED_IP });
        await afterStepUpWithPasskey(page, page.getByText(`${BLOCKED_IP} blocked for 1 hour`));
        await dialog.waitFor({ state: 'hidden' });
        await visible(blocked.getByText('IP blocked'));
        await visible(blocked.getByText('Manual'));
        await visible(blocked.getByText('Active', { exact: true }));
        await visible(page.getByTestId('response-count'));
        await shot(page, '54-responses');
        await page.getByRole('switch', { name: 'Show ended ones too' }).check();
        await visible(
          table.locator('[data-response-id]').filter({ hasText: INVITEE.name }).getByText('Lifted'),
        );
      },
    },
    {
      name: "a detector's threshold is changed, saved and still there after a reload",
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Detection', exact: true }).click();
        await visible(page.getByRole('heading', { name: 'Detection' }));
        const card = page.locator('[data-detector="brute_force_account"]');
        const failures = card.getByLabel('Failed sign-ins', { exact: true });
        await visible(failures);
        check((await failures.inputValue()) === '10', `the threshold reads ${await failures.inputValue()}`);
        await failures.fill('8');
        const bar = page.getByRole('region', { name: 'Unsaved changes' });
        await visible(bar.getByText('1 unsaved change'));
        await bar.getByRole('button', { name: 'Save changes' }).click();
        await afterStepUpWithPasskey(page, page.getByText('Detection settings saved'));
        await bar.waitFor({ state: 'hidden' });
        await page.reload();
        await visible(failures);
        check(
          (await failures.inputValue()) === '8',
          `the threshold reads ${await failures.inputValue()} after reload`,
        );
        await card.scrollIntoViewIfNeeded();
        await viewShot(page, '55-detection-settings');
      },
    },
    {
      name: 'Members shows who is locked out and unlocks them in place; the filters explain what they list',
      run: async () => {
        const page = adminPage();
        await page.getByRole('link', { name: 'Members', exact: true }).click();
        await visible(page.getByRole('heading', { name: 'Members', level: 1 }));
        const table = page.getByRole('table', { name: 'Members' });
        const nina = table.locator('tbody tr').filter({ hasText: INVITEE.email });
        // The twelve guesses above filled her limit for unfamiliar devices and networks.
        await visible(nina.getByText('Locked out'));
        await page.getByRole('radiogroup', { name: 'Show members' }).getByText('Locked out').click();
        await waitForUrl(page, (url) => url.searchParams.get('filter') === 'locked', 'filter=locked');
        check((await table.locator('tbody tr').count()) === 1, 'the locked filter lists someone else too');
        await visible(page.getByText('refused for a while after too many failed attempts'));
        await shot(page, '57b-members-locked');
        await nina.getByRole('button', { name: `Actions for ${INVITEE.name}` }).click();
        await page.getByRole('menuitem', { name: 'Unlock sign-in' }).click();
        await page
          .getByRole('dialog', { name: 'Unlock sign-in' })
          .getByRole('button', { name: 'Unlock' })
          .click();
        await afterStepUpWithPasskey(page, page.getByText(`${INVITEE.name} can sign in again`));
        // Unlocked, she leaves the list of those locked out.
        await visible(page.getByText('No member matches this filter.'));
        // The score's link opens the privileged members without MFA, with the same words.
        await page.goto(`${state.baseUrl}/members?filter=privileged-without-mfa`);
        await visible(page.getByText('The security score counts exactly these.'));
        await shot(page, '57c-members-privileged-without-mfa');
      },
    },
    {
      name: 'a webhook channel gets a signed test message, and its delivery is replayed with the same id',
      run: async () => {
        const page = adminPage();
        await startReceiver();
        await page.getByRole('link', { name: 'Alerts', exact: true }).click();
        await visible(page.getByRole('heading', { name: 'Alerts' }));
        await dismissToasts(page);
        await page.getByRole('button', { name: 'Add channel' }).first().click();
        const form = page.getByRole('dialog', { name: 'Add an alert channel' });
        await form.getByLabel(/^Name/).fill(CHANNEL);
        await form.getByLabel(/^URL/).fill(state.receiverUrl);
        await form.getByRole('textbox', { name: 'Send events of' }).click();
        await page.getByRole('option', { name: 'Low (every event)' }).click();
        check(await form.getByRole('switch', { name: 'All event types' }).isChecked(), 'not all types');
        await form.getByRole('button', { name: 'Add channel' }).click();
        const secretDialog = page.getByRole('dialog', { name: 'Copy the signing secret' });
        await afterStepUpWithPasskey(page, secretDialog);
        await visible(secretDialog.getByText('It will not be shown again'));
        const secret = await secretDialog.getByRole('textbox', { name: 'Signing secret' }).inputValue();
        check(secret.startsWith('whsec_'), `the secret does not start with whsec_: ${secret.slice(0, 8)}…`);
        await secretDialog.getByRole('button', { name: 'I have copied the secret' }).click();
        await secretDialog.waitFor({ state: 'hidden' });

        const row = page.getByRole('table', { name: 'Alert channels' }).locator('[data-channel-id]');
        await visible(row.filter({ hasText: CHANNEL }));
        await page.getByRole('button', { name: `Actions for ${CHANNEL}` }).click();
        await page.getByRole('menuitem', { name: 'Send test' }).click();
        const result = page.getByTestId('test-result');
        await afterStepUpWithPasskey(page, result);
        await visible(result.getByText(`Delivered to ${CHANNEL}`));
        const [test] = await receivedWebhooks(
          (r) => (JSON.parse(r.body) as { type?: string }).type === 'alert.test',
          1,
          'test messages',
        );
        if (!test) throw new Error('no test message');
        check(signatureVerifies(secret, test), 'the test message signature does not verify');
        check(
          !signatureVerifies(`whsec_${Buffer.alloc(32).toString('base64')}`, test),
          'any secret verifies',
        );
        const messageId = header(test, 'webhook-id');
        await dismissToasts(page);
        await shot(page, '56-alert-channels');
        await expectAccessible(page, '56-alert-channels', 'main');
        const open = page.getByRole('link', { name: 'Open in the delivery log' });
        const deliveryId = new URL((await open.getAttribute('href')) ?? '', state.baseUrl).searchParams.get(
          'delivery',
        );
        check(Boolean(deliveryId), 'the test result links no delivery');
        await page
          .getByRole('dialog', { name: 'Test message' })
          .getByRole('button', { name: 'Close', exact: true })
          .click();

        await page.getByRole('link', { name: 'Delivery log' }).click();
        await waitForUrl(page, (url) => url.pathname === '/security/alerts/deliveries', 'the delivery log');
        const delivery = page
          .getByRole('table', { name: 'Deliveries' })
          .locator(`[data-delivery-id="${deliveryId}"]`);
        await visible(delivery.getByText('Delivered'));
        await delivery.locator('td').first().click();
        const drawer = page.getByRole('dialog', { name: 'Delivery' });
        await visible(drawer.getByTestId('delivery-payload').filter({ hasText: 'alert.test' }));
        await visible(drawer.getByText(messageId));
        const attempts = drawer.getByRole('table', { name: 'Attempts' }).locator('tbody tr');
        await visible(attempts);
        await drawer.getByRole('button', { name: 'Replay' }).click();
        const confirm = page.getByRole('dialog', { name: 'Replay this delivery?' });
        await confirm.getByRole('button', { name: 'Replay', exact: true }).click();
        await afterStepUpWithPasskey(page, page.getByText('Sent again: delivered'));
        const both = await receivedWebhooks(
          (r) => header(r, 'webhook-id') === messageId,
          2,
          `messages ${messageId}`,
        );
        check(
          both.every((r) => signatureVerifies(secret, r)),
          'the replayed message signature does not verify',
        );
        check(both[0]?.body === both[1]?.body, 'the replay sent another body');
        await visible(attempts.nth(1));
        await viewShot(page, '57-delivery-log');
      },
    },
  ];
}

/**
 * The server's database, opened beside the running server as someone with write access to it (and
 * nothing else) would: the tampering below is plain SQL, no Custos code path writes.
 */
async function withDatabase<T>(work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  const url = process.env.CUSTOS_E2E_DATABASE_URL;
  if (!url && !state.dataDir) throw new Error('the server has no data directory');
  const database = openDatabase(
    url?.startsWith('postgres')
      ? { kind: 'postgres', url }
      : {
          kind: 'sqlite',
          file: url
            ? path.resolve(url.replace(/^(sqlite|file):(\/\/)?/, ''))
            : path.join(state.dataDir ?? '', 'custos.db'),
        },
  );
  try {
    return await work(database.db);
  } finally {
    await database.destroy();
  }
}

/** The current organization's id, which is also its audit log's id. */
async function organizationId(page: Page): Promise<string> {
  const response = await page.request.get(`${state.baseUrl}/api/v1/me`);
  const me = (await response.json()) as { organization?: { id?: unknown } | null };
  const id = me.organization?.id;
  check(typeof id === 'string', `GET /api/v1/me names no organization: ${response.status()}`);
  return String(id);
}

function auditRow(page: Page, seq: number): Locator {
  return page.getByRole('table', { name: 'Audit events' }).locator(`tbody tr[data-seq="${seq}"]`);
}

/** The shell's red warning with the server's own integrity alarm in it. */
function serverAlarm(page: Page): Locator {
  return page.getByRole('alert').filter({ has: page.getByTestId('server-alarm') });
}

/** WCAG contrast ratio of two CSS `rgb(...)` colours. */
function contrastRatio(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r = 0, g = 0, bl = 0] = (css.match(/[\d.]+/g) ?? []).map(Number);
    const channel = (v: number) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(bl);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Tampering with the database directly: flagged events, then the server's alarm over a rolled-back log. */
function tamperSteps(): Step[] {
  return [
    {
      name: 'an event edited in the database reads as altered and one emptied as purged, neither as verified',
      run: async () => {
        const page = adminPage();
        // Two invitation events of this run, read through the console's own session.
        const response = await page.request.get(
          `${state.baseUrl}/api/v1/audit/events?action=invitation.*&limit=20`,
        );
        const { events } = (await response.json()) as { events: { seq: number; integrity: string }[] };
        const [edited, emptied] = events.filter((event) => event.integrity === 'intact');
        if (!edited || !emptied) throw new Error(`${events.length} invitation events, not 2 intact`);
        const logId = await organizationId(page);
        await withDatabase(async (db) => {
          // A metadata value becomes "Forged Hall"; the leaf hash and the tree stay as they were.
          await editBody(db, logId, edited.seq);
          await nullBody(db, logId, emptied.seq);
        });

        await page.goto(`${state.baseUrl}/audit?action=invitation.*`);
        const altered = auditRow(page, edited.seq);
        await visible(altered.getByText('altered', { exact: true }));
        check((await altered.getAttribute('data-integrity')) === 'modified', 'the edited row is not flagged');
        const purged = auditRow(page, emptied.seq);
        await visible(purged.getByText('purged', { exact: true }));
        await viewShot(page, '60-audit-events-altered-and-purged');

        await altered.click();
        const drawer = page.getByRole('dialog');
        await visible(
          drawer
            .getByRole('alert')
            .filter({ hasText: 'do not match its hash: they were changed in the database' }),
        );
        await visible(drawer.getByText('Not verified: altered'));
        await visible(drawer.getByRole('table', { name: 'Metadata' }).getByText('Forged Hall'));
        check(
          (await drawer.getByText('Verified', { exact: true }).count()) === 0,
          'an altered event reads as verified',
        );
        await tallShot(page, '61-audit-event-altered');
        await expectAccessible(page, '61-audit-event-altered', '[role="dialog"]');
        await page.keyboard.press('Escape');
        await drawer.waitFor({ state: 'hidden' });

        await purged.click();
        await visible(drawer.getByText('come from search columns that cannot be verified'));
        await visible(drawer.getByText('Cannot be verified: purged'));
        check(
          (await drawer.getByText('Verified', { exact: true }).count()) === 0,
          'a purged event reads as verified',
        );
        await tallShot(page, '62-audit-event-purged');
        await page.keyboard.press('Escape');
        await drawer.waitFor({ state: 'hidden' });
      },
    },
    {
      name: 'a log rolled back in the database raises the server’s red alarm on every page, linked to its security event',
      run: async () => {
        const page = adminPage();
        // The browser verifies and remembers the latest checkpoint; the signer signed at least as much.
        await page.goto(`${state.baseUrl}/audit`);
        await visible(page.getByTestId('history-status').filter({ hasText: 'History verified' }));
        await visible(
          page
            .getByTestId('checkpoint-witnesses')
            .filter({ hasText: 'No independent service keeps its own signed copy' }),
        );
        const signed = (await rememberedCheckpoint(page)).treeSize;
        check(signed > 2, `only ${signed} events are signed`);
        const logId = await organizationId(page);
        // Back to two events before the signed size: the tail, its tree nodes and checkpoints go.
        const keep = await withDatabase(async (db) =>
          rollBack(db, logId, (await headSize(db, logId)) - (signed - 2)),
        );
        check(keep < signed, `rolled back to ${keep} of the ${signed} signed events`);

        // Any page: the shell asks the server, which checks the log live.
        await page.goto(`${state.baseUrl}/members`);
        const warning = serverAlarm(page);
        await visible(warning.getByText('Audit log tampering: Custos has stopped signing this log'));
        await visible(warning.locator('[data-alarm-kind="rolled_back"]').getByText('Log rolled back'));
        const sizes = warning.getByTestId('server-alarm-sizes');
        await visible(sizes);
        // The signer may have signed more than the browser saw, and detection's own audit event may
        // follow the rollback: the sizes are bounds, not exact.
        const text = await sizes.innerText();
        const size = (label: string) =>
          Number(new RegExp(`${label}: ([\\d,]+)`).exec(text)?.[1]?.replace(/,/g, ''));
        const [lastSigned, head] = [size('Last signed checkpoint'), size('Log in the database now')];
        check(
          lastSigned >= signed && head >= keep && head < lastSigned,
          `the alarm names ${lastSigned} signed and ${head} in the log (the browser saw ${signed}, ${keep} kept): ${text}`,
        );
        await visible(warning.getByText('Custos signs nothing for this log'));
        await visible(warning.getByText('npx custos audit verify --checkpoint'));
        // The browser's own check fails too, in the same alert.
        await visible(warning.getByRole('heading', { name: 'What this browser found' }));
        check(
          (await page.getByRole('alert').filter({ hasText: 'this browser saw' }).count()) === 1,
          'the two warnings stack as two alerts',
        );
        const colours = await warning.evaluate((element) => {
          const message = element.querySelector('.mantine-Alert-message') ?? element;
          return {
            background: getComputedStyle(element).backgroundColor,
            text: getComputedStyle(message).color,
          };
        });
        const ratio = contrastRatio(colours.background, colours.text);
        check(
          ratio >= 4.5,
          `the warning's text contrast is ${ratio.toFixed(2)}:1 (${JSON.stringify(colours)})`,
        );
        const link = warning.getByTestId('tampering-event-link');
        await link.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await shot(page, '63-audit-tampering-alarm');
        await expectAccessible(page, '63-audit-tampering-alarm', '[role="alert"]');
        await page.setViewportSize({ width: 390, height: 844 });
        await visible(serverAlarm(page));
        await shot(page, '64-audit-tampering-alarm-phone');
        await page.setViewportSize({ width: 1280, height: 800 });

        // The critical security event, with no empty IP, country or evidence.
        await link.click();
        await visible(page.getByRole('heading', { level: 1, name: 'Audit trail tampering' }));
        await visible(
          page.getByTestId('event-explanation').filter({ hasText: 'history in the database was changed' }),
        );
        const facts = page.getByRole('region', { name: 'Facts' });
        await visible(facts.getByText('Audit trail', { exact: true }));
        await visible(facts.getByRole('table', { name: 'Detector figures' }).getByText('Log rolled back'));
        check((await facts.getByText('Source IP').count()) === 0, 'an audit alarm shows an empty source IP');
        check(
          (await facts.getByText('Unknown country').count()) === 0,
          'an audit alarm shows an unknown country',
        );
        await visible(page.getByRole('region', { name: 'Investigate' }));
        check(
          (await page.getByRole('region', { name: /^Evidence/ }).count()) === 0,
          'an empty evidence list shows',
        );
        await tallShot(page, '65-security-event-audit-tampering');
        await expectAccessible(page, '65-security-event-audit-tampering', 'main');
        await page.goto(`${state.baseUrl}/security/events?type=audit_tampering`);
        await visible(
          page.getByRole('table', { name: 'Security events' }).getByText('Audit trail tampering'),
        );
        await viewShot(page, '66-security-events-audit-tampering');
      },
    },
    {
      name: 'forgetting the remembered checkpoint asks first; then only the server’s alarm stays',
      run: async () => {
        const page = adminPage();
        await page.goto(`${state.baseUrl}/audit`);
        const warning = serverAlarm(page);
        await visible(warning.getByRole('heading', { name: 'What this browser found' }));
        const before = await rememberedCheckpoint(page);
        await warning.getByRole('button', { name: 'Forget this checkpoint…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Forget this checkpoint?' });
        await visible(
          dialog.getByText(
            'only after a legitimate restore of the database or a change of the audit signing key',
          ),
        );
        await viewShot(page, '67-forget-checkpoint');
        await dialog.getByRole('button', { name: 'Forget checkpoint', exact: true }).click();
        await dialog.waitFor({ state: 'hidden' });
        await warning
          .getByRole('heading', { name: 'What this browser found' })
          .waitFor({ state: 'detached' });
        await visible(warning.getByText('Audit log tampering: Custos has stopped signing this log'));
        const after = await rememberedCheckpoint(page);
        check(after.treeSize < before.treeSize, `the browser still remembers ${after.treeSize} events`);
        // The browser's check passes now, but the page does not call the log verified.
        await visible(
          page.getByTestId('history-status').filter({ hasText: 'the server’s check of the log did not' }),
        );
        await viewShot(page, '68-audit-log-server-alarm-only');
      },
    },
  ];
}

async function cleanup(): Promise<void> {
  await state.authenticator?.cdp.detach().catch(() => undefined);
  state.receiver?.closeAllConnections();
  state.receiver?.close();
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
    if (ONLY_STEPS && !step.critical && !ONLY_STEPS.test(step.name)) continue;
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
