import * as devices from './devices-store';
import * as store from './store';

/**
 * What other modules may do to sessions and trusted devices, inside their own transactions: the
 * threat responses end sessions or demand a step-up, the security policy ends idle sessions when
 * its timeout shrinks, the sign-in guard asks how well an account knows an origin. The tables stay
 * this module's: callers go through these, never through the store.
 */
export const sessionPorts = {
  revokeUserSessions: store.revokeUserSessions,
  revokeSessionsImpersonatedBy: store.revokeSessionsImpersonatedBy,
  demandStepUp: store.demandStepUp,
  endIdleSessions: store.endIdleSessions,
  trustOfOrigin: devices.trustOfOrigin,
  rememberDevice: devices.rememberDevice,
  /** Read only: each member's live sessions and newest sign-in in one organization. */
  memberSessionFacts: store.memberSessionFacts,
  /** Read only: a subject's sessions and trusted devices, for a privacy access request. */
  sessionsForSubjectCopy: store.sessionsForSubjectCopy,
  trustedDevicesForSubjectCopy: devices.trustedDevicesForSubjectCopy,
  /** Privacy retention of ended sessions: count (dry run) and remove, same condition. */
  countEndedSessionsBefore: store.countEndedSessionsBefore,
  deleteEndedSessionsBefore: store.deleteEndedSessionsBefore,
};
