import type { Deps } from '../../deps';
import { newId } from '../../platform/crypto/tokens';
import { deviceInfo } from '../../platform/http/device';
import { type AccessPolicies, createAccessPolicies } from '../access';
import { type CommittedAuditEvent, PLATFORM_LOG } from '../audit';
import { hashedEmail, type ThrottledAttempt } from '../auth';
import type { Detection, DetectorEngine } from './detection';
import { createSecurityEventsService } from './events-service';
import { createThreatPipeline } from './pipeline';
import type { AlertSink, ResponseEffects } from './ports';
import { createKeyedSerializer, createRaiser, type RaiseResult } from './raise';
import { createResponder } from './respond';
import { createThreatResponsesService } from './responses-service';
import { threatRoutes } from './routes';
import { createThreatSettingsService } from './settings-service';
import type { SignalContext } from './signal';

export type { Detection, DetectionEvidence, DetectorEngine, ResolvedThreatSettings } from './detection';
export { eventsByIds, eventsChangedSince, latestEvents, recordAlertSent } from './event-ports';
export type { SecurityEventsService } from './events-service';
export { normalizeIp } from './ip';
export type { ThreatPipeline, ThreatPipelineOptions, ThreatPipelineStats } from './pipeline';
export { createThreatPipeline } from './pipeline';
export type { AlertSink, ResponseEffects, SecurityChange } from './ports';
export { presentSecurityEvent } from './present';
export type { RaiseResult } from './raise';
export {
  activeAccountLocks,
  findSignInBlocks,
  listActiveIpBlocks,
  type SignInBlock,
} from './response-ports';
export type { ThreatResponsesService } from './responses-service';
export type { ThreatSettingsService } from './settings-service';
export type { Signal, SignalContext, SignalKind } from './signal';

/**
 * A sign-in refused before its password was checked, as detection hears it: a failed sign-in that
 * was never stored alone (it is counted in an `auth.sign_in_throttled` summary), so it has no seq.
 */
export function refusedSignInEvent(attempt: ThrottledAttempt, at: number): CommittedAuditEvent {
  const occurredAt = new Date(at).toISOString();
  return {
    id: newId(),
    logId: attempt.organizationId ?? PLATFORM_LOG,
    seq: 0,
    origin: 'custos',
    organizationId: attempt.organizationId,
    occurredAt,
    receivedAt: occurredAt,
    actor: {
      type: attempt.user ? 'user' : 'anonymous',
      id: attempt.user?.id ?? null,
      name: attempt.user?.name ?? null,
      ip: attempt.ip,
      userAgent: attempt.userAgent,
      ...(attempt.email ? { email: attempt.email } : {}),
    },
    impersonator: null,
    action: 'user.sign_in_failed',
    outcome: 'failure',
    targets: attempt.user ? [{ type: 'user', id: attempt.user.id }] : [],
    source: 'api',
    requestId: null,
    changes: null,
    metadata: {
      reason: attempt.reason,
      trust: attempt.trust,
      trustedOrigin: attempt.trust === 'device',
      refused: true,
    },
    personal: [],
    subjectRef: null,
  };
}

/** What the audit trail tells threat detection when its history was tampered with. */
export interface AuditTamperAlarm {
  organizationId: string;
  kind: string;
  message: string;
  signedSize: number | null;
  headSize: number | null;
  seq: number | null;
}

/** A rule of a compliance module broken (no detector saw it): raised as a security event. */
export interface ComplianceViolation {
  type: 'privacy_request_overdue';
  organizationId: string;
  dedupKey: string;
  subject: { type: 'privacy_request'; id: string; label: string | null };
  explanation: string;
  details: Record<string, unknown>;
}

/** Distinct user agents remembered per process; parsing one costs more than the rest of a signal. */
const DEVICE_CACHE_SIZE = 2_000;

