import { createHmac, randomInt } from 'node:crypto';
import type { PrivacyPackageOut, PublicPackageOut } from '@custos/shared';
import type { Deps } from '../../../deps';
import { hashToken, newId, randomToken, safeEqual } from '../../../platform/crypto/tokens';
import { authorize, type Caller, type RequestMeta } from '../../../platform/http/caller';
import { badRequest, conflict, notFound, rateLimited } from '../../../platform/http/errors';
import { identity } from '../../identity';
import type { OutboxService } from '../../outbox';
import { notFoundRequest } from '../requests-service';
import * as requests from '../requests-store';
import type { SubjectSeal } from '../subject-seal';
import { appendTimeline } from '../timeline';
import { packageField } from './build';
import * as store from './store';

const CODE_TTL_MS = 15 * 60_000;
const CODE_DIGITS = 8;
const MAX_ATTEMPTS = 5;
/** Per IP: the page and code checks; per package: codes mailed (no mail-bombing the subject). */
export const PACKAGE_LIMITS = {
  describePerIp: { limit: 120, windowMs: 15 * 60_000 },
  codePerIp: { limit: 20, windowMs: 60 * 60_000 },
  codePerPackage: { limit: 5, windowMs: 60 * 60_000 },
  downloadPerIp: { limit: 30, windowMs: 15 * 60_000 },
} as const;

const packageGone = () =>
  notFound(
    'PRIVACY_PACKAGE_NOT_FOUND',
    'This download link does not work any more: it expired or never existed. Ask the organization to send a new one.',
  );
/** Wrong, expired, used and too many attempts all answer this, so a guesser learns nothing. */
const codeRefused = () =>
  badRequest(
    'PRIVACY_PACKAGE_CODE_INVALID',
    'That code is not right or no longer valid. Check the latest e-mail, or ask for a new code.',
  );

export interface PackagesServiceDeps
  extends Pick<Deps, 'db' | 'audit' | 'limiter' | 'keyring' | 'log' | 'config'> {
  seal: SubjectSeal;
  outbox: OutboxService;
  now: () => Date;
}

/**
 * The console's view of a request's package ("send the link again") and the public download page:
 * a code mailed to the subject's address at download time (keyed hash bound to a token the page
 * holds, 15 minutes, 5 attempts), then the ZIP, each download audited.
 */
