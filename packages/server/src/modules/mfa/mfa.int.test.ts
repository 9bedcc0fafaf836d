import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { SoftAuthenticator } from '../../../test/soft-authenticator';
import { hashToken } from '../../platform/crypto/tokens';
import { CSRF_COOKIE, csrfTokenFor, SESSION_COOKIE } from '../../platform/http/session-cookies';
import { createMfaSecrets } from './secrets';
import { totpCodeAt } from './totp';

const ORIGIN = 'http://custos.test';
const RECOVERY_SHOWN = /^[abcdefghijkmnpqrstuvwxyz23456789]{5}-[abcdefghijkmnpqrstuvwxyz23456789]{5}$/;

/** A six-digit code that matches no step near now (two steps either side, for a step boundary). */
function wrongCode(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totpCodeAt(secret, Date.now() + d * 30_000)));
  let n = Number(totpCodeAt(secret));
  let code = '';
  do {
    n = (n + 1) % 1_000_000;
    code = String(n).padStart(6, '0');
  } while (near.has(code));
  return code;
}

function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = list.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

describe.each(backends)('my factors (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  const startTotp = (token: string, payload: unknown = { name: 'Phone' }) =>
    t.inject({ method: 'POST', url: '/api/v1/me/factors/totp', token, payload });
  const confirmTotp = (token: string, factorId: string, code: string, keepCurrentSession?: boolean) =>
    t.inject({
      method: 'POST',
      url: `/api/v1/me/factors/totp/${factorId}/confirm`,
      token,
      payload: { code, ...(keepCurrentSession === undefined ? {} : { keepCurrentSession }) },
    });
  const mySecurity = async (token: string) => {
    const res = await t.inject({ url: '/api/v1/me/security', token });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const factorRow = (id: string) =>
    t.db.selectFrom('mfaFactors').selectAll().where('id', '=', id).executeTakeFirst();
  const userRow = (id: string) =>
    t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const isLive = async (token: string) => (await t.inject({ url: '/api/v1/me', token })).statusCode === 200;

  async function challengeFor(email: string): Promise<string> {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().mfaRequired).toBe(true);
    return res.json().challenge;
  }
  const verify = (challenge: string, proof: Record<string, unknown>) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: { challenge, tokenType: 'bearer', ...proof },
    });

  async function addPasskey(token: string, authenticator: SoftAuthenticator, name = 'Laptop') {
    const opened = await t.inject({ method: 'POST', url: '/api/v1/me/factors/passkeys/options', token });
    expect(opened.statusCode).toBe(200);
    const { options, ceremony } = opened.json();
    const response = authenticator.register(options);
    return t.inject({
      method: 'POST',
      url: '/api/v1/me/factors/passkeys',
      token,
      payload: { ceremony, response, name },
    });
  }

  describe('authenticator apps', () => {
    it('starts an enrolment with a QR code and an otpauth URI, and stores the seed only sealed', async () => {
      const org = await t.createOrganization('Enrol');
      const before = await t.count('mfaFactors');
      const res = await startTotp(org.owner.token, { name: 'Work phone' });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      const uri = new URL(body.uri);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.host).toBe('totp');
      expect(decodeURIComponent(uri.pathname)).toBe(`/Custos (custos.test):${org.owner.email}`);
      expect(uri.searchParams.get('issuer')).toBe('Custos (custos.test)');
      expect(uri.searchParams.get('secret')).toBe(body.secret);

      expect(await t.count('mfaFactors')).toBe(before + 1);
      const row = await factorRow(body.factorId);
      expect(row).toMatchObject({
        userId: org.owner.id,
        type: 'totp',
        name: 'Work phone',
        confirmedAt: null,
      });
      expect(row?.secretSealed).toEqual(expect.any(String));
      expect(row?.secretSealed).not.toContain(body.secret);
      expect(JSON.stringify(row)).not.toContain(body.secret);
      // What is stored is the seed, sealed to this factor row.
      const secrets = createMfaSecrets(t.deps.keyring);
      expect(secrets.openTotpSecret(body.factorId, row?.secretSealed ?? '')).toBe(body.secret);
      expect(secrets.openTotpSecret(org.owner.id, row?.secretSealed ?? '')).toBeNull();

      // Unconfirmed: not a factor yet, MFA still off.
      expect((await mySecurity(org.owner.token)).factors).toEqual([]);
      expect((await userRow(org.owner.id)).mfaEnabledAt).toBeNull();
      const event = await t.lastAuditEvent(org.id);
      expect(event).toMatchObject({
        action: 'mfa.enrollment_started',
        outcome: 'success',
        actor: { type: 'user', id: org.owner.id },
        metadata: { type: 'totp' },
      });
      expect(event?.targets).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'mfa_factor', id: body.factorId })]),
      );
      expect(JSON.stringify(event)).not.toContain(body.secret);

      // Starting again drops the unfinished enrolment.
      const again = await startTotp(org.owner.token);
      expect(again.statusCode).toBe(201);
      expect(await factorRow(body.factorId)).toBeUndefined();
      expect(await t.count('mfaFactors')).toBe(before + 1);
    });

    it('refuses a wrong code and confirms nothing', async () => {
      const org = await t.createOrganization('Wrong code');
      const { factorId, secret } = (await startTotp(org.owner.token)).json();
      const eventsBefore = await t.count('auditEvents');
      const wrong = await confirmTotp(org.owner.token, factorId, wrongCode(secret));
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.code).toBe('MFA_CODE_INVALID');
      expect((await factorRow(factorId))?.confirmedAt).toBeNull();
      expect((await userRow(org.owner.id)).mfaEnabledAt).toBeNull();
      expect(
        await t.db.selectFrom('recoveryCodes').select('id').where('userId', '=', org.owner.id).execute(),
      ).toEqual([]);
      expect(await t.count('auditEvents')).toBe(eventsBefore);
      // The session was not rotated by the failure.
      expect(await isLive(org.owner.token)).toBe(true);
    });

    it('confirms with the current code: recovery codes once, with the first factor only', async () => {
      const org = await t.createOrganization('Confirm');
      const other = await t.signIn(org.owner.email);
      const { factorId, secret } = (await startTotp(org.owner.token)).json();
      const res = await confirmTotp(org.owner.token, factorId, totpCodeAt(secret));
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.factor).toMatchObject({ id: factorId, type: 'totp', name: 'Phone', backedUp: null });
      expect(body.factor.lastUsedAt).toEqual(expect.any(String));
      expect(body.recoveryCodes).toHaveLength(10);
      for (const code of body.recoveryCodes) expect(code).toMatch(RECOVERY_SHOWN);
      expect(new Set(body.recoveryCodes).size).toBe(10);
      // Recovery codes are stored as keyed hashes only.
      const stored = await t.db
        .selectFrom('recoveryCodes')
        .select(['codeHash', 'usedAt'])
        .where('userId', '=', org.owner.id)
        .execute();
      expect(stored).toHaveLength(10);
      const plain = body.recoveryCodes.map((c: string) => c.replace('-', ''));
      for (const row of stored) {
        expect(row.usedAt).toBeNull();
        expect(plain).not.toContain(row.codeHash);
        // argon2id with its own salt per code (ASVS 6.5.2: a 50-bit secret needs a slow, salted hash).
        expect(row.codeHash).toMatch(/^\$argon2id\$/);
      }
      // A factor change renews the token and ends the other session.
      expect(body.token).toEqual(expect.any(String));
      expect(await isLive(org.owner.token)).toBe(false);
      expect(await isLive(other)).toBe(false);
      expect(await isLive(body.token)).toBe(true);
      expect((await userRow(org.owner.id)).mfaEnabledAt).toEqual(expect.any(String));
      const event = await t.lastAuditEvent(org.id);
      expect(event).toMatchObject({
        action: 'mfa.factor_added',
        actor: { id: org.owner.id },
        metadata: { type: 'totp', firstFactor: true, otherSessionsEnded: 1 },
      });
      expect(JSON.stringify(event)).not.toContain(plain[0]);

      // Confirming twice is a conflict, not a second set of codes.
      const twice = await confirmTotp(body.token, factorId, totpCodeAt(secret));
      expect(twice.statusCode).toBe(409);
      expect(twice.json().error.code).toBe('FACTOR_ALREADY_CONFIRMED');

      // A second authenticator: no new recovery codes, the first set stays.
      const second = (await startTotp(body.token, { name: 'Tablet' })).json();
      const added = await confirmTotp(body.token, second.factorId, totpCodeAt(second.secret));
      expect(added.statusCode).toBe(200);
      expect(added.json().recoveryCodes).toBeNull();
      expect((await t.lastAuditEvent(org.id))?.metadata).toMatchObject({ type: 'totp', firstFactor: false });
      const after = await t.db
        .selectFrom('recoveryCodes')
        .select('codeHash')
        .where('userId', '=', org.owner.id)
        .execute();
      expect(after.map((r) => r.codeHash).sort()).toEqual(stored.map((r) => r.codeHash).sort());
      const security = await mySecurity(added.json().token);
      expect(security.factors.map((f: { name: string }) => f.name)).toEqual(['Phone', 'Tablet']);
      expect(security.recoveryCodes).toMatchObject({ remaining: 10 });
    });

    it('the code that confirmed the app is used up: it does not also pass the sign-in step', async () => {
      const org = await t.createOrganization('Confirm replay');
      const { factorId, secret } = (await startTotp(org.owner.token)).json();
      const code = totpCodeAt(secret);
      expect((await confirmTotp(org.owner.token, factorId, code)).statusCode).toBe(200);
      const res = await verify(await challengeFor(org.owner.email), { method: 'totp', code });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('MFA_CODE_INVALID');
    });

    it('one enrolment confirmed twice at once hands out one set of recovery codes', async () => {
      const org = await t.createOrganization('Confirm race');
      const { factorId, secret } = (await startTotp(org.owner.token)).json();
      const code = totpCodeAt(secret);
      const results = await Promise.all([1, 2].map(() => confirmTotp(org.owner.token, factorId, code)));
      const ok = results.filter((r) => r.statusCode === 200);
      expect(ok).toHaveLength(1);
      // The other is refused as already confirmed, or (its token renewed by the winner) as signed out.
      for (const r of results.filter((x) => x.statusCode !== 200)) expect([401, 409]).toContain(r.statusCode);
      // The codes shown are the codes that work.
      const shown: string[] = ok[0]?.json().recoveryCodes ?? [];
      expect(shown).toHaveLength(10);
      const res = await verify(await challengeFor(org.owner.email), {
        method: 'recovery_code',
        code: shown[0],
      });
      expect(res.statusCode).toBe(200);
    });

    it('two first factors added at once: the recovery codes shown are the ones kept', async () => {
      const org = await t.createOrganization('First factor race');
      const { factorId, secret } = (await startTotp(org.owner.token)).json();
      const opened = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys/options',
        token: org.owner.token,
      });
      const response = new SoftAuthenticator({ origin: ORIGIN }).register(opened.json().options);
      const [totp, passkey] = await Promise.all([
        confirmTotp(org.owner.token, factorId, totpCodeAt(secret)),
        t.inject({
          method: 'POST',
          url: '/api/v1/me/factors/passkeys',
          token: org.owner.token,
          payload: { ceremony: opened.json().ceremony, response },
        }),
      ]);
      // Both normally succeed; one may instead find its token renewed by the other (401).
      for (const r of [totp, passkey]) expect([200, 201, 401]).toContain(r.statusCode);
      const added = [totp, passkey].filter((r) => r.statusCode === 200 || r.statusCode === 201);
      expect(added.length).toBeGreaterThanOrEqual(1);
      const sets = added.map((r) => r.json().recoveryCodes).filter((c) => c !== null);
      expect(sets).toHaveLength(1);
      const res = await verify(await challengeFor(org.owner.email), {
        method: 'recovery_code',
        code: sets[0][0],
      });
      expect(res.statusCode).toBe(200);
    });

    it('the cookie flow gets the renewed session in its cookie', async () => {
      const org = await t.createOrganization('Cookie');
      const signedIn = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: org.owner.email, password: PASSWORD },
      });
      const session = cookieValue(signedIn.headers['set-cookie'], SESSION_COOKIE) ?? '';
      const headers = { 'x-csrf-token': csrfTokenFor(session) };
      const started = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/totp',
        cookies: { [SESSION_COOKIE]: session },
        headers,
        payload: {},
      });
      expect(started.statusCode).toBe(201);
      expect(started.json().factorId).toEqual(expect.any(String));
      const { factorId, secret } = started.json();
      const confirmed = await t.inject({
        method: 'POST',
        url: `/api/v1/me/factors/totp/${factorId}/confirm`,
        cookies: { [SESSION_COOKIE]: session },
        headers,
        payload: { code: totpCodeAt(secret) },
      });
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.json().token).toBeUndefined();
      expect(confirmed.json().factor.name).toBe('Authenticator app');
      const renewed = cookieValue(confirmed.headers['set-cookie'], SESSION_COOKIE) ?? '';
      expect(renewed).not.toBe(session);
      expect(cookieValue(confirmed.headers['set-cookie'], CSRF_COOKIE)).toBe(csrfTokenFor(renewed));
      expect((await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: renewed } })).statusCode).toBe(
        200,
      );
      expect((await t.inject({ url: '/api/v1/me', cookies: { [SESSION_COOKIE]: session } })).statusCode).toBe(
        401,
      );
    });

    it('keepCurrentSession=false on confirm ends this session too', async () => {
      const org = await t.createOrganization('Confirm and leave');
      const { factorId, secret } = (await startTotp(org.owner.token)).json();
      const res = await confirmTotp(org.owner.token, factorId, totpCodeAt(secret), false);
      expect(res.statusCode).toBe(200);
      expect(res.json().token).toBeUndefined();
      expect(res.json().recoveryCodes).toHaveLength(10);
      expect(await isLive(org.owner.token)).toBe(false);
    });
  });

  describe("another user's factors", () => {
    it('are not found, in another organization or in the same one', async () => {
      const mine = await t.createOrganization('Mine');
      const theirs = await t.createOrganization('Theirs');
      const colleague = await t.addMember(mine, ['admin']);
      const enrolled = await t.enrollTotp(theirs.owner.token);
      const pending = (await startTotp(enrolled.token, { name: 'Pending' })).json();
      const myEventsBefore = await t.count('auditEvents');
      for (const token of [mine.owner.token, colleague.token]) {
        const rename = await t.inject({
          method: 'PATCH',
          url: `/api/v1/me/factors/${enrolled.factorId}`,
          token,
          payload: { name: 'Stolen' },
        });
        expect(rename.statusCode).toBe(404);
        expect(rename.json().error.code).toBe('FACTOR_NOT_FOUND');
        const remove = await t.inject({
          method: 'DELETE',
          url: `/api/v1/me/factors/${enrolled.factorId}`,
          token,
        });
        expect(remove.statusCode).toBe(404);
        expect(remove.json().error.code).toBe('FACTOR_NOT_FOUND');
        const confirm = await confirmTotp(token, pending.factorId, totpCodeAt(pending.secret));
        expect(confirm.statusCode).toBe(404);
        expect(confirm.json().error.code).toBe('FACTOR_NOT_FOUND');
      }
      expect(await t.count('auditEvents')).toBe(myEventsBefore);
      expect(await factorRow(enrolled.factorId)).toMatchObject({ name: 'Phone' });
      expect((await factorRow(pending.factorId))?.confirmedAt).toBeNull();
      // An unknown id answers the same; a malformed one is a validation error.
      const unknown = await t.inject({
        method: 'DELETE',
        url: '/api/v1/me/factors/00000000-0000-4000-8000-000000000000',
        token: mine.owner.token,
      });
      expect(unknown.statusCode).toBe(404);
      const malformed = await t.inject({
        method: 'DELETE',
        url: '/api/v1/me/factors/not-a-uuid',
        token: mine.owner.token,
      });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
      // Their own list shows none of them to me.
      expect((await mySecurity(mine.owner.token)).factors).toEqual([]);
    });
  });

  describe('rename', () => {
    it('renames a factor, audits the change and validates the name', async () => {
      const org = await t.createOrganization('Rename');
      const { factorId, token } = await t.enrollTotp(org.owner.token);
      const rename = (name: unknown) =>
        t.inject({ method: 'PATCH', url: `/api/v1/me/factors/${factorId}`, token, payload: { name } });
      const ok = await rename('  Work phone  ');
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ id: factorId, type: 'totp', name: 'Work phone' });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'mfa.factor_renamed',
        changes: { name: ['Phone', 'Work phone'] },
      });
      const eventsBefore = await t.count('auditEvents');
      for (const name of ['', '   ', 'x'.repeat(65), 7, null]) {
        const bad = await rename(name);
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error.code).toBe('VALIDATION_FAILED');
      }
      expect(await t.count('auditEvents')).toBe(eventsBefore);
      expect((await factorRow(factorId))?.name).toBe('Work phone');
      const longest = await rename('y'.repeat(64));
      expect(longest.statusCode).toBe(200);
      expect((await factorRow(factorId))?.name).toBe('y'.repeat(64));
    });

    it('an unfinished enrolment cannot be renamed', async () => {
      const org = await t.createOrganization('Rename pending');
      const { factorId } = (await startTotp(org.owner.token)).json();
      const res = await t.inject({
        method: 'PATCH',
        url: `/api/v1/me/factors/${factorId}`,
        token: org.owner.token,
        payload: { name: 'Early' },
      });
      expect(res.statusCode).toBe(404);
    });
  });

  describe('remove', () => {
    it('needs a recent step-up', async () => {
      const org = await t.createOrganization('Remove step-up');
      const { factorId, token } = await t.enrollTotp(org.owner.token);
      await t.expireStepUp(token);
      const res = await t.inject({ method: 'DELETE', url: `/api/v1/me/factors/${factorId}`, token });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
      expect(res.json().error.details.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code']));
      expect(await factorRow(factorId)).toBeDefined();
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'user.step_up_challenged',
        outcome: 'success',
        metadata: { method: 'DELETE', route: '/api/v1/me/factors/:id' },
      });
      // So do starting an enrolment, passkey registration and new recovery codes.
      for (const [method, url] of [
        ['POST', '/api/v1/me/factors/totp'],
        ['POST', '/api/v1/me/factors/passkeys/options'],
        ['POST', '/api/v1/me/recovery-codes'],
      ] as const) {
        const denied = await t.inject({ method, url, token, payload: {} });
        expect(denied.statusCode).toBe(403);
        expect(denied.json().error.code).toBe('STEP_UP_REQUIRED');
      }
    });

    it('keeps the last factor while an organization of the user requires MFA', async () => {
      const home = await t.createOrganization('Home');
      const strict = await t.createOrganization('Strict');
      // The owner of Home is also a plain member of Strict, which requires MFA of everyone.
      await t.addMember(strict, ['member'], home.owner.email);
      const policy = await t.inject({
        method: 'PATCH',
        url: '/api/v1/security/policy',
        token: strict.owner.token,
        payload: { mfaRequirement: 'all' },
      });
      expect(policy.statusCode).toBe(200);
      const first = await t.enrollTotp(home.owner.token);
      const refused = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${first.factorId}`,
        token: first.token,
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('MFA_REQUIRED_BY_POLICY');
      expect(await factorRow(first.factorId)).toBeDefined();
      expect(await isLive(first.token)).toBe(true);

      // With a second factor, the first can go.
      const passkey = await addPasskey(first.token, new SoftAuthenticator({ origin: ORIGIN }));
      expect(passkey.statusCode).toBe(201);
      const token = passkey.json().token;
      const removed = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${first.factorId}`,
        token,
      });
      expect(removed.statusCode).toBe(200);
      const last = (await mySecurity(removed.json().token)).factors;
      expect(last).toHaveLength(1);
      const again = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${last[0].id}`,
        token: removed.json().token,
      });
      expect(again.statusCode).toBe(409);

      // Once the requirement is off, the last factor may go too.
      const off = await t.inject({
        method: 'PATCH',
        url: '/api/v1/security/policy',
        token: strict.owner.token,
        payload: { mfaRequirement: 'off' },
      });
      expect(off.statusCode).toBe(200);
      const gone = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${last[0].id}`,
        token: removed.json().token,
      });
      expect(gone.statusCode).toBe(200);
    });

    it('removing the last two factors at once leaves a consistent account', async () => {
      // Each removal must decide "is this the last one?" from what the other left behind.
      for (const required of [true, false]) {
        const org = await t.createOrganization(`Race ${required}`);
        const a = await t.enrollTotp(org.owner.token, 'A');
        const bStart = (await startTotp(a.token, { name: 'B' })).json();
        const token = (await confirmTotp(a.token, bStart.factorId, totpCodeAt(bStart.secret))).json().token;
        if (required) {
          const policy = await t.inject({
            method: 'PATCH',
            url: '/api/v1/security/policy',
            token,
            payload: { mfaRequirement: 'all' },
          });
          expect(policy.statusCode).toBe(200);
        }
        const results = await Promise.all(
          [a.factorId, bStart.factorId].map((id) =>
            t.inject({ method: 'DELETE', url: `/api/v1/me/factors/${id}`, token }),
          ),
        );
        const left = await t.db
          .selectFrom('mfaFactors')
          .select('id')
          .where('userId', '=', org.owner.id)
          .execute();
        const user = await userRow(org.owner.id);
        const codes = await t.db
          .selectFrom('recoveryCodes')
          .select('id')
          .where('userId', '=', org.owner.id)
          .execute();
        // A loser may also find its token renewed by the winner (401): it changed nothing either.
        for (const r of results) expect([200, 401, 409]).toContain(r.statusCode);
        // Whatever the interleaving: MFA is on exactly while a factor is left to answer it.
        expect(user.mfaEnabledAt === null).toBe(left.length === 0);
        expect(codes.length === 0).toBe(left.length === 0);
        if (required) {
          expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
          expect(left).toHaveLength(1);
        } else if (left.length === 0) {
          // No factor left: sign-in is the password again, not a challenge nobody can answer.
          const signedIn = await t.inject({
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            payload: { email: org.owner.email, password: PASSWORD, tokenType: 'bearer' },
          });
          expect(signedIn.json().token).toEqual(expect.any(String));
        }
      }
    });

    it('a requirement for other roles does not hold the last factor', async () => {
      const org = await t.createOrganization('Roles');
      const member = await t.addMember(org, ['auditor']);
      const policy = await t.inject({
        method: 'PATCH',
        url: '/api/v1/security/policy',
        token: org.owner.token,
        payload: { mfaRequirement: 'roles', mfaRoles: ['admin'] },
      });
      expect(policy.statusCode).toBe(200);
      const { factorId, token } = await t.enrollTotp(member.token);
      const res = await t.inject({ method: 'DELETE', url: `/api/v1/me/factors/${factorId}`, token });
      expect(res.statusCode).toBe(200);
    });

    it('ends the other sessions and renews this one, or ends it too', async () => {
      const org = await t.createOrganization('Remove sessions');
      const first = await t.enrollTotp(org.owner.token, 'One');
      const secondStart = (await startTotp(first.token, { name: 'Two' })).json();
      const second = await confirmTotp(first.token, secondStart.factorId, totpCodeAt(secondStart.secret));
      const token = second.json().token;
      // Another device, signed in with the second app.
      const elsewhere = await t.signInWithTotp(org.owner.email, secondStart.secret);
      expect(await isLive(elsewhere)).toBe(true);

      const kept = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${first.factorId}?keepCurrentSession=true`,
        token,
      });
      expect(kept.statusCode).toBe(200);
      expect(kept.json()).toEqual({ ok: true, token: expect.any(String) });
      const renewed = kept.json().token;
      expect(await isLive(token)).toBe(false);
      expect(await isLive(elsewhere)).toBe(false);
      expect(await isLive(renewed)).toBe(true);
      expect(await factorRow(first.factorId)).toBeUndefined();
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'mfa.factor_removed',
        metadata: { type: 'totp', mfaDisabled: false, otherSessionsEnded: 1 },
      });
      const revoked = await t.db
        .selectFrom('sessions')
        .select('revokedReason')
        .where('tokenHash', '=', hashToken(elsewhere))
        .executeTakeFirst();
      expect(revoked?.revokedReason).toBe('factor_changed');

      const ended = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${secondStart.factorId}?keepCurrentSession=false`,
        token: renewed,
      });
      expect(ended.statusCode).toBe(200);
      expect(ended.json()).toEqual({ ok: true });
      expect(await isLive(renewed)).toBe(false);
      // The last factor is gone: MFA is off, recovery codes are gone, sign-in is the password again.
      expect((await userRow(org.owner.id)).mfaEnabledAt).toBeNull();
      expect(
        await t.db.selectFrom('recoveryCodes').select('id').where('userId', '=', org.owner.id).execute(),
      ).toEqual([]);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'mfa.factor_removed',
        metadata: { mfaDisabled: true, otherSessionsEnded: 1 },
      });
      const back = await t.signIn(org.owner.email);
      expect(await isLive(back)).toBe(true);
    });
  });

  describe('recovery codes', () => {
    it('regenerating invalidates the old set; remaining counts down with each use', async () => {
      const org = await t.createOrganization('Codes');
      const { recoveryCodes: oldCodes, token } = await t.enrollTotp(org.owner.token);
      expect((await mySecurity(token)).recoveryCodes).toMatchObject({ remaining: 10 });

      const fresh = await t.inject({ method: 'POST', url: '/api/v1/me/recovery-codes', token });
      expect(fresh.statusCode).toBe(200);
      const newCodes: string[] = fresh.json().codes;
      expect(newCodes).toHaveLength(10);
      for (const code of newCodes) expect(code).toMatch(RECOVERY_SHOWN);
      expect(newCodes.some((c) => oldCodes.includes(c))).toBe(false);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'mfa.recovery_codes_generated',
        metadata: { count: 10 },
      });

      const old = await verify(await challengeFor(org.owner.email), {
        method: 'recovery_code',
        code: oldCodes[0],
      });
      expect(old.statusCode).toBe(400);
      expect(old.json().error.code).toBe('MFA_CODE_INVALID');

      // Typed in capitals, without the dash: still the code.
      const typed = (newCodes[3] ?? '').replace('-', '').toUpperCase();
      const ok = await verify(await challengeFor(org.owner.email), { method: 'recovery_code', code: typed });
      expect(ok.statusCode).toBe(200);
      const security = await mySecurity(ok.json().token);
      expect(security.recoveryCodes).toMatchObject({ remaining: 9 });
      expect(await t.count('recoveryCodes')).toBeGreaterThanOrEqual(10);
    });

    it('a user without a factor has none to regenerate', async () => {
      const org = await t.createOrganization('No codes');
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/me/recovery-codes',
        token: org.owner.token,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('MFA_METHOD_UNAVAILABLE');
      expect((await mySecurity(org.owner.token)).recoveryCodes).toBeNull();
    });
  });

  describe('passkeys', () => {
    it('registers two passkeys, lists both, and the same authenticator cannot register again', async () => {
      const org = await t.createOrganization('Passkeys');
      const laptop = new SoftAuthenticator({ origin: ORIGIN });
      const key = new SoftAuthenticator({ origin: ORIGIN });
      const first = await addPasskey(org.owner.token, laptop, 'Laptop');
      expect(first.statusCode).toBe(201);
      expect(first.json().factor).toMatchObject({ type: 'passkey', name: 'Laptop', backedUp: false });
      expect(first.json().recoveryCodes).toHaveLength(10);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'mfa.factor_added',
        metadata: { type: 'passkey', firstFactor: true },
      });
      const second = await addPasskey(first.json().token, key, 'Security key');
      expect(second.statusCode).toBe(201);
      expect(second.json().recoveryCodes).toBeNull();
      const token = second.json().token;

      const security = await mySecurity(token);
      expect(security.factors).toEqual([
        expect.objectContaining({ type: 'passkey', name: 'Laptop', backedUp: false }),
        expect.objectContaining({ type: 'passkey', name: 'Security key', backedUp: false }),
      ]);
      const rows = await t.db
        .selectFrom('mfaFactors')
        .select(['credentialId', 'publicKey', 'signCount', 'secretSealed'])
        .where('userId', '=', org.owner.id)
        .orderBy('createdAt')
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.credentialId).sort()).toEqual(
        [...laptop.credentialIds(), ...key.credentialIds()].sort(),
      );
      for (const row of rows) {
        expect(row.publicKey).toEqual(expect.any(String));
        expect(Number(row.signCount)).toBe(0);
        expect(row.secretSealed).toBeNull();
      }

      // The options exclude both credentials: the browser refuses to make a second one on them.
      const opened = await t.inject({ method: 'POST', url: '/api/v1/me/factors/passkeys/options', token });
      const { options } = opened.json();
      expect(options.excludeCredentials.map((c: { id: string }) => c.id).sort()).toEqual(
        [...laptop.credentialIds(), ...key.credentialIds()].sort(),
      );
      expect(options.rp).toEqual({ id: 'custos.test', name: 'Custos' });
      expect(() => laptop.register(options)).toThrow(/InvalidStateError/);
      expect(() => key.register(options)).toThrow(/InvalidStateError/);
      expect(laptop.credentialIds()).toHaveLength(1);
    });

    it('a ceremony belongs to its session and works once', async () => {
      const org = await t.createOrganization('Ceremony');
      const other = await t.signIn(org.owner.email);
      const authenticator = new SoftAuthenticator({ origin: ORIGIN });
      const opened = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys/options',
        token: org.owner.token,
      });
      const { options, ceremony } = opened.json();
      const response = authenticator.register(options);
      const fromOther = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        token: other,
        payload: { ceremony, response },
      });
      expect(fromOther.statusCode).toBe(400);
      expect(fromOther.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
      // A stranger in another organization cannot use it either.
      const stranger = await t.createOrganization('Stranger');
      const fromStranger = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        token: stranger.owner.token,
        payload: { ceremony, response },
      });
      expect(fromStranger.statusCode).toBe(400);
      expect(fromStranger.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
      expect((await mySecurity(stranger.owner.token)).factors).toEqual([]);

      const ok = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        token: org.owner.token,
        payload: { ceremony, response },
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().factor.name).toBe('Passkey');
      const twice = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        token: ok.json().token,
        payload: { ceremony, response },
      });
      expect(twice.statusCode).toBe(400);
      expect(twice.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
      expect((await mySecurity(ok.json().token)).factors).toHaveLength(1);
    });

    it('an expired ceremony is refused', async () => {
      const org = await t.createOrganization('Ceremony expiry');
      const opened = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys/options',
        token: org.owner.token,
      });
      const { options, ceremony } = opened.json();
      await t.db
        .updateTable('authChallenges')
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .where('tokenHash', '=', hashToken(ceremony))
        .execute();
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        token: org.owner.token,
        payload: { ceremony, response: new SoftAuthenticator({ origin: ORIGIN }).register(options) },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('PASSKEY_CEREMONY_INVALID');
    });

    it('refuses a tampered response, another origin and another challenge, and stores nothing', async () => {
      const org = await t.createOrganization('Tamper');
      const before = await t.count('mfaFactors');
      const authenticator = new SoftAuthenticator({ origin: ORIGIN });
      const attempt = async (
        make: (options: Parameters<SoftAuthenticator['register']>[0]) => Record<string, unknown>,
      ) => {
        const opened = await t.inject({
          method: 'POST',
          url: '/api/v1/me/factors/passkeys/options',
          token: org.owner.token,
        });
        const { options, ceremony } = opened.json();
        return t.inject({
          method: 'POST',
          url: '/api/v1/me/factors/passkeys',
          token: org.owner.token,
          payload: { ceremony, response: make(options) },
        });
      };
      const rewriteClientData = (
        response: ReturnType<SoftAuthenticator['register']>,
        change: (data: Record<string, unknown>) => void,
      ) => {
        const data = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
        change(data);
        const clientDataJSON = Buffer.from(JSON.stringify(data)).toString('base64url');
        return { ...response, response: { ...response.response, clientDataJSON } };
      };
      const cases = [
        // Another challenge written into the client data.
        (o: Parameters<SoftAuthenticator['register']>[0]) =>
          rewriteClientData(authenticator.register(o), (d) => {
            d.challenge = Buffer.from('not the challenge').toString('base64url');
          }),
        // A phishing origin.
        (o: Parameters<SoftAuthenticator['register']>[0]) =>
          authenticator.register(o, { origin: 'http://custos.test.evil.example' }),
        // An assertion type where a creation belongs.
        (o: Parameters<SoftAuthenticator['register']>[0]) =>
          rewriteClientData(authenticator.register(o), (d) => {
            d.type = 'webauthn.get';
          }),
        // The authenticator data made for another relying party (its RP ID hash flipped).
        (o: Parameters<SoftAuthenticator['register']>[0]) => {
          const r = authenticator.register(o);
          const bytes = Buffer.from(r.response.attestationObject, 'base64url');
          const at = bytes.indexOf(createHash('sha256').update('custos.test').digest());
          expect(at).toBeGreaterThan(0);
          bytes[at] = (bytes[at] ?? 0) ^ 0xff;
          return { ...r, response: { ...r.response, attestationObject: bytes.toString('base64url') } };
        },
      ];
      for (const [i, make] of cases.entries()) {
        const res = await attempt(make);
        expect(res.statusCode, `case ${i}`).toBe(400);
        expect(res.json().error.code).toBe('PASSKEY_VERIFICATION_FAILED');
      }
      expect(await t.count('mfaFactors')).toBe(before);
      expect((await userRow(org.owner.id)).mfaEnabledAt).toBeNull();
      expect(await isLive(org.owner.token)).toBe(true);
    });

    it('removes one passkey and keeps the other', async () => {
      const org = await t.createOrganization('Remove passkey');
      const a = await addPasskey(org.owner.token, new SoftAuthenticator({ origin: ORIGIN }), 'A');
      const b = await addPasskey(a.json().token, new SoftAuthenticator({ origin: ORIGIN }), 'B');
      const token = b.json().token;
      const res = await t.inject({
        method: 'DELETE',
        url: `/api/v1/me/factors/${a.json().factor.id}`,
        token,
      });
      expect(res.statusCode).toBe(200);
      const security = await mySecurity(res.json().token);
      expect(security.factors.map((f: { name: string }) => f.name)).toEqual(['B']);
      expect(security.recoveryCodes).toMatchObject({ remaining: 10 });
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'mfa.factor_removed',
        metadata: { type: 'passkey', mfaDisabled: false },
      });
    });

    it('registration needs a recent step-up', async () => {
      const org = await t.createOrganization('Passkey step-up');
      const opened = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys/options',
        token: org.owner.token,
      });
      const { options, ceremony } = opened.json();
      await t.expireStepUp(org.owner.token);
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/me/factors/passkeys',
        token: org.owner.token,
        payload: { ceremony, response: new SoftAuthenticator({ origin: ORIGIN }).register(options) },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
      expect(res.json().error.details.methods).toEqual(['password']);
    });
  });

  describe('enrolment gate', () => {
    it('a member past the grace period can only enrol; then everything opens again', async () => {
      const org = await t.createOrganization('Gate');
      const member = await t.addMember(org, ['admin']);
      const policy = await t.inject({
        method: 'PATCH',
        url: '/api/v1/security/policy',
        token: org.owner.token,
        payload: { mfaRequirement: 'all', mfaGraceDays: 0 },
      });
      expect(policy.statusCode).toBe(200);
      const blocked = await t.inject({ url: '/api/v1/members', token: member.token });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().error.code).toBe('MFA_ENROLLMENT_REQUIRED');
      expect(blocked.json().error.details.deadline).toEqual(expect.any(String));
      for (const url of [
        '/api/v1/me',
        '/api/v1/me/security',
        '/api/v1/me/sessions',
        '/api/v1/auth/step-up/options',
      ]) {
        expect((await t.inject({ url, token: member.token })).statusCode, url).toBe(200);
      }
      expect((await mySecurity(member.token)).mfaEnrollment).toMatchObject({
        required: true,
        blocking: true,
      });
      // Another member's factor ids are no way around it.
      const renamed = await t.inject({
        method: 'PATCH',
        url: '/api/v1/me/factors/00000000-0000-4000-8000-000000000000',
        token: member.token,
        payload: { name: 'x' },
      });
      expect(renamed.json().error.code).toBe('MFA_ENROLLMENT_REQUIRED');
      const { token } = await t.enrollTotp(member.token);
      expect((await t.inject({ url: '/api/v1/members', token })).statusCode).toBe(200);
      expect((await mySecurity(token)).mfaEnrollment).toMatchObject({ required: false, blocking: false });
      // The owner (also covered) keeps the grace period of their own, which the zero days ended too.
      expect((await t.inject({ url: '/api/v1/members', token: org.owner.token })).statusCode).toBe(403);
    });
  });

  describe('who may call', () => {
    let org: TestOrg;
    let apiKey: string;
    beforeAll(async () => {
      org = await t.createOrganization('Callers');
      const created = await t.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        token: org.owner.token,
        payload: { name: 'ci', permissions: ['audit:read', 'security:manage'] },
      });
      expect(created.statusCode).toBe(201);
      apiKey = created.json().secret;
    });

    const routes = [
      ['GET', '/api/v1/me/security', undefined],
      ['POST', '/api/v1/me/factors/totp', { name: 'x' }],
      ['POST', '/api/v1/me/factors/totp/00000000-0000-4000-8000-000000000000/confirm', { code: '123456' }],
      ['POST', '/api/v1/me/factors/passkeys/options', undefined],
      ['PATCH', '/api/v1/me/factors/00000000-0000-4000-8000-000000000000', { name: 'x' }],
      ['DELETE', '/api/v1/me/factors/00000000-0000-4000-8000-000000000000', undefined],
      ['POST', '/api/v1/me/recovery-codes', undefined],
    ] as const;

    it('API keys get 403 on /me routes', async () => {
      const before = await t.count('mfaFactors');
      for (const [method, url, payload] of routes) {
        const res = await t.inject({ method, url, token: apiKey, payload });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
      expect(await t.count('mfaFactors')).toBe(before);
      expect(await t.lastAuditEvent(org.id)).toMatchObject({
        action: 'access.denied',
        actor: { type: 'api_key' },
      });
    });

    it('anonymous callers get 401', async () => {
      for (const [method, url, payload] of routes) {
        const res = await t.inject({ method, url, payload });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
      }
    });

    it('bad bodies answer VALIDATION_FAILED and write nothing', async () => {
      const { factorId, secret, token } = await t.enrollTotp(org.owner.token);
      const pending = (await startTotp(token, { name: 'Pending' })).json();
      const factors = await t.count('mfaFactors');
      const events = await t.count('auditEvents');
      const challenges = await t.count('authChallenges');
      const codes = await t.count('recoveryCodes');
      const bad: [string, string, unknown][] = [
        ['POST', '/api/v1/me/factors/totp', { name: '' }],
        ['POST', '/api/v1/me/factors/totp', { name: 'z'.repeat(65) }],
        ['POST', '/api/v1/me/factors/totp', { name: 12 }],
        ['POST', `/api/v1/me/factors/totp/${pending.factorId}/confirm`, { code: '12345' }],
        ['POST', `/api/v1/me/factors/totp/${pending.factorId}/confirm`, { code: 123456 }],
        ['POST', `/api/v1/me/factors/totp/${pending.factorId}/confirm`, { code: '12a456' }],
        ['POST', `/api/v1/me/factors/totp/${pending.factorId}/confirm`, {}],
        [
          'POST',
          `/api/v1/me/factors/totp/${pending.factorId}/confirm`,
          { code: totpCodeAt(pending.secret), keepCurrentSession: 'yes' },
        ],
        ['POST', '/api/v1/me/factors/passkeys', {}],
        ['POST', '/api/v1/me/factors/passkeys', { ceremony: 'x', response: { id: 'a' } }],
        [
          'POST',
          '/api/v1/me/factors/passkeys',
          { ceremony: '', response: { id: 'a', rawId: 'a', type: 'public-key', response: {} } },
        ],
        ['PATCH', `/api/v1/me/factors/${factorId}`, {}],
        ['DELETE', `/api/v1/me/factors/${factorId}?keepCurrentSession=maybe`, undefined],
      ];
      for (const [method, url, payload] of bad) {
        const res = await t.inject({
          method: method as 'POST' | 'PATCH' | 'DELETE',
          url,
          token,
          ...(payload === undefined ? {} : { payload }),
        });
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}`).toBe(400);
        expect(res.json().error.code).toBe('VALIDATION_FAILED');
      }
      expect(await t.count('mfaFactors')).toBe(factors);
      expect(await t.count('auditEvents')).toBe(events);
      expect(await t.count('authChallenges')).toBe(challenges);
      expect(await t.count('recoveryCodes')).toBe(codes);
      expect((await factorRow(pending.factorId))?.confirmedAt).toBeNull();
      expect(await factorRow(factorId)).toMatchObject({ name: 'Phone' });
      expect(secret).toEqual(expect.any(String));
      expect(await isLive(token)).toBe(true);
    });
  });
});
