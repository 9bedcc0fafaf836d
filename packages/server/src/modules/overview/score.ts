import type { ScoreItem as ScoreItemSchema, SecurityPolicy } from '@custos/shared';
import type { z } from 'zod';

export type ScoreItem = z.infer<typeof ScoreItemSchema>;

/**
 * The security score: 0–100, the sum of the items below (weights sum to 100). Proportional items
 * round down, so an item shows its full points only when it is fully met.
 *
 * | key              | max | full points when                                   | partial                               |
 * | ---------------- | --- | -------------------------------------------------- | ------------------------------------- |
 * | admins_mfa       | 20  | every privileged member has a confirmed factor     | 20 × privileged with MFA / privileged |
 * | mfa_adoption     | 15  | every member has a confirmed factor                | 15 × members with MFA / members       |
 * | mfa_required     | 10  | the policy requires MFA of everyone                | 5 when required of some roles only    |
 * | no_open_threats  | 15  | no open or acknowledged critical or high event     | none                                  |
 * | stale_sessions   | 10  | no active session idle for more than 7 days        | 10 × (1 − stale / active)             |
 * | idle_timeout     | 10  | the idle timeout is 30 minutes or less             | 5 up to 2 hours                       |
 * | step_up_window   | 5   | the step-up window is 15 minutes or less           | none                                  |
 * | alert_channel    | 5   | at least one alert channel is enabled              | none                                  |
 * | access_rules     | 5   | at least one access rule is enabled                | none                                  |
 * | password_length  | 5   | the minimum password length is 12 or more          | none                                  |
 *
 * A privileged member is one whose roles grant a permission of PRIVILEGED_PERMISSIONS (shared):
 * members' `isPrivileged`, the one definition the Members page's flag and filter use too, so the
 * count here is the number of members the linked filter lists. Disabled accounts are not counted
 * (they cannot sign in). With nobody to count (no privileged members, members or sessions), a
 * proportional item earns its full points.
 */

export interface PostureFacts {
  /** Privileged members (see above), disabled accounts left out. */
  privileged: number;
  privilegedWithoutMfa: number;
  members: number;
  membersWithMfa: number;
  policy: Pick<
    SecurityPolicy,
    'mfaRequirement' | 'idleTimeoutMinutes' | 'stepUpMinutes' | 'passwordMinLength'
  >;
  openCritical: number;
  openHigh: number;
  activeSessions: number;
  staleSessions: number;
  alertChannelEnabled: boolean;
  accessRuleEnabled: boolean;
}

export const STALE_SESSION_DAYS = 7;
const GOOD_IDLE_MINUTES = 30;
const FAIR_IDLE_MINUTES = 120;
const GOOD_STEP_UP_MINUTES = 15;
const GOOD_PASSWORD_LENGTH = 12;