export function createPackagesService(deps: PackagesServiceDeps) {
  const { db, seal, outbox, limiter, log } = deps;
  const codeKey = deps.keyring.derivedKey('privacy package download code');
  const codeHashOf = (tokenHash: string, code: string) =>
    createHmac('sha256', codeKey).update(`${tokenHash}\u0000${code}`).digest('hex');

  async function limit(key: string, rule: { limit: number; windowMs: number }) {
    const result = await limiter.consume(`privacy-package:${key}`, rule.limit, rule.windowMs);
    if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
  }

  const isLive = (row: store.PackageRow) =>
    row.deletedAt === null && row.fileRefSealed !== null && row.expiresAt > deps.now().toISOString();

  async function emailOf(request: requests.RequestRow): Promise<string | null> {
    const opener = await seal.opener(db, request.organizationId, [request.emailSealed]);
    return opener(request.id, 'email', request.emailSealed);
  }

  async function zipOf(request: requests.RequestRow, row: store.PackageRow): Promise<Buffer | null> {
    const opener = await seal.opener(db, request.organizationId, [row.fileRefSealed]);
    const base64 = opener(request.id, packageField(row.id), row.fileRefSealed);
    return base64 === null ? null : Buffer.from(base64, 'base64');
  }

  /** The public package behind a slug and id; the same 404 for unknown, expired and erased. */
  async function publicPackage(slug: string, packageId: string) {
    const organization = await identity.findOrganization(db, slug);
    if (!organization || organization.slug !== slug) throw packageGone();
    const row = await store.findPackage(db, organization.id, packageId);
    if (!row || !isLive(row)) throw packageGone();
    const request = await requests.findRequest(db, organization.id, row.requestId);
    if (!request) throw packageGone();
    return { organization, row, request };
  }

  async function linkMail(organizationId: string, row: store.PackageRow, request: requests.RequestRow) {
    const email = await emailOf(request);
    if (!email) return false;
    const organization = await identity.findOrganization(db, organizationId);
    const url = `${deps.config.publicUrl}/privacy/${organization?.slug ?? ''}/download/${row.id}`;
    await outbox.deliver(organizationId, {
      to: email,
      subject: `${organization?.name ?? 'Your request'}: your personal data is ready to download`,
      text: [
        `The copy of your personal data you asked ${organization?.name ?? 'us'} for is ready.`,
        '',
        `Download it here: ${url}`,
        '',
        `The link works until ${row.expiresAt} (UTC); then the file is deleted.`,
        'When you open it, a code is sent to this address: the download needs it.',
      ].join('\n'),
    });
    return true;
  }

  function present(row: store.PackageRow, canSendLink: boolean): PrivacyPackageOut {
    return {
      id: row.id,
      requestId: row.requestId,
      sizeBytes: row.deletedAt ? null : row.sizeBytes,
      sha256: row.sha256,
      expiresAt: row.expiresAt,
      downloads: row.downloads,
      lastDownloadedAt: row.lastDownloadedAt,
      deletedAt: row.deletedAt,
      createdAt: row.createdAt,
      available: isLive(row),
      canSendLink: canSendLink && isLive(row),
    };
  }

  return {
    /** Mails the link of a package just made (no audit of its own: `privacy_package.created` covers it). */
    async sendLink(organizationId: string, packageId: string) {
      const row = await store.findPackage(db, organizationId, packageId);
      const request = row ? await requests.findRequest(db, organizationId, row.requestId) : undefined;
      if (row && request && isLive(row)) await linkMail(organizationId, row, request);
    },

    async ofRequest(caller: Caller, requestId: string): Promise<PrivacyPackageOut | null> {
      const c = authorize(caller, 'privacy:read');
      const request = await requests.findRequest(db, c.organizationId, requestId);
      if (!request) throw notFoundRequest();
      const row = await store.packageOfRequest(db, c.organizationId, requestId);
      return row ? present(row, request.emailSealed !== null && (await emailOf(request)) !== null) : null;
    },

    /** "Send the link again": the same link and expiry, audited. */
    async resendLink(caller: Caller, requestId: string): Promise<{ sent: true; expiresAt: string }> {
      const c = authorize(caller, 'privacy:manage');
      const request = await requests.findRequest(db, c.organizationId, requestId);
      if (!request) throw notFoundRequest();
      const row = await store.packageOfRequest(db, c.organizationId, requestId);
      if (!row) throw notFound('PRIVACY_PACKAGE_NOT_FOUND', 'This request has no package (yet).');
      if (!isLive(row)) {
        throw conflict(
          'PRIVACY_PACKAGE_EXPIRED',
          'The package has expired and its file is deleted: nothing to send.',
        );
      }
      if ((await emailOf(request)) === null) {
        throw conflict(
          'PRIVACY_PACKAGE_NO_ADDRESS',
          'The request holds no readable e-mail address: hand the package over another way.',
        );
      }
      const at = deps.now().toISOString();
      await db.transaction().execute(async (trx) => {
        await appendTimeline(trx, {
          organizationId: c.organizationId,
          requestId,
          kind: 'package_link_sent',
          caller: c,
          data: { packageId: row.id },
          at,
        });
        await deps.audit.record(trx, c, {
          action: 'privacy_package.link_sent',
          targets: [
            { type: 'privacy_package', id: row.id },
            { type: 'privacy_request', id: requestId },
          ],
        });
      });
      await linkMail(c.organizationId, row, request);
      return { sent: true, expiresAt: row.expiresAt };
    },

    async describePublic(meta: RequestMeta, slug: string, packageId: string): Promise<PublicPackageOut> {
      await limit(`describe:ip:${meta.ip ?? 'unknown'}`, PACKAGE_LIMITS.describePerIp);
      const { organization, row } = await publicPackage(slug, packageId);
      return {
        organization: { name: organization.name },
        sizeBytes: row.sizeBytes ?? 0,
        expiresAt: row.expiresAt,
        codeValidMinutes: CODE_TTL_MS / 60_000,
      };
    },

    /** Mails a download code to the subject's address; answers the token that names it. */
    async sendCode(meta: RequestMeta, slug: string, packageId: string): Promise<{ downloadToken: string }> {
      await limit(`code:ip:${meta.ip ?? 'unknown'}`, PACKAGE_LIMITS.codePerIp);
      const { organization, row, request } = await publicPackage(slug, packageId);
      await limit(`code:package:${row.id}`, PACKAGE_LIMITS.codePerPackage);
      const email = await emailOf(request);
      if (!email) throw packageGone();
      const token = randomToken(32);
      const tokenHash = hashToken(token);
      const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
      const at = deps.now();
      await db.transaction().execute(async (trx) => {
        await store.insertCode(trx, {
          id: newId(),
          organizationId: organization.id,
          purpose: store.PURPOSE_PACKAGE,
          requestId: request.id,
          packageId: row.id,
          emailIndex: request.emailIndex ?? '',
          codeHash: codeHashOf(tokenHash, code),
          tokenHash,
          attempts: 0,
          expiresAt: new Date(at.getTime() + CODE_TTL_MS).toISOString(),
          usedAt: null,
          createdAt: at.toISOString(),
        });
        await deps.audit.record(
          trx,
          { kind: 'anonymous', meta },
          {
            action: 'privacy_package.code_sent',
            organizationId: organization.id,
            targets: [
              { type: 'privacy_package', id: row.id },
              { type: 'privacy_request', id: request.id },
            ],
          },
        );
      });
      void outbox
        .deliver(organization.id, {
          to: email,
          subject: `${organization.name}: your code to download your data`,
          text: [
            `Your code: ${code}`,
            '',
            `Type it on the download page within ${CODE_TTL_MS / 60_000} minutes.`,
            'If you did not ask for it, ignore this message: nothing is sent without the code.',
          ].join('\n'),
        })
        .catch((error: unknown) => log.warn({ err: error }, 'privacy: package code mail failed'));
      return { downloadToken: token };
    },

    /** The ZIP, for the right code; audited and counted in the transaction that spends the code. */
    async download(
      meta: RequestMeta,
      slug: string,
      packageId: string,
      body: { downloadToken: string; code: string },
    ): Promise<{ zip: Buffer; fileName: string; sha256: string }> {
      await limit(`download:ip:${meta.ip ?? 'unknown'}`, PACKAGE_LIMITS.downloadPerIp);
      const { organization, row, request } = await publicPackage(slug, packageId);
      const tokenHash = hashToken(body.downloadToken);
      const code = await store.findCode(db, organization.id, row.id, tokenHash);
      if (!code || code.usedAt || code.expiresAt <= deps.now().toISOString()) throw codeRefused();
      // Counted before the check and outside the transaction below, so every wrong guess counts.
      if (!(await store.countAttempt(db, organization.id, code.id, MAX_ATTEMPTS))) throw codeRefused();
      if (!safeEqual(codeHashOf(tokenHash, body.code), code.codeHash)) throw codeRefused();
      const zip = await zipOf(request, row);
      if (!zip) throw packageGone();
      const at = deps.now().toISOString();
      await db.transaction().execute(async (trx) => {
        if (!(await store.markCodeUsed(trx, organization.id, code.id, at))) throw codeRefused();
        await store.countDownload(trx, organization.id, row.id, at);
        await appendTimeline(trx, {
          organizationId: organization.id,
          requestId: request.id,
          kind: 'package_downloaded',
          caller: null,
          actor: { actorType: 'requester', actorId: null, actorName: 'The requester' },
          data: { packageId: row.id },
          at,
        });
        await deps.audit.record(
          trx,
          { kind: 'anonymous', meta },
          {
            action: 'privacy_package.downloaded',
            organizationId: organization.id,
            targets: [
              { type: 'privacy_package', id: row.id },
              { type: 'privacy_request', id: request.id },
            ],
            metadata: { sizeBytes: zip.byteLength, sha256: row.sha256 },
          },
        );
      });
      return { zip, fileName: `personal-data-${request.id}.zip`, sha256: row.sha256 ?? '' };
    },
  };
}

export type PackagesService = ReturnType<typeof createPackagesService>;
