import type { Detection, DetectorEngine, ResolvedThreatSettings } from '../detection';
import type { Signal, SignalKind } from '../signal';
import { defaultThreatSettings } from './catalog';
import type { Detector } from './common';
import { accountTakeover } from './detectors/account-takeover';
import { bruteForceAccount } from './detectors/brute-force-account';
import { bruteForceIp } from './detectors/brute-force-ip';
import { credentialStuffing } from './detectors/credential-stuffing';
import { dataExfiltration } from './detectors/data-exfiltration';
import { impossibleTravel } from './detectors/impossible-travel';
import { newCountry, newDevice } from './detectors/new-origin';
import { offHours } from './detectors/off-hours';
import { passwordSpraying } from './detectors/password-spraying';
import { privilegeEscalation } from './detectors/privilege-escalation';
import type { DetectionState } from './state';

export const DETECTORS: readonly Detector[] = [
  bruteForceAccount,
  bruteForceIp,
  credentialStuffing,
  passwordSpraying,
  impossibleTravel,
  newCountry,
  newDevice,
  accountTakeover,
  privilegeEscalation,
  dataExfiltration,
  offHours,
];

/** Which detectors look at each kind, so a signal only visits the detectors that care. */
const BY_KIND = new Map<SignalKind, Detector[]>();
for (const detector of DETECTORS) {
  for (const kind of detector.kinds) BY_KIND.set(kind, [...(BY_KIND.get(kind) ?? []), detector]);
}
const NONE: readonly Detector[] = [];

const DEFAULTS = defaultThreatSettings();

export function createDetectorEngine(
  state: DetectionState,
  options: { settingsFor?: (organizationId: string) => Promise<ResolvedThreatSettings> } = {},
): DetectorEngine {
  const { settingsFor } = options;
  const judgeFor = settingsFor
    ? async (organizationId: string, type: Detector['type']) => {
        const own = (await settingsFor(organizationId)).detectors[type];
        return own?.enabled ? { organizationId, settings: own } : null;
      }
    : undefined;
  return {
    async process(signal: Signal, settings: ResolvedThreatSettings | null): Promise<Detection[]> {
      const detectors = BY_KIND.get(signal.kind) ?? NONE;
      if (detectors.length === 0) return [];
      const organizationId = signal.organizationId;
      const resolved = settings ?? DEFAULTS;
      const runs: Array<Promise<Detection | null>> = [];
      for (const detector of detectors) {
        const own = organizationId ? resolved.detectors[detector.type] : undefined;
        const judge = own?.enabled && organizationId ? { organizationId, settings: own } : null;
        // Shared per-IP counters hear every signal (platform log, disabled detector) so an IP
        // attacking several tenants counts once; everything else runs only when it may fire.
        if (judge || detector.sharedCounters) runs.push(detector.detect({ signal, state, judge, judgeFor }));
      }
      if (runs.length === 0) return [];
      const results = await Promise.all(runs);
      return results.filter((d): d is Detection => d !== null);
    },
    close: () => state.close(),
  };
}