/** How signals learn country and device from the audit event's IP and user agent. */
export function signalContextOf(deps: Pick<Deps, 'geo'>): SignalContext {
  const devices = new Map<string, { fingerprint: string; label: string }>();
  return {
    country: (ip) => deps.geo.country(ip),
    device(userAgent) {
      if (!userAgent) return null;
      const known = devices.get(userAgent);
      if (known) return known;
      const info = deviceInfo({
        userAgent,
        acceptLanguage: null,
        chUa: null,
        chUaPlatform: null,
        chUaMobile: null,
      });
      const device = { fingerprint: info.fingerprint, label: info.label };
      // A flood of made-up user agents must not grow memory: start over when full.
      if (devices.size >= DEVICE_CACHE_SIZE) devices.clear();
      devices.set(userAgent, device);
      return device;
    },
    hashEmail: hashedEmail,
  };
}

/**
 * Threat detection after the detectors: settings, security events, responses, and the pipeline
 * from committed audit events to all of them. `accessPolicies` (the process' shared one) checks
 * that an assignee can see security events; without it the module keeps its own cache.
 */
export function createThreatsModule(
  deps: Deps & {
    effects: ResponseEffects;
    alerts: AlertSink;
    engine: DetectorEngine;
    accessPolicies?: AccessPolicies;
  },
) {
  const accessPolicies = deps.accessPolicies ?? createAccessPolicies();
  const settings = createThreatSettingsService(deps);
  const raiser = createRaiser(deps);
  const responder = createResponder(deps);
  const events = createSecurityEventsService({
    ...deps,
    accessPolicies,
    raiser,
    responder,
    serialized: createKeyedSerializer(),
  });
  const responses = createThreatResponsesService({ ...deps, responder });
  const pipeline = createThreatPipeline({
    log: deps.log,
    engine: deps.engine,
    settingsFor: (organizationId) => settings.settingsFor(organizationId),
    signalContext: signalContextOf(deps),
    record: (detection, resolved, occurrences) => events.recordDetection(detection, resolved, occurrences),
  });
  return {
    settings,
    events,
    responses,
    responder,
    pipeline,
    /** The audit trail found its history changed in the database: a critical security event, deduplicated per kind. */
    async raiseAuditTampering(alarm: AuditTamperAlarm): Promise<void> {
      const detection: Detection = {
        type: 'audit_tampering',
        severity: 'critical',
        organizationId: alarm.organizationId,
        dedupKey: `audit_tampering:${alarm.kind}`,
        subject: { type: 'audit_log', id: alarm.organizationId, label: 'Audit trail' },
        sourceIp: null,
        country: null,
        explanation: alarm.message,
        details: { kind: alarm.kind, signedSize: alarm.signedSize, headSize: alarm.headSize, seq: alarm.seq },
        evidence: [],
        userId: null,
      };
      await events.recordDetection(detection, await settings.settingsFor(alarm.organizationId));
    },
    /**
     * A compliance violation (today: a privacy request past its due date) as a security event, so it
     * reaches the alert channels like any other. One open event per `dedupKey`; no user responses.
     */
    async raiseComplianceViolation(violation: ComplianceViolation): Promise<RaiseResult> {
      const detection: Detection = {
        type: violation.type,
        severity: 'high',
        organizationId: violation.organizationId,
        dedupKey: violation.dedupKey,
        subject: violation.subject,
        sourceIp: null,
        country: null,
        explanation: violation.explanation,
        details: violation.details,
        evidence: [],
        userId: null,
      };
      return events.recordDetection(detection, await settings.settingsFor(violation.organizationId));
    },
    routes: threatRoutes({ settings, events, responses }),
  };
}

export type ThreatsModule = ReturnType<typeof createThreatsModule>;
export { createAccountsPerIp } from './accounts-per-ip';
// The integrator's parts: the sign-in guard, trusted origins, delays, effects and the step-up gate.
export { createDelayStore } from './delays';
export { createResponseEffects } from './effects';
export { createSignInGuard, installationStuffingLimit } from './guard';
export { registerStepUpDemandGate } from './step-up-gate';
