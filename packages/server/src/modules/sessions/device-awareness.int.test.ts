import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';

const CHROME_MAC = {
  'user-agent':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'accept-language': 'en-US,en;q=0.9',
};
const CHROME_MAC_UPDATED = {
  ...CHROME_MAC,
  'user-agent': CHROME_MAC['user-agent'].replace('131.0.0.0', '132.0.6834.83'),
};
const FIREFOX_LINUX = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'accept-language': 'en-US,en;q=0.5',
};
const US_IP = '8.8.8.8';
const GB_IP = '81.2.69.142';

interface ListedSession {
  id: string;
  ip: string | null;
  country: string | null;
  device: string | null;
  newDevice: boolean;
  newCountry: boolean;
  current: boolean;
}

describe.each(backends)('device awareness (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Devices Co');
    other = await t.createOrganization('Other Devices Co');
  });
  afterAll(() => t.close());

  /** A member whose very first sign-in (accepting the invitation) is from `headers` at `ip`. */
  const joinFrom = async (target: TestOrg, headers: Record<string, string>, ip: string) => {
    const email = t.uniqueEmail('traveller');
    const invited = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: target.owner.token,
      payload: { email, roles: ['member'] },
    });
    const token = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
    const accepted = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Travelling Person', password: PASSWORD, tokenType: 'bearer' },
      headers,
      remoteAddress: ip,
    });
    expect(accepted.statusCode).toBe(200);
    return { id: accepted.json().user.id as string, email, token: accepted.json().token as string };
  };
  const signInFrom = async (email: string, headers: Record<string, string>, ip: string) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: PASSWORD, tokenType: 'bearer' },
      headers,
      remoteAddress: ip,
    });
    expect(res.statusCode).toBe(200);
    return res.json().token as string;
  };
  const sessionRow = (token: string) =>
    t.db
      .selectFrom('sessions')
      .selectAll()
      .where('tokenHash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
  const listed = async (token: string): Promise<ListedSession> => {
    const { id } = await sessionRow(token);
    const res = await t.inject({ url: '/api/v1/me/sessions', token });
    const found = (res.json().sessions as ListedSession[]).find((s) => s.id === id);
    if (!found) throw new Error(`session ${id} not listed`);
    return found;
  };
  const eventsSince = async (logId: string, before: number) =>
    t.auditEvents(logId, Math.max(1, (await t.count('auditEvents')) - before));

  it('does not flag the first sign-in, nor the same device again (a browser update included)', async () => {
    const before = await t.count('auditEvents');
    const user = await joinFrom(org, CHROME_MAC, US_IP);
    expect(await listed(user.token)).toMatchObject({
      device: 'Chrome on macOS',
      ip: US_IP,
      country: 'US',
      newDevice: false,
      newCountry: false,
      current: true,
    });
    const again = await signInFrom(user.email, CHROME_MAC, US_IP);
    expect(await listed(again)).toMatchObject({ newDevice: false, newCountry: false });
    const updated = await signInFrom(user.email, CHROME_MAC_UPDATED, US_IP);
    expect(await listed(updated)).toMatchObject({ device: 'Chrome on macOS', newDevice: false });
    const events = await eventsSince(org.id, before);
    expect(events.some((e) => e.action === 'user.new_device_signed_in')).toBe(false);
    expect(events.find((e) => e.action === 'user.signed_in')).toMatchObject({
      actor: { type: 'user', id: user.id },
      metadata: { device: 'Chrome on macOS', country: 'US', newDevice: false, newCountry: false },
    });
  });

  it('flags a new device, shows it in the session list and records user.new_device_signed_in', async () => {
    const user = await joinFrom(org, CHROME_MAC, US_IP);
    const before = await t.count('auditEvents');
    const firefox = await signInFrom(user.email, FIREFOX_LINUX, US_IP);
    const session = await listed(firefox);
    expect(session).toMatchObject({
      device: 'Firefox on Linux',
      ip: US_IP,
      country: 'US',
      newDevice: true,
      newCountry: false,
      current: true,
    });
    const events = await eventsSince(org.id, before);
    expect(events.find((e) => e.action === 'user.new_device_signed_in')).toMatchObject({
      actor: { type: 'user', id: user.id },
      targets: [
        { type: 'session', id: session.id },
        { type: 'user', id: user.id },
      ],
      metadata: { device: 'Firefox on Linux', country: 'US', newDevice: true, newCountry: false },
    });
    // the flag belongs to that session: the first one stays unflagged, and Firefox is known now
    expect(await listed(user.token)).toMatchObject({ newDevice: false });
    expect(await listed(await signInFrom(user.email, FIREFOX_LINUX, US_IP))).toMatchObject({
      newDevice: false,
    });
  });

  it('flags a new country for a known device', async () => {
    const user = await joinFrom(org, CHROME_MAC, US_IP);
    const before = await t.count('auditEvents');
    const fromGb = await signInFrom(user.email, CHROME_MAC, GB_IP);
    expect(await listed(fromGb)).toMatchObject({
      device: 'Chrome on macOS',
      ip: GB_IP,
      country: 'GB',
      newDevice: false,
      newCountry: true,
    });
    const events = await eventsSince(org.id, before);
    expect(events.find((e) => e.action === 'user.new_device_signed_in')).toMatchObject({
      metadata: { country: 'GB', newDevice: false, newCountry: true },
    });
    // GB is known from now on
    expect(await listed(await signInFrom(user.email, CHROME_MAC, GB_IP))).toMatchObject({
      newCountry: false,
    });
  });

  it('a private address has no country and does not make the next public one "new"', async () => {
    const user = await joinFrom(org, CHROME_MAC, '10.1.2.3');
    expect(await listed(user.token)).toMatchObject({ country: null, newCountry: false });
    const fromUs = await signInFrom(user.email, CHROME_MAC, US_IP);
    expect(await listed(fromUs)).toMatchObject({ country: 'US', newCountry: false });
  });

  it("history is per user: another user's devices and countries do not count", async () => {
    await joinFrom(org, FIREFOX_LINUX, GB_IP);
    const fresh = await joinFrom(other, CHROME_MAC, US_IP);
    const firefox = await signInFrom(fresh.email, FIREFOX_LINUX, GB_IP);
    expect(await listed(firefox)).toMatchObject({ newDevice: true, newCountry: true });
    // and the event lands in the user's own organization's log, not in another's
    const ownEvent = (await t.auditEvents(other.id, 5)).find((e) => e.action === 'user.new_device_signed_in');
    expect(ownEvent?.actor).toMatchObject({ id: fresh.id });
    const orgEvents = await t.auditEvents(org.id, 50);
    expect(orgEvents.some((e) => e.action === 'user.new_device_signed_in' && e.actor.id === fresh.id)).toBe(
      false,
    );
  });

  it('shows device details to admins of the organization, not of another', async () => {
    const user = await joinFrom(org, FIREFOX_LINUX, GB_IP);
    const { id } = await sessionRow(user.token);
    const mine = await t.inject({ url: `/api/v1/sessions?userId=${user.id}`, token: org.owner.token });
    expect(mine.json().sessions).toEqual([
      expect.objectContaining({ id, device: 'Firefox on Linux', country: 'GB', ip: GB_IP }),
    ]);
    const foreign = await t.inject({ url: `/api/v1/sessions?userId=${user.id}`, token: other.owner.token });
    expect(foreign.statusCode).toBe(404);
    const all = await t.inject({ url: '/api/v1/sessions', token: other.owner.token });
    expect(all.json().sessions.some((s: ListedSession) => s.id === id)).toBe(false);
  });
});
