import type { Deps } from '../../deps';
import { isoAfter, nowIso } from '../../platform/clock';
import { assertAcceptablePassword, hashPassword } from '../../platform/crypto/passwords';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import type { RequestMeta } from '../../platform/http/caller';
import { badRequest, rateLimited } from '../../platform/http/errors';
import { identity } from '../identity';
import type { OutboxService } from '../outbox';
import type { SecurityPolicyService } from '../security';
import type { SessionsService } from '../sessions';
import { passwordMinLengthFor } from './account';
import * as store from './store';

const RESET_TTL_MS = 30 * 60_000;

/**
 * Password reset by e-mailed link: 256-bit, single use, 30 minutes, stored hashed. The answer to a
 * request never says whether the address has an account. Completing it ends every session and does
 * not sign in, so the next sign-in still asks for the second factor.
 */
export function createPasswordResetService(
  deps: Deps & { outbox: OutboxService; sessions: SessionsService; policies: SecurityPolicyService },
) {
  const { db, config, limiter, audit, outbox, log } = deps;

  async function limit(key: string, limitPerWindow: number): Promise<void> {
    const result = await limiter.consume(key, limitPerWindow, config.signInLimits.windowMs);
    if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
  }

  const invalid = () =>
    badRequest('PASSWORD_RESET_INVALID', 'This reset link is invalid, used or expired. Ask for a new one.');

  return {
    /** Answers whether the link can be e-mailed at all (the same for every address). */
    async request(meta: RequestMeta, email: string): Promise<{ emailConfigured: boolean }> {
      const address = email.trim().toLowerCase();
      await limit(`reset:ip:${meta.ip ?? 'unknown'}`, config.signInLimits.perIp);
      await limit(`reset:account:${address}`, config.signInLimits.perAccount);
      const user = await identity.findUserByEmail(db, address);
      const eligible = user && !user.disabledAt ? user : null;
      const token = randomToken(32);
      // Every request writes one audited transaction, so the answer takes about as long whether or not
      // the address has an account (returning early for unknown ones made existing ones measurably
      // slower), and probing for accounts shows in the platform log.
      await db.transaction().execute(async (trx) => {
        if (eligible)
          await store.replaceResetToken(trx, eligible.id, hashToken(token), isoAfter(RESET_TTL_MS));
        await audit.record(
          trx,
          { kind: 'anonymous', meta },
          eligible
            ? {
                action: 'user.password_reset_requested',
                organizationId: null,
                actor: { type: 'anonymous', id: null, name: null },
                targets: [{ type: 'user', id: eligible.id }],
              }
            : {
                action: 'user.password_reset_requested',
                outcome: 'failure',
                organizationId: null,
                // The address tried is personal data: sealed as the actor's e-mail, as for failed sign-ins.
                actor: { type: 'anonymous', id: null, name: null, email: address },
                targets: user ? [{ type: 'user', id: user.id }] : [],
                metadata: { reason: user ? 'account_disabled' : 'unknown_account' },
              },
        );
      });
      const answer = { emailConfigured: deps.mailer.configured };
      if (!eligible) return answer;
      const link = `${config.publicUrl}/reset-password#token=${token}`;
      // Not awaited: the answer must not take longer for existing accounts than for unknown ones.
      void outbox
        .deliver(null, {
          to: eligible.email,
          subject: 'Reset your Custos password',
          text: `Someone (hopefully you) asked to reset the password of your Custos account.\n\nChoose a new password here (the link works once, for 30 minutes):\n${link}\n\nIf it was not you, ignore this message: your password stays as it is. Your second factor is still asked at sign-in.\n`,
        })
        .catch((error: unknown) => log.warn({ err: error }, 'password reset mail failed'));
      return answer;
    },

    async complete(meta: RequestMeta, token: string, newPassword: string): Promise<void> {
      await limit(`reset-complete:ip:${meta.ip ?? 'unknown'}`, config.signInLimits.perIp);
      const row = await store.findResetToken(db, hashToken(token));
      if (!row || row.usedAt || row.expiresAt <= nowIso()) throw invalid();
      const user = await identity.findUserById(db, row.userId);
      // A link from before the password last changed (e.g. by the user themself) is void.
      if (!user || user.disabledAt || user.passwordChangedAt > row.createdAt) throw invalid();
      assertAcceptablePassword(newPassword, {
        email: user.email,
        minLength: await passwordMinLengthFor(deps, user.id),
      });
      const passwordHash = await hashPassword(newPassword);
      await db.transaction().execute(async (trx) => {
        if (!(await store.useResetToken(trx, row.id))) throw invalid();
        // Ends every session of the user and the impersonations they started.
        const { sessionsEnded: ended, impersonationsEnded } = await identity.setPassword(
          trx,
          user.id,
          passwordHash,
          'password_reset',
        );
        await audit.record(
          trx,
          { kind: 'anonymous', meta },
          {
            action: 'user.password_reset',
            organizationId: null,
            actor: { type: 'user', id: user.id, name: user.name },
            targets: [{ type: 'user', id: user.id }],
            metadata: { sessionsEnded: ended, impersonationsEnded },
          },
        );
      });
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
