import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { hashToken } from '../../platform/crypto/tokens';

const NEW_PASSWORD = 'a completely different passphrase';
const RESET_SUBJECT = 'Reset your Custos password';
const LINK = /http:\/\/custos\.test\/reset-password#token=([A-Za-z0-9_-]+)/;

/** Reset mail is sent after the answer (so it does not tell accounts apart); wait for it. */
async function waitForResetLinks(t: TestApp, email: string, atLeast: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const rows = await t.db
      .selectFrom('outbox')
      .select(['bodyText', 'subject'])
      .where('recipient', '=', email)
      .where('subject', '=', RESET_SUBJECT)
      .orderBy('createdAt', 'asc')
      .orderBy('id', 'asc')
      .execute();
    const links = rows.flatMap((r) => {
      const match = LINK.exec(r.bodyText ?? '');
      return match?.[1] ? [match[1]] : [];
    });
    if (links.length >= atLeast) return links;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no reset mail for ${email}`);
}

/** Reset mails to the address (the invitation that made the member is not one). */
async function outboxCount(t: TestApp, email: string): Promise<number> {
  const rows = await t.db
    .selectFrom('outbox')
    .select('id')
    .where('recipient', '=', email)
    .where('subject', '=', RESET_SUBJECT)
    .execute();
  return rows.length;
}

/** Lets a mail the service might still be sending arrive before a test checks there is none. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe.each(backends)('password reset (%s)', (backend) => {
  let t: TestApp;
  let platform: TestOrg;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    platform = await t.createOrganization('Platform', { superAdmin: true });
    org = await t.createOrganization('Acme');
  });
  afterAll(() => t.close());

  const request = (email: unknown, remoteAddress?: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/request',
      payload: { email },
      ...(remoteAddress ? { remoteAddress } : {}),
    });
  const complete = (token: string, newPassword: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/complete',
      payload: { token, newPassword },
    });

  /** Asks for a link and returns its token (the newest mailed to the address). */
  async function resetToken(email: string): Promise<string> {
    const before = await outboxCount(t, email);
    const res = await request(email);
    expect(res.statusCode).toBe(200);
    const links = await waitForResetLinks(t, email, before + 1);
    return links[links.length - 1] as string;
  }

  it('answers an existing and an unknown address the same, and mails a link only to the existing one', async () => {
    const member = await t.addMember(org, ['member']);
    const unknown = t.uniqueEmail('nobody');
    const known = await request(member.email);
    const missing = await request(unknown);
    expect(known.statusCode).toBe(200);
    expect(missing.statusCode).toBe(200);
    // No SMTP in this test app: the answer says no e-mail is sent, for every address alike.
    expect(known.json()).toEqual({ ok: true, emailConfigured: false });
    expect(missing.json()).toEqual(known.json());
    expect(missing.headers['content-type']).toBe(known.headers['content-type']);

    const [token] = await waitForResetLinks(t, member.email, 1);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The super admin sees the undelivered message (no SMTP here) with its link in the outbox.
    const outbox = await t.inject({ url: '/api/v1/admin/outbox', token: platform.owner.token });
    const message = outbox
      .json()
      .messages.find((m: { to: string; text: string | null }) => m.to === member.email);
    expect(message).toMatchObject({ status: 'undelivered', subject: 'Reset your Custos password' });
    expect(message.text).toContain(`http://custos.test/reset-password#token=${token}`);
    await settle();
    expect(await outboxCount(t, unknown)).toBe(0);

    // Stored only as a hash.
    const rows = await t.db
      .selectFrom('passwordResetTokens')
      .select(['tokenHash', 'userId'])
      .where('userId', '=', member.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).not.toBe(token);
    expect(rows[0]?.tokenHash).toBe(hashToken(token as string));

    const events = await t.auditEvents('platform');
    const requested = events.find(
      (e) => e.action === 'user.password_reset_requested' && e.requestId === known.headers['x-request-id'],
    );
    expect(requested).toMatchObject({ outcome: 'success', targets: [{ type: 'user', id: member.id }] });
    // Probing an unknown address is recorded too (the address sealed as personal data), without a target.
    const probed = events.find(
      (e) => e.action === 'user.password_reset_requested' && e.requestId === missing.headers['x-request-id'],
    );
    expect(probed).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous', id: null, email: unknown },
      targets: [],
      metadata: { reason: 'unknown_account' },
    });
    // Even the token's hash stays out of the audit trail.
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('treats the address case- and space-insensitively', async () => {
    const member = await t.addMember(org, ['member']);
    const res = await request(`  ${member.email.toUpperCase()} `);
    expect(res.statusCode).toBe(200);
    expect(await waitForResetLinks(t, member.email, 1)).toHaveLength(1);
  });

  it('sets the new password, ends every session, does not sign in, and records user.password_reset', async () => {
    const member = await t.addMember(org, ['member']);
    const other = await t.signIn(member.email);
    const token = await resetToken(member.email);
    const res = await complete(token, NEW_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(res.headers['set-cookie']).toBeUndefined();

    for (const bearer of [member.token, other]) {
      const me = await t.inject({ url: '/api/v1/me', token: bearer });
      expect(me.statusCode).toBe(401);
    }
    const old = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: member.email, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe('INVALID_CREDENTIALS');
    await expect(t.signIn(member.email, NEW_PASSWORD)).resolves.toEqual(expect.any(String));

    const events = await t.auditEvents('platform');
    const reset = events.find(
      (e) => e.action === 'user.password_reset' && e.requestId === res.headers['x-request-id'],
    );
    expect(reset).toMatchObject({
      outcome: 'success',
      actor: { type: 'user', id: member.id },
      targets: [{ type: 'user', id: member.id }],
      metadata: { sessionsEnded: 2, impersonationsEnded: 0 },
    });
    const sessions = await t.db
      .selectFrom('sessions')
      .select(['revokedReason'])
      .where('userId', '=', member.id)
      .where('revokedAt', 'is not', null)
      .execute();
    expect(sessions.map((s) => s.revokedReason)).toEqual(['password_reset', 'password_reset']);
  });

  it('uses a link once, even when two requests race for it', async () => {
    const member = await t.addMember(org, ['member']);
    const token = await resetToken(member.email);
    const [a, b] = await Promise.all([complete(token, NEW_PASSWORD), complete(token, `${NEW_PASSWORD} 2`)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 400]);
    const again = await complete(token, `${NEW_PASSWORD} 3`);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('PASSWORD_RESET_INVALID');
    const winner = a.statusCode === 200 ? NEW_PASSWORD : `${NEW_PASSWORD} 2`;
    await expect(t.signIn(member.email, winner)).resolves.toEqual(expect.any(String));
    await expect(t.signIn(member.email, `${NEW_PASSWORD} 3`)).rejects.toThrow();
  });

  it('refuses an expired link and changes nothing', async () => {
    const member = await t.addMember(org, ['member']);
    const token = await resetToken(member.email);
    await t.db
      .updateTable('passwordResetTokens')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('tokenHash', '=', hashToken(token))
      .execute();
    const res = await complete(token, NEW_PASSWORD);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSWORD_RESET_INVALID');
    expect((await t.inject({ url: '/api/v1/me', token: member.token })).statusCode).toBe(200);
    await expect(t.signIn(member.email)).resolves.toEqual(expect.any(String));
  });

  it('voids a link once the password was changed another way', async () => {
    const member = await t.addMember(org, ['member']);
    const token = await resetToken(member.email);
    const changed = await t.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      token: member.token,
      payload: { currentPassword: PASSWORD, newPassword: 'another long passphrase here' },
    });
    expect(changed.statusCode).toBe(200);
    const res = await complete(token, NEW_PASSWORD);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSWORD_RESET_INVALID');
    await expect(t.signIn(member.email, 'another long passphrase here')).resolves.toEqual(expect.any(String));
  });

  it('a new request replaces the older link', async () => {
    const member = await t.addMember(org, ['member']);
    const first = await resetToken(member.email);
    const second = await resetToken(member.email);
    expect(second).not.toBe(first);
    expect(
      await t.db.selectFrom('passwordResetTokens').select('id').where('userId', '=', member.id).execute(),
    ).toHaveLength(1);
    const old = await complete(first, NEW_PASSWORD);
    expect(old.statusCode).toBe(400);
    expect(old.json().error.code).toBe('PASSWORD_RESET_INVALID');
    expect((await complete(second, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses a weak new password with nothing changed, and the link still works afterwards', async () => {
    const member = await t.addMember(org, ['member']);
    const token = await resetToken(member.email);
    const before = await t.count('auditEvents');
    const short = await complete(token, 'short pass');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('PASSWORD_TOO_SHORT');
    const common = await complete(token, 'passwordpassword');
    expect(common.statusCode).toBe(400);
    expect(common.json().error.code).toBe('PASSWORD_TOO_COMMON');
    const ownAddress = await complete(token, `my address is ${member.email}`);
    expect(ownAddress.json().error.code).toBe('PASSWORD_TOO_COMMON');
    expect(await t.count('auditEvents')).toBe(before);
    expect((await t.inject({ url: '/api/v1/me', token: member.token })).statusCode).toBe(200);
    await expect(t.signIn(member.email)).resolves.toEqual(expect.any(String));
    const row = await t.db
      .selectFrom('passwordResetTokens')
      .select('usedAt')
      .where('tokenHash', '=', hashToken(token))
      .executeTakeFirst();
    expect(row?.usedAt).toBeNull();
    expect((await complete(token, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it("enforces the organization's minimum password length", async () => {
    const strict = await t.createOrganization('Strict');
    const policy = await t.inject({
      method: 'PATCH',
      url: '/api/v1/security/policy',
      token: strict.owner.token,
      payload: { passwordMinLength: 20 },
    });
    expect(policy.statusCode).toBe(200);
    const member = await t.addMember(strict, ['member']);
    const token = await resetToken(member.email);
    const tooShort = await complete(token, 'seventeen chars!!');
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.code).toBe('PASSWORD_TOO_SHORT');
    expect(tooShort.json().error.message).toContain('20');
    await expect(t.signIn(member.email)).resolves.toEqual(expect.any(String));
    expect((await complete(token, 'twenty-two characters!')).statusCode).toBe(200);
    await expect(t.signIn(member.email, 'twenty-two characters!')).resolves.toEqual(expect.any(String));
  });

  it('does not bypass MFA: after the reset, sign-in still asks for the second factor', async () => {
    const member = await t.addMember(org, ['member']);
    const { secret } = await t.enrollTotp(member.token);
    const token = await resetToken(member.email);
    expect((await complete(token, NEW_PASSWORD)).statusCode).toBe(200);
    const signIn = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: member.email, password: NEW_PASSWORD, tokenType: 'bearer' },
    });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ mfaRequired: true });
    expect(signIn.json().token).toBeUndefined();
    await expect(t.signInWithTotp(member.email, secret, Date.now() + 30_000, NEW_PASSWORD)).resolves.toEqual(
      expect.any(String),
    );
  });

  it('sends no link to a disabled account, and a link issued before disabling stops working', async () => {
    const member = await t.addMember(org, ['member']);
    const early = await resetToken(member.email);
    const disabled = await t.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${member.id}/disable`,
      token: platform.owner.token,
      payload: { reason: 'left the company' },
    });
    expect(disabled.statusCode).toBe(200);
    const before = await outboxCount(t, member.email);
    const res = await request(member.email);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, emailConfigured: false });
    await settle();
    expect(await outboxCount(t, member.email)).toBe(before);
    const refused = (await t.auditEvents('platform')).find(
      (e) => e.action === 'user.password_reset_requested' && e.requestId === res.headers['x-request-id'],
    );
    expect(refused).toMatchObject({
      outcome: 'failure',
      targets: [{ type: 'user', id: member.id }],
      metadata: { reason: 'account_disabled' },
    });
    const used = await complete(early, NEW_PASSWORD);
    expect(used.statusCode).toBe(400);
    expect(used.json().error.code).toBe('PASSWORD_RESET_INVALID');
  });

  it('a link changes only its own account', async () => {
    const victim = await t.addMember(org, ['member']);
    const other = await t.createOrganization('Other tenant');
    const attacker = await t.addMember(other, ['owner']);
    const token = await resetToken(attacker.email);
    expect((await complete(token, NEW_PASSWORD)).statusCode).toBe(200);
    await expect(t.signIn(victim.email)).resolves.toEqual(expect.any(String));
    await expect(t.signIn(victim.email, NEW_PASSWORD)).rejects.toThrow();
    expect((await t.inject({ url: '/api/v1/me', token: victim.token })).statusCode).toBe(200);
  });

  it('rejects bad bodies and unknown links with 400', async () => {
    for (const payload of [{}, { email: 5 }, { email: 'x' }, { email: 'a'.repeat(300) }]) {
      const res = await t.inject({ method: 'POST', url: '/api/v1/auth/password-reset/request', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    for (const payload of [
      {},
      { token: 'short', newPassword: NEW_PASSWORD },
      { token: 'x'.repeat(43) },
      { token: 'x'.repeat(201), newPassword: NEW_PASSWORD },
      { token: 'x'.repeat(43), newPassword: 42 },
    ]) {
      const res = await t.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const unknown = await complete('x'.repeat(43), NEW_PASSWORD);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('PASSWORD_RESET_INVALID');
  });
});

describe.each(backends)('password reset rate limits (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend, { config: { CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '3' } });
    org = await t.createOrganization('Limited');
  });
  afterAll(() => t.close());

  const request = (email: string, remoteAddress: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/request',
      payload: { email },
      remoteAddress,
    });

  it('limits requests per address (whatever its case), for known and unknown addresses alike', async () => {
    const member = await t.addMember(org, ['member']);
    const spellings = [member.email, member.email.toUpperCase(), ` ${member.email}`];
    for (const [i, email] of spellings.entries())
      expect((await request(email, `10.1.0.${i + 1}`)).statusCode).toBe(200);
    const limited = await request(member.email, '10.1.0.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    const unknown = t.uniqueEmail('ghost');
    for (let i = 0; i < 3; i++) expect((await request(unknown, `10.2.0.${i + 1}`)).statusCode).toBe(200);
    const unknownLimited = await request(unknown, '10.2.0.9');
    expect(unknownLimited.statusCode).toBe(429);
    expect(unknownLimited.json().error.code).toBe(limited.json().error.code);

    // Another address is not affected.
    expect((await request(t.uniqueEmail('fresh'), '10.3.0.1')).statusCode).toBe(200);
    // Only the three allowed requests mailed a link.
    await waitForResetLinks(t, member.email, 3);
    await settle();
    expect(await outboxCount(t, member.email)).toBe(3);
  });
});
