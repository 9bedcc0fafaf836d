import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES } from '../../access/countries';
import { countryCentroid, countryDistanceKm, distanceKm } from './geo';

describe('country centroids', () => {
  it('know every ISO 3166-1 alpha-2 code GeoIP can answer', () => {
    const missing = [...COUNTRY_CODES].filter((code) => !countryCentroid(code));
    expect(missing).toEqual([]);
    expect(countryCentroid('fr')).toEqual(countryCentroid('FR'));
    expect(countryCentroid('ZZ')).toBeNull();
    expect(countryDistanceKm('FR', 'ZZ')).toBeNull();
  });

  it('measure great-circle distances (haversine)', () => {
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 0 })).toBe(0);
    // A quarter of the equator.
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 90 })).toBeCloseTo(10_007.5, 0);
    const paris = { lat: 48.8566, lon: 2.3522 };
    const sydney = { lat: -33.8688, lon: 151.2093 };
    expect(distanceKm(paris, sydney)).toBeGreaterThan(16_900);
    expect(distanceKm(paris, sydney)).toBeLessThan(17_000);
    expect(countryDistanceKm('FR', 'AU')).toBeGreaterThan(14_000);
    expect(countryDistanceKm('BE', 'NL')).toBeLessThan(500);
  });
});