const LINKS = {
  privilegedWithoutMfa: '/members?filter=privileged-without-mfa',
  withoutMfa: '/members?filter=without-mfa',
  policy: '/settings/security',
  events: '/security/events',
  sessions: '/sessions',
  alerts: '/security/alerts',
  rules: '/access/rules',
} as const;

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Minutes as people say them: "15 minutes", "4 hours", "2 days", else "90 minutes". */
function minutesInWords(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes >= 60 && minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/** `max` × share of `good` in `all`, rounded down; all of it when there is nothing to count. */
const share = (max: number, good: number, all: number) => (all === 0 ? max : Math.floor((max * good) / all));

/** What "privileged" means, in the advice's words (PRIVILEGED_PERMISSIONS). */
const PRIVILEGED_MEANS =
  'can manage members or invitations, roles and access rules, the security policy, API keys, audit retention or encryption keys';

function adminsMfa(f: PostureFacts): ScoreItem {
  const max = 20;
  const without = f.privilegedWithoutMfa;
  return {
    key: 'admins_mfa',
    title: 'Privileged members use MFA',
    advice:
      without === 0
        ? `Nothing to do: all ${plural(f.privileged, 'privileged member')} (who ${PRIVILEGED_MEANS}) have a second factor. Keep it so by requiring MFA in the security policy.`
        : `${plural(without, 'privileged member')} (who ${PRIVILEGED_MEANS}) ${without === 1 ? 'has' : 'have'} no second factor: ask them to add an authenticator app or a passkey under My security, or require MFA for their roles in the security policy.`,
    points: share(max, f.privileged - without, f.privileged),
    maxPoints: max,
    link: LINKS.privilegedWithoutMfa,
  };
}

function mfaAdoption(f: PostureFacts): ScoreItem {
  const max = 15;
  const without = f.members - f.membersWithMfa;
  return {
    key: 'mfa_adoption',
    title: 'Members use MFA',
    advice:
      without === 0
        ? `Nothing to do: all ${plural(f.members, 'member')} have a second factor.`
        : `${f.membersWithMfa} of ${plural(f.members, 'member')} have a second factor: ask the other ${without} to add an authenticator app or a passkey under My security, or require MFA for everyone in the security policy.`,
    points: share(max, f.membersWithMfa, f.members),
    maxPoints: max,
    link: LINKS.withoutMfa,
  };
}

function mfaRequired(f: PostureFacts): ScoreItem {
  const max = 10;
  const { mfaRequirement } = f.policy;
  return {
    key: 'mfa_required',
    title: 'MFA is required by policy',
    advice:
      mfaRequirement === 'all'
        ? 'Nothing to do: the security policy requires MFA of every member.'
        : mfaRequirement === 'roles'
          ? 'MFA is required of some roles only: set the MFA requirement to "all members" in the security policy.'
          : 'MFA is optional: set the MFA requirement to "all members" in the security policy (members get a grace period to enrol).',
    points: mfaRequirement === 'all' ? max : mfaRequirement === 'roles' ? max / 2 : 0,
    maxPoints: max,
    link: LINKS.policy,
  };
}

/** An item met in full or not at all; `advice` is what is done, or what to do. */
function allOrNothing(item: {
  key: string;
  title: string;
  maxPoints: number;
  met: boolean;
  done: string;
  todo: string;
  link: string | null;
}): ScoreItem {
  return {
    key: item.key,
    title: item.title,
    advice: item.met ? `Nothing to do: ${item.done}` : item.todo,
    points: item.met ? item.maxPoints : 0,
    maxPoints: item.maxPoints,
    link: item.link,
  };
}

function noOpenThreats(f: PostureFacts): ScoreItem {
  const open = f.openCritical + f.openHigh;
  return allOrNothing({
    key: 'no_open_threats',
    title: 'No open critical or high events',
    maxPoints: 15,
    met: open === 0,
    done: 'no critical or high-severity security event is open.',
    todo: `${plural(open, 'critical or high-severity event')} ${open === 1 ? 'is' : 'are'} open (${f.openCritical} critical, ${f.openHigh} high): investigate each, respond (lock the account, block the address), then resolve it or mark it a false positive.`,
    link: LINKS.events,
  });
}

function staleSessions(f: PostureFacts): ScoreItem {
  const max = 10;
  return {
    key: 'stale_sessions',
    title: `No sessions idle for more than ${STALE_SESSION_DAYS} days`,
    advice:
      f.staleSessions === 0
        ? `Nothing to do: no active session has been idle for more than ${STALE_SESSION_DAYS} days.`
        : `${plural(f.staleSessions, 'active session')} of ${f.activeSessions} ${f.staleSessions === 1 ? 'has' : 'have'} been idle for more than ${STALE_SESSION_DAYS} days: end them on the Sessions page, and shorten the idle timeout in the security policy so they end by themselves.`,
    points: share(max, f.activeSessions - f.staleSessions, f.activeSessions),
    maxPoints: max,
    link: LINKS.sessions,
  };
}

function idleTimeout(f: PostureFacts): ScoreItem {
  const max = 10;
  const minutes = f.policy.idleTimeoutMinutes;
  return {
    key: 'idle_timeout',
    title: `Idle sessions end within ${GOOD_IDLE_MINUTES} minutes`,
    advice:
      minutes <= GOOD_IDLE_MINUTES
        ? `Nothing to do: idle sessions end after ${minutesInWords(minutes)}.`
        : `Idle sessions last ${minutesInWords(minutes)}: set “Sign out after inactivity” to ${GOOD_IDLE_MINUTES} minutes or less in the security policy.`,
    points: minutes <= GOOD_IDLE_MINUTES ? max : minutes <= FAIR_IDLE_MINUTES ? max / 2 : 0,
    maxPoints: max,
    link: LINKS.policy,
  };
}

function stepUpWindow(f: PostureFacts): ScoreItem {
  const minutes = f.policy.stepUpMinutes;
  return allOrNothing({
    key: 'step_up_window',
    title: `Sensitive actions need a verification within ${GOOD_STEP_UP_MINUTES} minutes`,
    maxPoints: 5,
    met: minutes <= GOOD_STEP_UP_MINUTES,
    done: `sensitive actions need a verification within ${minutesInWords(minutes)}.`,
    todo: `A verification covers sensitive actions for ${minutesInWords(minutes)}: set “Re-verify sensitive actions after” to ${GOOD_STEP_UP_MINUTES} minutes or less in the security policy.`,
    link: LINKS.policy,
  });
}

function alertChannel(f: PostureFacts): ScoreItem {
  return allOrNothing({
    key: 'alert_channel',
    title: 'Security alerts reach someone',
    maxPoints: 5,
    met: f.alertChannelEnabled,
    done: 'at least one alert channel is enabled.',
    todo: 'No alert channel is enabled: add a webhook or e-mail channel under Alerts so new security events reach someone.',
    link: LINKS.alerts,
  });
}

function accessRules(f: PostureFacts): ScoreItem {
  return allOrNothing({
    key: 'access_rules',
    title: 'Access rules limit where members sign in from',
    maxPoints: 5,
    met: f.accessRuleEnabled,
    done: 'at least one access rule is enabled.',
    todo: 'No access rule is enabled: add an IP, country or time rule under Access rules (for example, allow only your office network for admins).',
    link: LINKS.rules,
  });
}

function passwordLength(f: PostureFacts): ScoreItem {
  const length = f.policy.passwordMinLength;
  return allOrNothing({
    key: 'password_length',
    title: `Passwords have at least ${GOOD_PASSWORD_LENGTH} characters`,
    maxPoints: 5,
    met: length >= GOOD_PASSWORD_LENGTH,
    done: `passwords need at least ${length} characters.`,
    todo: `Passwords need only ${length} characters: set the minimum password length to ${GOOD_PASSWORD_LENGTH} or more in the security policy.`,
    link: LINKS.policy,
  });
}

const ITEMS = [
  adminsMfa,
  mfaAdoption,
  mfaRequired,
  noOpenThreats,
  staleSessions,
  idleTimeout,
  stepUpWindow,
  alertChannel,
  accessRules,
  passwordLength,
];

/** The score and its items, in the order above. */
export function securityScore(facts: PostureFacts): { value: number; items: ScoreItem[] } {
  const items = ITEMS.map((item) => item(facts));
  const value = items.reduce((sum, item) => sum + item.points, 0);
  return { value: Math.max(0, Math.min(100, Math.round(value))), items };
}
