/** Threat detection: security events and their triage, detector settings, responses. */
export const THREAT_ERROR_CODES = [
  'SECURITY_EVENT_NOT_FOUND',
  'SECURITY_EVENT_TRANSITION_INVALID',
  'THREAT_SETTINGS_INVALID',
  'RESPONSE_NOT_FOUND',
  'RESPONSE_INVALID',
] as const;

/** The sign-in guard's refusals while a response is in force (a locked account, a blocked IP, a delay). */
export const GUARD_ERROR_CODES = ['ACCOUNT_LOCKED', 'IP_BLOCKED', 'SIGN_IN_DELAYED'] as const;
