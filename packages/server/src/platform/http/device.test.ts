import { describe, expect, it } from 'vitest';
import { type DeviceHeaders, deviceHeaders, deviceInfo } from './device';

const UA = {
  chromeMac: (v = '131.0.0.0') =>
    `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v} Safari/537.36`,
  firefoxLinux: (v = '133.0') => `Mozilla/5.0 (X11; Linux x86_64; rv:${v}) Gecko/20100101 Firefox/${v}`,
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0',
  safariIpad:
    'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
};

const NONE: DeviceHeaders = {
  userAgent: null,
  acceptLanguage: null,
  chUa: null,
  chUaPlatform: null,
  chUaMobile: null,
};

const device = (headers: Partial<DeviceHeaders>) => deviceInfo({ ...NONE, ...headers });

describe('deviceInfo', () => {
  it.each([
    [UA.chromeMac(), 'Chrome', 'macOS', false],
    [UA.firefoxLinux(), 'Firefox', 'Linux', false],
    [UA.safariMac, 'Safari', 'macOS', false],
    [UA.edgeWindows, 'Microsoft Edge', 'Windows', false],
    [UA.safariIphone, 'Safari', 'iOS', true],
    [UA.chromeAndroid, 'Chrome', 'Android', true],
    [UA.firefoxAndroid, 'Firefox', 'Android', true],
    [UA.safariIpad, 'Safari', 'iOS', false],
  ])('reads %s', (userAgent, browser, platform, mobile) => {
    const info = device({ userAgent });
    expect(info).toMatchObject({ browser, platform, mobile, label: `${browser} on ${platform}` });
    expect(info.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prefers client hints over the user agent', () => {
    // Chrome freezes the user agent's OS part; the hint tells the truth.
    const info = device({
      userAgent: UA.chromeMac(),
      chUa: '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      chUaPlatform: '"Windows"',
      chUaMobile: '?1',
    });
    expect(info).toMatchObject({ browser: 'Chrome', platform: 'Windows', mobile: true });
    expect(info.label).toBe('Chrome on Windows');
  });

  it.each([
    ['"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"', 'Chrome'],
    ['"Chromium";v="131", "Microsoft Edge";v="131", "Not?A_Brand";v="99"', 'Microsoft Edge'],
    ['"Brave";v="131", "Chromium";v="131", "Not_A Brand";v="24"', 'Brave'],
    ['"Opera";v="115", "Chromium";v="131", "Not=A?Brand";v="8"', 'Opera'],
    ['" Not A;Brand";v="99", "Chromium";v="90"', 'Chromium'],
    ['"Not/A)Brand";v="8", "Chromium";v="126", "Samsung Internet";v="26"', 'Samsung Internet'],
  ])('names the browser from sec-ch-ua %s', (chUa, browser) => {
    expect(device({ userAgent: UA.chromeMac(), chUa }).browser).toBe(browser);
  });

  it('falls back to the user agent when the hints name nothing useful', () => {
    const info = device({
      userAgent: UA.chromeAndroid,
      chUa: '"Not A(Brand";v="99"',
      chUaPlatform: '"Unknown"',
      chUaMobile: 'maybe',
    });
    expect(info).toMatchObject({ browser: 'Chrome', platform: 'Android', mobile: true });
  });

  it('gives the same fingerprint with and without hints for the same browser', () => {
    const plain = device({ userAgent: UA.chromeMac(), acceptLanguage: 'en-US' });
    const hinted = device({
      userAgent: UA.chromeMac(),
      acceptLanguage: 'en-US',
      chUa: '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      chUaPlatform: '"macOS"',
      chUaMobile: '?0',
    });
    expect(hinted.fingerprint).toBe(plain.fingerprint);
  });

  it('keeps the fingerprint across browser updates', () => {
    const before = device({ userAgent: UA.chromeMac('130.0.0.0'), acceptLanguage: 'en-US,en;q=0.9' });
    const after = device({
      userAgent: UA.chromeMac('131.0.6778.86'),
      acceptLanguage: 'en-US,en;q=0.8,de;q=0.5',
      chUa: '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
    });
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(device({ userAgent: UA.firefoxLinux('134.0') }).fingerprint).toBe(
      device({ userAgent: UA.firefoxLinux('133.0') }).fingerprint,
    );
  });

  it('changes the fingerprint with the primary language, browser, OS or mobile flag', () => {
    const base = device({ userAgent: UA.chromeMac(), acceptLanguage: 'en-US,en;q=0.9' });
    const others = [
      device({ userAgent: UA.chromeMac(), acceptLanguage: 'de-DE,en;q=0.9' }),
      device({ userAgent: UA.chromeMac(), acceptLanguage: 'en' }),
      device({ userAgent: UA.safariMac, acceptLanguage: 'en-US' }),
      device({ userAgent: UA.chromeMac(), acceptLanguage: 'en-US', chUaPlatform: '"Linux"' }),
      device({ userAgent: UA.chromeMac(), acceptLanguage: 'en-US', chUaMobile: '?1' }),
    ];
    for (const other of others) expect(other.fingerprint).not.toBe(base.fingerprint);
    // Case and weights do not matter; only the first tag counts.
    expect(device({ userAgent: UA.chromeMac(), acceptLanguage: 'EN-us ;q=1, fr' }).fingerprint).toBe(
      base.fingerprint,
    );
  });

  it('is stable and labelled when nothing is known', () => {
    const info = device({});
    expect(info).toEqual({
      fingerprint: device({}).fingerprint,
      label: 'Unknown browser on Unknown OS',
      browser: null,
      platform: null,
      mobile: false,
    });
    expect(device({ userAgent: '', acceptLanguage: '*' }).fingerprint).toBe(info.fingerprint);
    expect(device({ userAgent: 'curl/8.5.0' })).toMatchObject({
      label: 'Unknown browser on Unknown OS',
      fingerprint: info.fingerprint,
    });
  });
});

describe('deviceHeaders', () => {
  it('picks the five headers, truncating long values', () => {
    const headers = deviceHeaders({
      'user-agent': 'x'.repeat(2000),
      'accept-language': 'en-US,en;q=0.9',
      'sec-ch-ua': ['"Brave";v="131"', '"Chromium";v="131"'],
      'sec-ch-ua-platform': '"Linux"',
      cookie: 'session=secret',
    });
    expect(headers).toEqual({
      userAgent: 'x'.repeat(512),
      acceptLanguage: 'en-US,en;q=0.9',
      chUa: '"Brave";v="131", "Chromium";v="131"',
      chUaPlatform: '"Linux"',
      chUaMobile: null,
    });
    expect(deviceInfo(headers)).toMatchObject({ browser: 'Brave', platform: 'Linux', mobile: false });
  });
});
