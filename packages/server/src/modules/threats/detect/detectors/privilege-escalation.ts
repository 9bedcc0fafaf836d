import type { Severity } from '@custos/shared';
import type { Detection } from '../../detection';
import type { Signal } from '../../signal';
import {
  type Detector,
  type DetectorInput,
  duration,
  escalated,
  evidenceOf,
  highest,
  lower,
  MINUTE,
  thresholds,
  userKey,
  userName,
  userSubject,
} from '../common';

const ADMIN_PERMISSIONS = new Set(['access:register', 'apikeys:create', 'privacy:erase']);
const SELF_GRANT = 'CANNOT_CHANGE_OWN_ROLES';
const ESCALATION_CODES = new Set([
  SELF_GRANT,
  'PERMISSION_NOT_GRANTABLE',
  'OWNER_REQUIRED',
  'ROLE_NOT_EDITABLE',
]);
/** Self-grant attempts reach the configured severity at this multiple of their threshold. */
const SELF_GRANT_FULL = 3;

function isEscalationAttempt(signal: Signal): boolean {
  const permission = signal.permission;
  if (permission && (permission.endsWith(':manage') || ADMIN_PERMISSIONS.has(permission))) return true;
  return signal.code !== null && ESCALATION_CODES.has(signal.code);
}

/**
 * A user probing for administrative power: repeated denials of admin permissions or of role changes
 * they may not make. Trying to change one's own roles is never an accident of the console (it
 * refuses it), so it fires at once.
 */
export const privilegeEscalation: Detector = {
  type: 'privilege_escalation',
  kinds: ['access_denied'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId || !isEscalationAttempt(signal)) return null;
    const th = thresholds('privilege_escalation', judge.settings);
    const windowMinutes = th('windowMinutes');
    const windowMs = windowMinutes * MINUTE;
    const key = userKey(judge.organizationId, userId, 'admin_denied');
    const evidenceKey = `${key}:ev`;
    const selfGrant = signal.code === SELF_GRANT;
    const [[denials = 0], [selfGrants = 0]] = await Promise.all([
      state.hit({
        key,
        member: signal.auditEventId,
        at: signal.at,
        keepMs: windowMs,
        windowsMs: [windowMs],
        note: { key: evidenceKey, item: evidenceOf(signal) },
      }),
      selfGrant
        ? state.hit({
            key: userKey(judge.organizationId, userId, 'self_grant'),
            member: signal.auditEventId,
            at: signal.at,
            keepMs: windowMs,
            windowsMs: [windowMs],
          })
        : Promise.resolve([0]),
    ]);
    const denialLimit = th('denials');
    const selfLimit = th('selfGrantAttempts');
    const denialsFire = denials >= denialLimit;
    const selfFires = selfGrant && selfGrants >= selfLimit;
    if (!denialsFire && !selfFires) return null;
    const base = judge.settings.severity;
    let severity: Severity = denialsFire ? escalated(base, denials, denialLimit) : 'low';
    if (selfFires)
      severity = highest(severity, selfGrants >= selfLimit * SELF_GRANT_FULL ? base : lower(base));
    const window = duration(windowMinutes);
    const parts: string[] = [];
    if (selfFires) {
      parts.push(
        `${userName(signal)} tried to change their own roles ${selfGrants === 1 ? 'once' : `${selfGrants} times`} ` +
          `in ${window} (threshold ${selfLimit})`,
      );
    }
    if (denialsFire) {
      parts.push(
        `${denials} administrative actions of ${userName(signal)} were denied in ${window} (threshold ${denialLimit})`,
      );
    }
    const refused = signal.permission ?? signal.code;
    return {
      type: 'privilege_escalation',
      severity,
      organizationId: judge.organizationId,
      dedupKey: `privilege_escalation:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country: signal.country,
      explanation: `${parts.join('; ')}${refused ? `; latest refused: ${refused}` : ''}.`,
      details: {
        denials,
        denialThreshold: denialLimit,
        selfGrantAttempts: selfGrants,
        selfGrantThreshold: selfLimit,
        windowMinutes,
        permission: signal.permission,
        code: signal.code,
      },
      evidence: await state.evidence(evidenceKey, signal.at - windowMs),
      userId,
    };
  },
};
