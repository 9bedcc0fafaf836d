import { createHmac, randomInt } from 'node:crypto';
import {
  type PublicPrivacyPageOut,
  type PublicPrivacyRequestVerified,
  REGIME_RULES,
  REGIMES,
  REQUEST_TYPE_INFO,
  REQUEST_TYPES,
  type RequestType,
  type SubmitPublicPrivacyRequestBody,
  type VerifyPublicPrivacyRequestBody,
} from '@custos/shared';
import type { z } from 'zod';
import type { Deps } from '../../../deps';
import { hashToken, newId, randomToken, safeEqual } from '../../../platform/crypto/tokens';
import type { RequestMeta } from '../../../platform/http/caller';
import { AppError, badRequest, notFound, rateLimited } from '../../../platform/http/errors';
import { identity } from '../../identity';
import type { OutboxService } from '../../outbox';
import type { RequestsService } from '../requests-service';
import type { PrivacySettingsService } from '../settings-service';
import * as store from './store';

type SubmitBody = z.output<typeof SubmitPublicPrivacyRequestBody>;
type VerifyBody = z.output<typeof VerifyPublicPrivacyRequestBody>;

const CODE_TTL_MS = 15 * 60_000;
const CODE_DIGITS = 8;
const MAX_ATTEMPTS = 5;
const HOUR_MS = 60 * 60_000;
/** Per IP: the page itself, submissions, code checks. Per address: submissions (no mail-bombing). */
export const PUBLIC_LIMITS = {
  describePerIp: { limit: 120, windowMs: 15 * 60_000 },
  submitPerIp: { limit: 20, windowMs: HOUR_MS },
  submitPerAddress: { limit: 5, windowMs: HOUR_MS },
  verifyPerIp: { limit: 30, windowMs: 15 * 60_000 },
} as const;

const pageNotFound = () =>
  notFound(
    'PRIVACY_PUBLIC_NOT_FOUND',
    'No organization takes privacy requests at this address. Check the link, or ask the organization how to reach them.',
  );

type CodeProblem = 'wrong' | 'expired' | 'too_many_attempts' | 'used';
const CODE_MESSAGES: Record<CodeProblem, string> = {
  wrong: 'That code is not right. Check the e-mail and type the code again.',
  expired: 'This code has expired. Send the request again to get a new code.',
  too_many_attempts: 'Too many wrong codes. Send the request again to get a new code.',
  used: 'This code has already been used. Your request was received; the organization will write to you.',
};
function codeInvalid(reason: CodeProblem, attemptsLeft?: number) {
  return badRequest('PRIVACY_PUBLIC_CODE_INVALID', CODE_MESSAGES[reason], {
    reason,
    ...(attemptsLeft !== undefined ? { attemptsLeft } : {}),
  });
}

export interface PublicIntakeDeps extends Pick<Deps, 'db' | 'limiter' | 'keyring' | 'log'> {
  outbox: OutboxService;
  requests: RequestsService;
  settings: PrivacySettingsService;
  now?: () => Date;
}

/**
 * The public request page: anyone asks an organization for their rights without an account, and an
 * e-mailed code proves the address. A submission does the same work (a request in `verifying`, a
 * code, a queued e-mail) for every address, so neither the answer nor its timing says whether the
 * organization knows it. The code is stored as a keyed hash bound to the submitter's token.
 */
