import type { Signal } from '../signal';
import { DAY, HOUR, MINUTE } from './common';
import { makeSignal, series, T0 } from './test-fixtures';

/**
 * One replay that trips every detector once at least (test code only): a week of Alice's office
 * hours, then an attack on a Monday morning.
 */
export function attackStream(): Signal[] {
  const midnight = T0 - (T0 % DAY);
  const out: Signal[] = [];
  // History: 7 days of office hours (feeds off_hours) and small daily exports (baseline).
  for (let d = 7; d >= 1; d--) {
    for (let h = 9; h < 17; h++) out.push(makeSignal('activity', { at: midnight - d * DAY + h * HOUR }));
    out.push(makeSignal('data_export', { at: midnight - d * DAY + 10 * HOUR, volume: 150 }));
  }
  const t = midnight + 9 * HOUR;
  // Brute force on Alice from one IP, plus enumeration of unknown addresses from it.
  out.push(...series(10, 'sign_in_failed', () => ({ ip: '203.0.113.66', reason: 'bad_password' }), t, 5000));
  out.push(
    ...series(
      20,
      'sign_in_failed',
      (i) => ({ ip: '203.0.113.66', userId: null, accountKey: `email:h${i}`, reason: 'unknown_user' }),
      t + MINUTE,
      5000,
    ),
  );
  // Spraying Bob's account from many IPs.
  out.push(
    ...series(5, 'sign_in_failed', (i) => ({ userId: 'usr_bob', ip: `198.51.100.${i}` }), t + 3 * MINUTE),
  );
  // Alice signs in from Paris, then from Sydney on a new device, then changes her password.
  out.push(makeSignal('sign_in_succeeded', { at: t + 10 * MINUTE, country: 'FR' }));
  out.push(
    makeSignal('sign_in_succeeded', {
      at: t + 40 * MINUTE,
      country: 'AU',
      ip: '192.0.2.10',
      newCountry: true,
      newDevice: true,
      device: 'new',
      deviceLabel: 'Edge on Windows',
    }),
  );
  out.push(makeSignal('credential_changed', { at: t + 45 * MINUTE, ip: '192.0.2.10' }));
  // Then tries to grant herself roles and exports everything.
  out.push(makeSignal('access_denied', { at: t + 50 * MINUTE, code: 'CANNOT_CHANGE_OWN_ROLES' }));
  out.push(makeSignal('data_export', { at: t + 55 * MINUTE, volume: 5000 }));
  // And keeps going at 03:00 the next night.
  out.push(makeSignal('activity', { at: midnight + DAY + 3 * HOUR }));
  return out;
}
