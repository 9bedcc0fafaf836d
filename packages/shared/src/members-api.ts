import { z } from 'zod';
import { Id, MemberOut, Timestamp } from './api';
import type { Permission } from './permissions';

/**
 * Members with their security state, the actions an admin takes on it, and what "privileged" means.
 * The server computes `privileged` (modules/members/privileged.ts) from these permissions; the
 * overview's score counts with the same function, and the console explains it with the same list.
 */

/**
 * A member is privileged when their roles grant any of these: each can change who gets in, what
 * they may do, or how sign-in is protected (members and invitations, roles and access rules, the
 * security policy and threat responses, API keys, audit retention, encryption keys).
 */
export const PRIVILEGED_PERMISSIONS = [
  'members:invite',
  'members:manage',
  'access:manage',
  'security:manage',
  'apikeys:manage',
  'audit:manage',
  'keys:rotate',
] as const satisfies readonly Permission[];

export const MemberMfa = z.object({
  /** Confirmed authenticator apps. */
  totp: z.number().int(),
  /** Registered passkeys. */
  passkey: z.number().int(),
  /** Unused recovery codes exist. */
  recoveryCodes: z.boolean(),
});

export const MemberWithSecurity = MemberOut.extend({
  mfa: MemberMfa,
  /** The newest sign-in into this organization (null: none on record). */
  lastSignIn: z.object({ at: Timestamp, country: z.string().nullable() }).nullable(),
  /** Live sessions in this organization. */
  activeSessions: z.number().int(),
  /**
   * Until when sign-ins from devices and networks the member has not used before are refused after
   * too many failed attempts (null: not locked out).
   */
  lockedUntil: Timestamp.nullable(),
  /**
   * A lock placed by a security response (a detection's or an admin's) in this organization, lifted
   * on the Responses page: until when (null `until`: until lifted), and whether it spares the
   * member's own devices. Null: no lock in force.
   */
  responseLock: z
    .object({ until: Timestamp.nullable(), unknownDevicesOnly: z.boolean(), responseId: z.string() })
    .nullable(),
  /** A platform admin disabled the account: it cannot sign in anywhere. */
  disabled: z.boolean(),
  /** Holds a permission of PRIVILEGED_PERMISSIONS. */
  privileged: z.boolean(),
});
export const MemberList = z.object({ members: z.array(MemberWithSecurity) });

export const MEMBER_FILTERS = ['all', 'privileged-without-mfa', 'locked', 'without-mfa'] as const;
export type MemberFilter = (typeof MEMBER_FILTERS)[number];
export const MemberFilterSchema = z.enum(MEMBER_FILTERS);

export const ResetMfaResult = z.object({
  /** Factors removed (authenticator apps and passkeys). */
  factorsRemoved: z.number().int(),
  /** Sessions ended (the member signs in again with the password alone). */
  sessionsEnded: z.number().int(),
});
export const UnlockResult = z.object({ wasLocked: z.boolean() });

export const ResendInvitationBody = z.object({
  /**
   * false (default): e-mail a new link, as creating the invitation does. true: no e-mail; the new
   * link is answered for the admin to pass on by hand (and then proves no mailbox).
   */
  copyLink: z.boolean().default(false),
});
export const ResendInvitationParams = z.object({ id: Id });

export type MemberWithSecurity = z.infer<typeof MemberWithSecurity>;
export type MemberMfa = z.infer<typeof MemberMfa>;
export type ResetMfaResult = z.infer<typeof ResetMfaResult>;
export type UnlockResult = z.infer<typeof UnlockResult>;
export type ResendInvitationBody = z.input<typeof ResendInvitationBody>;

/** Whether the member has a second factor (recovery codes alone are none). */
export function hasMfa(member: Pick<MemberWithSecurity, 'mfa'>): boolean {
  return member.mfa.totp + member.mfa.passkey > 0;
}

/**
 * The Members page's filters. Disabled accounts are left out of the MFA filters, as the security
 * score leaves them out (they cannot sign in), so "privileged without MFA" lists exactly the
 * members the score's `admins_mfa` item counts.
 */
export function matchesMemberFilter(member: MemberWithSecurity, filter: MemberFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'privileged-without-mfa':
      return member.privileged && !member.disabled && !hasMfa(member);
    case 'without-mfa':
      return !member.disabled && !hasMfa(member);
    case 'locked':
      return member.lockedUntil !== null || member.responseLock !== null;
  }
}
