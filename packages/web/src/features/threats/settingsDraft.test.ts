import type { DetectorSettings, DetectorType, ThreatSettingsOut } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { DETECTOR_ORDER } from './labels';
import {
  changeCount,
  defaultDetector,
  draftOf,
  draftProblems,
  OTHER_FIELD,
  serverProblems,
  thresholdField,
  updateBody,
} from './settingsDraft';

/** Every detector on at low severity without thresholds, but for the one under test. */
const detectors = Object.fromEntries(
  DETECTOR_ORDER.map((type): [DetectorType, DetectorSettings] => [
    type,
    { enabled: true, severity: 'low', thresholds: {} },
  ]),
) as Record<DetectorType, DetectorSettings>;
detectors.brute_force_account = {
  enabled: true,
  severity: 'high',
  thresholds: { failures: 10, windowMinutes: 15 },
};

const settings: ThreatSettingsOut = {
  detectors,
  responses: [
    {
      detector: 'brute_force_account',
      minSeverity: 'high',
      actions: [{ kind: 'lock_account', durationMinutes: 15 }],
    },
  ],
  catalog: [
    {
      type: 'brute_force_account',
      name: 'Brute force on an account',
      description: '',
      thresholds: [
        { key: 'failures', description: '', default: 10 },
        { key: 'windowMinutes', description: '', default: 15 },
      ],
      defaultSeverity: 'high',
    },
  ],
  updatedAt: null,
};

describe('detection settings draft', () => {
  it('has no changes when nothing was edited', () => {
    const draft = draftOf(settings);
    expect(changeCount(draft, settings)).toBe(0);
    expect(updateBody(draft, settings)).toEqual({});
  });

  it('sends only the changed detectors, and the rules when they changed', () => {
    const draft = draftOf(settings);
    const own = draft.detectors.brute_force_account;
    if (!own) throw new Error('missing detector');
    draft.detectors.brute_force_account = {
      ...own,
      severity: 'critical',
      thresholds: { ...own.thresholds, failures: 25 },
    };
    expect(updateBody(draft, settings)).toEqual({
      detectors: {
        brute_force_account: {
          enabled: true,
          severity: 'critical',
          thresholds: { failures: 25, windowMinutes: 15 },
        },
      },
    });
    draft.responses = [];
    expect(changeCount(draft, settings)).toBe(2);
    expect(updateBody(draft, settings).responses).toEqual([]);
  });

  it('resets a detector to the catalog defaults', () => {
    const info = settings.catalog[0];
    if (!info) throw new Error('missing catalog');
    expect(defaultDetector(info)).toEqual({
      enabled: true,
      severity: 'high',
      thresholds: { failures: 10, windowMinutes: 15 },
    });
  });

  it('refuses a cleared threshold and a rule without actions before asking the server', () => {
    const draft = draftOf(settings);
    const own = draft.detectors.brute_force_account;
    if (!own) throw new Error('missing detector');
    draft.detectors.brute_force_account = { ...own, thresholds: { ...own.thresholds, failures: '' } };
    const first = draft.responses[0];
    if (!first) throw new Error('missing rule');
    draft.responses = [{ ...first, actions: [] }];
    expect(draftProblems(draft)).toEqual({
      [thresholdField('brute_force_account', 'failures')]: 'Enter a number',
      'rule:0': 'Add at least one action',
    });
  });

  it('places the server’s complaints next to their fields', () => {
    const placed = serverProblems({
      status: 400,
      code: 'THREAT_SETTINGS_INVALID',
      message: 'The threat settings are not valid.',
      details: [
        'brute_force_account.failures: must be between 1 and 1000000',
        'new_device: unknown threshold "x" (known: none)',
        { path: 'responses.2.actions.0.durationMinutes', message: 'too big' },
        'something else',
      ],
    });
    expect(placed).toEqual({
      'detector:brute_force_account:failures': ['must be between 1 and 1000000'],
      'detector:new_device': ['unknown threshold "x" (known: none)'],
      'rule:2': ['too big'],
      [OTHER_FIELD]: ['something else'],
    });
    expect(
      serverProblems({
        status: 400,
        code: 'VALIDATION_FAILED',
        message: 'Invalid',
        details: [{ path: 'detectors.brute_force_ip.thresholds.failures', message: 'Too small' }],
      }),
    ).toEqual({ 'detector:brute_force_ip:failures': ['Too small'] });
    expect(
      serverProblems({
        status: 400,
        code: 'THREAT_SETTINGS_INVALID',
        message: '',
        details: { problems: ['off_hours.rarePercent: must be a number'] },
      }),
    ).toEqual({
      'detector:off_hours:rarePercent': ['must be a number'],
    });
  });
});