export function createPublicIntakeService(deps: PublicIntakeDeps) {
  const { db, limiter, keyring, outbox, requests, settings, log } = deps;
  const now = deps.now ?? (() => new Date());
  const codeKey = keyring.derivedKey('privacy public request code');

  const codeHashOf = (tokenHash: string, code: string) =>
    createHmac('sha256', codeKey).update(`${tokenHash}\u0000${code}`).digest('hex');

  async function limit(key: string, rule: { limit: number; windowMs: number }): Promise<void> {
    const result = await limiter.consume(`privacy-public:${key}`, rule.limit, rule.windowMs);
    if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
  }

  /** The organization behind a slug, if it takes public requests (else the same 404 as no such slug). */
  async function organizationOf(slug: string) {
    const organization = await identity.findOrganization(db, slug);
    // findOrganization also matches ids; the public URL names organizations by slug only.
    if (!organization || organization.slug !== slug) throw pageNotFound();
    const resolved = await settings.resolve(db, organization.id);
    if (!resolved.publicIntake) throw pageNotFound();
    return organization;
  }

  function codeMail(organizationName: string, type: RequestType, code: string) {
    const minutes = CODE_TTL_MS / 60_000;
    return {
      subject: `${organizationName}: your code to confirm a privacy request`,
      text: [
        `Someone (hopefully you) asked ${organizationName} for ${REQUEST_TYPE_INFO[type].name.toLowerCase()} of their personal data, giving this address.`,
        '',
        `Your code: ${code}`,
        '',
        `Type it on the request page within ${minutes} minutes to confirm the request.`,
        'If it was not you, ignore this message: nothing happens without the code.',
      ].join('\n'),
    };
  }

  return {
    async describe(meta: RequestMeta, slug: string): Promise<PublicPrivacyPageOut> {
      await limit(`describe:ip:${meta.ip ?? 'unknown'}`, PUBLIC_LIMITS.describePerIp);
      const organization = await organizationOf(slug);
      return {
        organization: { name: organization.name, slug: organization.slug },
        requestTypes: REQUEST_TYPES.map((type) => ({ type, ...REQUEST_TYPE_INFO[type] })),
        regimes: REGIMES.map((regime) => ({ regime, name: REGIME_RULES[regime].name })),
        defaultRegime: 'gdpr',
        codeValidMinutes: CODE_TTL_MS / 60_000,
      };
    },

    /** Always `{ requestToken }`: the same answer, and the same work, for every address. */
    async submit(meta: RequestMeta, slug: string, body: SubmitBody): Promise<{ requestToken: string }> {
      await limit(`submit:ip:${meta.ip ?? 'unknown'}`, PUBLIC_LIMITS.submitPerIp);
      const organization = await organizationOf(slug);
      await limit(`submit:address:${body.email}`, PUBLIC_LIMITS.submitPerAddress);
      const token = randomToken(32);
      const tokenHash = hashToken(token);
      const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
      const at = now();
      await db.transaction().execute(async (trx) => {
        const request = await requests.openPublic(
          trx,
          organization.id,
          { meta, email: body.email },
          {
            type: body.type,
            regime: body.regime,
            email: body.email,
            ...(body.name ? { subjectName: body.name } : {}),
            ...(body.details ? { details: body.details } : {}),
          },
        );
        await store.insertCode(trx, {
          id: newId(),
          organizationId: organization.id,
          purpose: store.PURPOSE_REQUEST,
          requestId: request.id,
          packageId: null,
          emailIndex: request.emailIndex ?? '',
          codeHash: codeHashOf(tokenHash, code),
          tokenHash,
          attempts: 0,
          expiresAt: new Date(at.getTime() + CODE_TTL_MS).toISOString(),
          usedAt: null,
          createdAt: at.toISOString(),
        });
      });
      // Not awaited: a slow mail server must not make the answer's timing depend on the address.
      void outbox
        .deliver(organization.id, { to: body.email, ...codeMail(organization.name, body.type, code) })
        .catch((error: unknown) => log.warn({ err: error }, 'privacy: public request code mail failed'));
      return { requestToken: token };
    },

    /** The code from the e-mail: right → the request moves on; anything else → 400 with what to do. */
    async verify(meta: RequestMeta, slug: string, body: VerifyBody): Promise<PublicPrivacyRequestVerified> {
      await limit(`verify:ip:${meta.ip ?? 'unknown'}`, PUBLIC_LIMITS.verifyPerIp);
      const organization = await organizationOf(slug);
      const tokenHash = hashToken(body.requestToken);
      const row = await store.findByToken(db, organization.id, tokenHash);
      if (!row?.requestId) throw codeInvalid('expired');
      if (row.usedAt) throw codeInvalid('used');
      if (row.expiresAt <= now().toISOString()) throw codeInvalid('expired');
      // Counted before the check and outside the transaction below, so a wrong guess always counts.
      if (!(await store.countAttempt(db, organization.id, row.id, MAX_ATTEMPTS)))
        throw codeInvalid(row.usedAt ? 'used' : 'too_many_attempts');
      if (!safeEqual(codeHashOf(tokenHash, body.code), row.codeHash)) {
        const left = MAX_ATTEMPTS - (row.attempts + 1);
        throw left > 0 ? codeInvalid('wrong', left) : codeInvalid('too_many_attempts', 0);
      }
      const requestId = row.requestId;
      const request = await db
        .transaction()
        .execute(async (trx) => {
          if (!(await store.markUsed(trx, organization.id, row.id, now().toISOString())))
            throw codeInvalid('used');
          return requests.verifyPublic(trx, organization.id, { meta }, requestId);
        })
        .catch((error: unknown) => {
          // An administrator already verified, denied or canceled it: the code has nothing left to do.
          if (error instanceof AppError && error.code === 'PRIVACY_REQUEST_TRANSITION_INVALID')
            throw codeInvalid('used');
          throw error;
        });
      return {
        reference: request.id,
        type: request.type as RequestType,
        regime: request.regime as PublicPrivacyRequestVerified['regime'],
        receivedAt: request.receivedAt,
        dueDate: request.dueDate,
        organization: { name: organization.name },
      };
    },
  };
}

export type PublicIntakeService = ReturnType<typeof createPublicIntakeService>;
