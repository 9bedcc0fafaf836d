import { DETECTOR_TYPES, DetectorSettings, ResponseRule } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import {
  DETECTOR_CATALOG,
  defaultThreatSettings,
  FIXED_DETECTORS,
  LOCK_SCOPE_BY_DETECTOR,
  resolveThreatSettings,
  thresholdProblems,
} from './catalog';

describe('detector catalog', () => {
  it('describes every configurable detector type once, with thresholds that have defaults', () => {
    const configurable = DETECTOR_TYPES.filter((type) => !FIXED_DETECTORS.has(type));
    expect(DETECTOR_CATALOG.map((d) => d.type).sort()).toEqual([...configurable].sort());
    for (const info of DETECTOR_CATALOG) {
      expect(info.name.length).toBeGreaterThan(0);
      expect(info.description.length).toBeGreaterThan(20);
      for (const t of info.thresholds)
        expect(thresholdProblems(info.type, { [t.key]: t.default })).toEqual([]);
    }
  });

  it('defaults: every detector enabled at its catalog severity, thresholds at their defaults', () => {
    const settings = defaultThreatSettings();
    for (const info of DETECTOR_CATALOG) {
      const own = settings.detectors[info.type];
      expect(DetectorSettings.parse(own)).toEqual(own);
      expect(own.enabled).toBe(true);
      expect(own.severity).toBe(info.defaultSeverity);
      expect(own.thresholds).toEqual(Object.fromEntries(info.thresholds.map((t) => [t.key, t.default])));
    }
    expect(settings.detectors.new_device.severity).toBe('low');
    expect(settings.detectors.off_hours.severity).toBe('low');
    expect(settings.detectors.brute_force_account.thresholds).toEqual({
      failures: 10,
      mfaFailures: 5,
      windowMinutes: 15,
    });
  });

  it('default response rules are valid and match the documented playbook', () => {
    const { responses } = defaultThreatSettings();
    for (const rule of responses) expect(ResponseRule.parse(rule)).toEqual(rule);
    const rule = (detector: string, minSeverity: string) =>
      responses.find((r) => r.detector === detector && r.minSeverity === minSeverity)?.actions;
    expect(rule('brute_force_account', 'high')).toEqual([
      { kind: 'lock_account', durationMinutes: 15 },
      { kind: 'notify_user' },
    ]);
    expect(rule('brute_force_ip', 'medium')).toEqual([{ kind: 'block_ip', durationMinutes: 30 }]);
    expect(rule('credential_stuffing', 'high')).toEqual([{ kind: 'block_ip', durationMinutes: 60 }]);
    expect(rule('account_takeover', 'critical')?.map((a) => a.kind)).toEqual([
      'end_sessions',
      'lock_account',
      'notify_user',
    ]);
    expect(rule('data_exfiltration', 'critical')).toEqual([{ kind: 'end_sessions' }]);
  });

  it('resolve: stored settings over defaults, missing thresholds defaulted, unknown ones dropped', () => {
    const resolved = resolveThreatSettings({
      detectors: {
        brute_force_account: { enabled: false, severity: 'critical', thresholds: { failures: 3, bogus: 1 } },
      },
      responses: null,
    });
    expect(resolved.detectors.brute_force_account).toEqual({
      enabled: false,
      severity: 'critical',
      thresholds: { failures: 3, mfaFailures: 5, windowMinutes: 15 },
    });
    expect(resolved.detectors.brute_force_ip).toEqual(defaultThreatSettings().detectors.brute_force_ip);
    expect(resolved.responses).toEqual(defaultThreatSettings().responses);
    expect(resolveThreatSettings({ detectors: {}, responses: [] }).responses).toEqual([]);
    expect(resolveThreatSettings(null)).toEqual(defaultThreatSettings());
  });

  it('resolve hands out fresh objects (changing one organization’s settings cannot leak)', () => {
    const a = resolveThreatSettings(null);
    a.detectors.off_hours.thresholds.minObservations = 1;
    expect(resolveThreatSettings(null).detectors.off_hours.thresholds.minObservations).toBe(50);
  });

  it('thresholdProblems refuses unknown names and out-of-range values', () => {
    expect(thresholdProblems('brute_force_account', { failures: 10, windowMinutes: 15 })).toEqual([]);
    expect(thresholdProblems('brute_force_account', { tries: 3 })[0]).toMatch(/unknown threshold "tries"/);
    expect(thresholdProblems('brute_force_account', { failures: 0 })[0]).toMatch(/between 1 and/);
    expect(thresholdProblems('brute_force_account', { windowMinutes: 0.5 })).toHaveLength(1);
    expect(thresholdProblems('brute_force_account', { failures: 2.5 })[0]).toMatch(/whole number/);
    expect(thresholdProblems('brute_force_ip', { windowMinutes: 1441 })[0]).toMatch(/between 1 and 1440/);
    expect(thresholdProblems('impossible_travel', { speedKmh: 1, minDistanceKm: -1 })).toHaveLength(2);
    expect(thresholdProblems('off_hours', { rarePercent: 0.5 })).toEqual([]);
    expect(thresholdProblems('new_device', { anything: 1 })[0]).toMatch(/known: none/);
    expect(thresholdProblems('data_exfiltration', { dailyCap: Number.NaN })[0]).toMatch(/number/);
  });

  it('credential guessing locks untrusted origins only; takeover locks everything', () => {
    expect(LOCK_SCOPE_BY_DETECTOR.brute_force_account).toBe('untrusted');
    expect(LOCK_SCOPE_BY_DETECTOR.password_spraying).toBe('untrusted');
    expect(LOCK_SCOPE_BY_DETECTOR.credential_stuffing).toBe('untrusted');
    expect(LOCK_SCOPE_BY_DETECTOR.brute_force_ip).toBe('untrusted');
    expect(LOCK_SCOPE_BY_DETECTOR.account_takeover).toBe('all');
    expect(Object.keys(LOCK_SCOPE_BY_DETECTOR).sort()).toEqual([...DETECTOR_TYPES].sort());
  });
});
