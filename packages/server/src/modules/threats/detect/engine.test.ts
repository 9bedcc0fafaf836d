import { DETECTOR_TYPES, SecurityEventEvidence, SecurityEventSubject, Severity } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { defaultThreatSettings, FIXED_DETECTORS, resolveThreatSettings } from './catalog';
import { createDetectorEngine } from './engine';
import { MemoryDetectionState } from './memory-state';
import type { DetectionState } from './state';
import { attackStream } from './test-attack-stream';
import { makeSignal, ORG, replay, series, settingsWith } from './test-fixtures';

describe('detector engine', () => {
  it('an attack replay trips every detector, each detection well formed', async () => {
    const run = await replay(attackStream());
    // audit_tampering is raised by the audit trail's signer, not by signals.
    const fromSignals = DETECTOR_TYPES.filter((type) => !FIXED_DETECTORS.has(type));
    expect([...new Set(run.all.map((d) => d.type))].sort()).toEqual([...fromSignals].sort());
    for (const d of run.all) {
      expect(d.organizationId).toBe(ORG);
      expect(Severity.safeParse(d.severity).success).toBe(true);
      expect(SecurityEventSubject.safeParse(d.subject).success).toBe(true);
      expect(d.dedupKey.startsWith(`${d.type}:`)).toBe(true);
      expect(d.explanation).toMatch(/\.$/);
      expect(d.evidence.length).toBeGreaterThan(0);
      expect(d.evidence.length).toBeLessThanOrEqual(20);
      for (const e of d.evidence) expect(SecurityEventEvidence.safeParse(e).success).toBe(true);
      expect(JSON.parse(JSON.stringify(d.details))).toEqual(d.details);
      if (d.subject.type === 'user') expect(d.userId).toBe(d.subject.id);
    }
  });

  it('replays deterministically (signal time, not the wall clock)', async () => {
    const first = await replay(attackStream());
    const second = await replay(attackStream());
    const shape = (r: typeof first) =>
      r.perSignal.map((ds) => ds.map((d) => [d.type, d.severity, d.details]));
    expect(shape(second)).toEqual(shape(first));
  });

  it('disabled detectors never fire', async () => {
    const stored = {
      detectors: Object.fromEntries(
        DETECTOR_TYPES.map((type) => [type, { ...defaultThreatSettings().detectors[type], enabled: false }]),
      ),
      responses: null,
    };
    expect((await replay(attackStream(), resolveThreatSettings(stored))).all).toEqual([]);
    const onlyTravel = await replay(attackStream(), settingsWith('impossible_travel', { enabled: false }));
    expect(onlyTravel.of('impossible_travel')).toEqual([]);
    expect(onlyTravel.of('account_takeover')).not.toEqual([]);
  });

  it('configured severity is the base of a detection', async () => {
    const settings = settingsWith('new_device', { severity: 'high' });
    const run = await replay([makeSignal('sign_in_succeeded', { newDevice: true })], settings);
    expect(run.of('new_device')[0]?.severity).toBe('high');
  });

  it('platform-log signals (no organization) never produce a detection', async () => {
    const platform = series(200, 'sign_in_failed', (i) => ({
      organizationId: null,
      userId: null,
      accountKey: `email:h${i}`,
      reason: 'unknown_user',
    }));
    expect((await replay(platform)).all).toEqual([]);
  });

  it('signals no detector cares about touch no state', async () => {
    const state = new MemoryDetectionState();
    const engine = createDetectorEngine(state);
    expect(await engine.process(makeSignal('role_changed'), null)).toEqual([]);
    expect(state.size).toBe(0);
    // A disabled, non-shared detector does not even learn.
    const off = settingsWith('off_hours', { enabled: false });
    await engine.process(makeSignal('activity'), off);
    expect(state.size).toBe(0);
  });

  it('a failing state store rejects the call (the caller logs and skips); it does not throw synchronously', async () => {
    const broken = new Proxy(new MemoryDetectionState(), {
      get(target, prop, receiver) {
        if (prop === 'close') return () => Promise.resolve();
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? () => Promise.reject(new Error('store down')) : value;
      },
    }) as DetectionState;
    const engine = createDetectorEngine(broken);
    await expect(engine.process(makeSignal('sign_in_failed'), null)).rejects.toThrow('store down');
    await engine.close();
  });
});
