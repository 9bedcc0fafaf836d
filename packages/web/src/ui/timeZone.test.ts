import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A fresh copy of the module, reading whatever this storage holds. */
async function load(stored: Record<string, string> = {}) {
  const items = new Map(Object.entries(stored));
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => items.set(key, value),
  });
  vi.resetModules();
  const format = await import('../app/format');
  const timeZone = await import('./timeZone');
  return { format, timeZone, items };
}

describe('time zone setting', () => {
  beforeEach(() => vi.unstubAllGlobals());

  it("shows the viewer's zone by default", async () => {
    const { format } = await load();
    expect(format.displayTimeZone()).toBe(format.VIEWER_TIME_ZONE);
  });

  it('switches to UTC and remembers it', async () => {
    const { format, timeZone, items } = await load();
    timeZone.chooseTimeZone('utc');
    expect(format.displayTimeZone()).toBe('UTC');
    expect(JSON.parse(items.get('custos.timeZone') ?? '{}')).toMatchObject({ choice: 'utc' });
  });

  it("follows the organization's zone once known, and the viewer's while it is not", async () => {
    const { format, timeZone } = await load();
    timeZone.chooseTimeZone('organization');
    expect(format.displayTimeZone()).toBe(format.VIEWER_TIME_ZONE);
    timeZone.learnOrganizationTimeZone('Asia/Tokyo');
    expect(format.displayTimeZone()).toBe('Asia/Tokyo');
    timeZone.learnOrganizationTimeZone(undefined);
    expect(format.displayTimeZone()).toBe(format.VIEWER_TIME_ZONE);
  });

  it('starts in the remembered zone after a reload, ignoring garbage', async () => {
    const remembered = await load({
      'custos.timeZone': JSON.stringify({ choice: 'organization', organizationZone: 'Europe/Berlin' }),
    });
    expect(remembered.format.displayTimeZone()).toBe('Europe/Berlin');
    const garbled = await load({ 'custos.timeZone': '{"choice":"mars","organizationZone":"Mars/Olympus"}' });
    expect(garbled.format.displayTimeZone()).toBe(garbled.format.VIEWER_TIME_ZONE);
  });
});
