import type { SecurityEventOut } from '@custos/shared';
import type { Deps } from '../../deps';
import { accessPorts } from '../access/ports';
import { identity } from '../identity';
import type { OutboxService } from '../outbox';
import { sessionPorts } from '../sessions/ports';
import type { ResponseEffects } from './ports';

/** Plain words for the detectors a person gets told about. */
const WHAT_HAPPENED: Partial<Record<SecurityEventOut['type'], string>> = {
  brute_force_account: 'many failed sign-in attempts on your account',
  password_spraying: 'failed sign-in attempts on your account from many networks',
  impossible_travel: 'sign-ins to your account from places too far apart to travel between',
  account_takeover: 'a sign-in from a new device followed by a change to your credentials',
  privilege_escalation: 'repeated attempts to use administrator permissions from your account',
  data_exfiltration: 'unusually large exports from your account',
  new_country: 'a sign-in from a country you have not signed in from before',
  new_device: 'a sign-in from a device you have not used before',
  off_hours: 'activity at an unusual time for you',
};

/** What responses do to sessions, the access policy and the user's inbox. */
export function createResponseEffects(
  deps: Pick<Deps, 'db' | 'config' | 'log'> & { outbox: Pick<OutboxService, 'deliver'> },
): ResponseEffects {
  const { db, outbox, config, log } = deps;
  return {
    endSessions: (trx, organizationId, userId, options = {}) =>
      sessionPorts.revokeUserSessions(
        trx,
        userId,
        options.forgetDevices === false ? 'account_locked' : 'security_response',
        {
          organizationId,
        },
      ),
    demandStepUp: (trx, organizationId, userId) => sessionPorts.demandStepUp(trx, userId, organizationId),
    ipBlocksChanged: (trx, organizationId) => accessPorts.policyInputsChanged(trx, organizationId),
    async notifyUser(organizationId, userId, event) {
      try {
        const user = await identity.findUserById(db, userId);
        const organization = await identity.findOrganization(db, organizationId);
        if (!user || !organization)
          return { status: 'failed', error: 'not sent: the user or the organization no longer exists' };
        const what = WHAT_HAPPENED[event.type] ?? 'unusual activity on your account';
        const where = [event.sourceIp, event.country].filter(Boolean).join(', ');
        return await outbox.deliver(organizationId, {
          to: user.email,
          subject: `Security alert for your ${organization.name} account`,
          text: [
            `Hello ${user.name},`,
            '',
            `We noticed ${what}${where ? ` (${where})` : ''} at ${event.lastSeenAt}.`,
            '',
            'If this was you, there is nothing to do. If it was not, change your password now and',
            `review your sessions and sign-in methods: ${config.publicUrl}/security/me`,
            '',
            `Your ${organization.name} administrators have been told as well.`,
          ].join('\n'),
        });
      } catch (error) {
        log.warn({ err: error, organizationId }, 'could not notify the user of a security event');
        // The cause is in the server log; the console says only that it did not go.
        return { status: 'failed', error: 'not sent: an internal error stopped it (see the server log)' };
      }
    },
  };
}
