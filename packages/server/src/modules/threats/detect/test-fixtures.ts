import type { DetectorSettings, DetectorType } from '@custos/shared';
import type { Detection, ResolvedThreatSettings } from '../detection';
import type { Signal, SignalKind } from '../signal';
import { defaultThreatSettings } from './catalog';
import { MINUTE } from './common';
import { createDetectorEngine } from './engine';
import { MemoryDetectionState } from './memory-state';
import type { DetectionState } from './state';

/** Signal streams for the detector replay tests (test code only). */

export const T0 = Date.parse('2025-03-03T09:00:00.000Z');
export const ORG = 'org_a';
export const ALICE = 'usr_alice';

const ACTIONS: Record<SignalKind, string> = {
  sign_in_failed: 'user.sign_in_failed',
  sign_in_succeeded: 'user.signed_in',
  mfa_failed: 'user.mfa_failed',
  access_denied: 'access.denied',
  data_export: 'audit.exported',
  credential_changed: 'user.password_changed',
  role_changed: 'member.role_changed',
  activity: 'document.updated',
};

let seq = 0;

/** A signal of Alice in org_a from 203.0.113.7 (France) at T0, with `fields` over it. */
export function makeSignal(kind: SignalKind, fields: Partial<Signal> = {}): Signal {
  seq += 1;
  const at = fields.at ?? T0;
  const userId = fields.userId === undefined ? ALICE : fields.userId;
  return {
    kind,
    organizationId: ORG,
    auditEventId: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
    seq,
    action: ACTIONS[kind],
    userId,
    userLabel: userId === ALICE ? 'Alice' : userId,
    accountKey: userId ? `user:${userId}` : null,
    ip: '203.0.113.7',
    country: 'FR',
    device: 'chrome|macos|desktop',
    deviceLabel: 'Chrome on macOS',
    newDevice: false,
    newCountry: false,
    trustedOrigin: false,
    familiarIp: false,
    refused: false,
    permission: null,
    code: null,
    targetUserId: null,
    selfTarget: false,
    volume: 1,
    reason: null,
    ...fields,
    at,
    occurredAt: new Date(at).toISOString(),
  };
}

/** `count` signals spaced `everyMs` apart from `from` on. */
export function series(
  count: number,
  kind: SignalKind,
  fields: (i: number) => Partial<Signal> = () => ({}),
  from = T0,
  everyMs = MINUTE / 2,
): Signal[] {
  return Array.from({ length: count }, (_, i) => makeSignal(kind, { at: from + i * everyMs, ...fields(i) }));
}

/** Default settings with one detector's settings changed. */
export function settingsWith(type: DetectorType, patch: Partial<DetectorSettings>): ResolvedThreatSettings {
  const settings = defaultThreatSettings();
  const own = settings.detectors[type];
  settings.detectors[type] = { ...own, ...patch, thresholds: { ...own.thresholds, ...patch.thresholds } };
  return settings;
}

export interface Replay {
  /** Every detection of every signal, in order. */
  all: Detection[];
  /** Detections per signal, in order. */
  perSignal: Detection[][];
  of(type: DetectorType): Detection[];
}

/** Feeds the signals one by one through a fresh engine (or the given state) and collects detections. */
export async function replay(
  signals: Signal[],
  settings: ResolvedThreatSettings | null = null,
  state: DetectionState = new MemoryDetectionState(),
): Promise<Replay> {
  const engine = createDetectorEngine(state);
  const perSignal: Detection[][] = [];
  for (const signal of signals) perSignal.push(await engine.process(signal, settings));
  const all = perSignal.flat();
  return { all, perSignal, of: (type) => all.filter((d) => d.type === type) };
}
