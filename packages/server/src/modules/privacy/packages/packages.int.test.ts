import { randomInt } from 'node:crypto';
import { verifyPrivacyCertificate, verifyPrivacyPackage } from '@custos/sdk';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../../test/harness';

const freshIp = () => `10.${[0, 0, 0].map(() => randomInt(1, 255)).join('.')}`;

describe.each(backends)('privacy access packages and certificates (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let slug: string;
  let keys: string[];
  let requestId: string;
  let packageId: string;
  const subject = `subject.${randomInt(1e6)}@example.com`;

  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    t.inject({ method, url, ...(token ? { token } : {}), ...(payload !== undefined ? { payload } : {}) });
  const pub = (path: string, payload?: unknown, ip = freshIp()) =>
    t.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url: `/api/v1/public/privacy/${slug}/packages/${packageId}${path}`,
      remoteAddress: ip,
      ...(payload !== undefined ? { payload } : {}),
    });

  async function mails(email: string): Promise<string[]> {
    const rows = await t.db
      .selectFrom('outbox')
      .select('bodyText')
      .where('recipient', '=', email)
      .orderBy('createdAt', 'asc')
      .execute();
    return rows.map((r) => r.bodyText ?? '');
  }
  async function codeAfter(count: number): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const found = (await mails(subject)).slice(count).map((m) => /Your code: (\d{8})/.exec(m)?.[1]);
      const code = found.find((c) => c);
      if (code) return code;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no code mail');
  }

  /** An access request through approval, Custos' own task, completion and the package. */
  async function completedRequest(o: TestOrg, type: string, email: string): Promise<string> {
    const created = await call('POST', '/api/v1/privacy/requests', o.owner.token, {
      type,
      regime: 'gdpr',
      email,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(
      (await call('POST', `/api/v1/privacy/requests/${id}/verify`, o.owner.token, { method: 'test' }))
        .statusCode,
    ).toBe(200);
    expect((await call('POST', `/api/v1/privacy/requests/${id}/approve`, o.owner.token, {})).statusCode).toBe(
      200,
    );
    for (let i = 0; i < 100; i++) {
      await t.services.privacy.tasks.runDue();
      await t.services.privacy.tasks.idle();
      await t.services.privacy.packages.idle();
      const state = (await call('GET', `/api/v1/privacy/requests/${id}`, o.owner.token)).json().state;
      if (state === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await t.services.privacy.packages.idle();
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Package Org');
    other = await t.createOrganization('Other Package Org');
    slug = (
      await t.db.selectFrom('organizations').select('slug').where('id', '=', org.id).executeTakeFirstOrThrow()
    ).slug;
    keys = (await t.inject({ url: '/.well-known/custos/audit-keys' }))
      .json()
      .keys.map((k: { verifierKey: string }) => k.verifierKey);
    requestId = await completedRequest(org, 'access', subject);
  });
  afterAll(() => t.close());

  it('makes a signed package when an access request completes, and mails the link', async () => {
    const res = await call('GET', `/api/v1/privacy/requests/${requestId}/package`, org.owner.token);
    expect(res.statusCode, res.body).toBe(200);
    const pkg = res.json().package;
    expect(pkg).toMatchObject({ requestId, downloads: 0, available: true, canSendLink: true });
    expect(pkg.sizeBytes).toBeGreaterThan(100);
    packageId = pkg.id;
    expect((await mails(subject)).some((m) => m.includes(`/privacy/${slug}/download/${packageId}`))).toBe(
      true,
    );
    const actions = (await t.auditEvents(org.id, 50)).map((e) => e.action);
    expect(actions).toContain('privacy_package.created');
  });

  it('downloads only with the e-mailed code; the ZIP verifies with the published audit key', async () => {
    const page = await pub('');
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().organization.name).toBe('Package Org');
    const before = (await mails(subject)).length;
    const sent = await pub('/code', {});
    expect(sent.statusCode, sent.body).toBe(202);
    const { downloadToken } = sent.json();
    const code = await codeAfter(before);
    const wrong = await pub('/download', {
      downloadToken,
      code: code === '00000000' ? '11111111' : '00000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('PRIVACY_PACKAGE_CODE_INVALID');
    const bad = await pub('/download', { downloadToken, code: 'abc' });
    expect(bad.statusCode).toBe(400);
    const ok = await pub('/download', { downloadToken, code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers['content-type']).toContain('application/zip');
    const files = unzipSync(new Uint8Array(ok.rawPayload));
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['manifest.json', 'manifest.sig', 'custos/data.json', 'custos/auditEvents.csv']),
    );
    const check = await verifyPrivacyPackage(files, keys);
    expect(check).toMatchObject({ valid: true, mismatched: [], unlisted: [] });
    // A changed file no longer matches its manifest.
    const tampered = { ...files, 'custos/data.json': new TextEncoder().encode('{}') };
    expect((await verifyPrivacyPackage(tampered, keys)).valid).toBe(false);
    // The code is spent: a second use is refused like a wrong one.
    const again = await pub('/download', { downloadToken, code });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('PRIVACY_PACKAGE_CODE_INVALID');
    const event = (await t.auditEvents(org.id, 50)).find((e) => e.action === 'privacy_package.downloaded');
    expect(event).toBeDefined();
    const info = (await call('GET', `/api/v1/privacy/requests/${requestId}/package`, org.owner.token)).json();
    expect(info.package.downloads).toBe(1);
  });

  it('refuses too many attempts and an expired code alike', async () => {
    const before = (await mails(subject)).length;
    const { downloadToken } = (await pub('/code', {})).json();
    const code = await codeAfter(before);
    const wrongCode = code === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 5; i++)
      expect((await pub('/download', { downloadToken, code: wrongCode })).statusCode).toBe(400);
    const locked = await pub('/download', { downloadToken, code });
    expect(locked.statusCode).toBe(400);
    expect(locked.json().error.code).toBe('PRIVACY_PACKAGE_CODE_INVALID');

    const before2 = (await mails(subject)).length;
    const second = (await pub('/code', {})).json().downloadToken;
    const code2 = await codeAfter(before2);
    await t.db
      .updateTable('privacyVerificationCodes')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('packageId', '=', packageId)
      .execute();
    const expired = await pub('/download', { downloadToken: second, code: code2 });
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toEqual(locked.json());
  });

  it("hides another organization's package and request, and checks permissions", async () => {
    const otherSlug = (
      await t.db
        .selectFrom('organizations')
        .select('slug')
        .where('id', '=', other.id)
        .executeTakeFirstOrThrow()
    ).slug;
    const cross = await t.inject({
      url: `/api/v1/public/privacy/${otherSlug}/packages/${packageId}`,
      remoteAddress: freshIp(),
    });
    expect(cross.statusCode).toBe(404);
    for (const path of ['package', 'certificate']) {
      expect(
        (await call('GET', `/api/v1/privacy/requests/${requestId}/${path}`, other.owner.token)).statusCode,
      ).toBe(404);
    }
    expect(
      (await call('POST', `/api/v1/privacy/requests/${requestId}/package/resend`, other.owner.token))
        .statusCode,
    ).toBe(404);
    const member = await t.addMember(org, ['member']);
    expect(
      (await call('GET', `/api/v1/privacy/requests/${requestId}/certificate`, member.token)).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/privacy/requests/${requestId}/package/resend`, member.token)).statusCode,
    ).toBe(403);
    expect(
      (await call('GET', `/api/v1/privacy/requests/not-an-id/package`, org.owner.token)).statusCode,
    ).toBe(400);
    const badFormat = await call(
      'GET',
      `/api/v1/privacy/requests/${requestId}/certificate?format=docx`,
      org.owner.token,
    );
    expect(badFormat.statusCode).toBe(400);
    expect((await pub('/download', { downloadToken: 'x', code: '1' })).statusCode).toBe(400);
  });

  it('sends the link again, audited', async () => {
    const before = (await mails(subject)).length;
    const res = await call('POST', `/api/v1/privacy/requests/${requestId}/package/resend`, org.owner.token);
    expect(res.statusCode, res.body).toBe(200);
    expect((await t.lastAuditEvent(org.id))?.action).toBe('privacy_package.link_sent');
    expect((await mails(subject)).length).toBe(before + 1);
  });

  it('issues a signed certificate as JSON and PDF', async () => {
    const res = await call('GET', `/api/v1/privacy/requests/${requestId}/certificate`, org.owner.token);
    expect(res.statusCode, res.body).toBe(200);
    const signed = res.json();
    expect(signed.certificate).toMatchObject({
      request: { id: requestId, type: 'access', state: 'completed' },
      clock: { onTime: true },
    });
    const custos = signed.certificate.systems.find((s: { systemName: string }) => s.systemName === 'Custos');
    expect(custos.tasks[0]).toMatchObject({ kind: 'access', state: 'done' });
    expect(custos.tasks[0].finishedAt).not.toBeNull();
    expect(signed.certificate.timeline.byKind.completed).toBe(1);
    expect((await verifyPrivacyCertificate(signed, keys)).valid).toBe(true);
    const forged = {
      ...signed,
      certificate: { ...signed.certificate, clock: { ...signed.certificate.clock, onTime: false } },
    };
    expect((await verifyPrivacyCertificate(forged, keys)).valid).toBe(false);
    // The same request always gets the same certificate.
    expect(
      (await call('GET', `/api/v1/privacy/requests/${requestId}/certificate`, org.owner.token)).json(),
    ).toEqual(signed);

    const pdf = await call(
      'GET',
      `/api/v1/privacy/requests/${requestId}/certificate?format=pdf`,
      org.owner.token,
    );
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.byteLength).toBeGreaterThan(1500);
  });

  it('gives no certificate for an open request', async () => {
    const created = await call('POST', '/api/v1/privacy/requests', org.owner.token, {
      type: 'erasure',
      regime: 'gdpr',
      email: t.uniqueEmail('open'),
    });
    const res = await call(
      'GET',
      `/api/v1/privacy/requests/${created.json().id}/certificate`,
      org.owner.token,
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('PRIVACY_CERTIFICATE_NOT_READY');
  });

  it('erasing the subject makes the package unreadable; expired packages are deleted', async () => {
    const email = t.uniqueEmail('erased');
    const id = await completedRequest(org, 'portability', email);
    const pkg = (await call('GET', `/api/v1/privacy/requests/${id}/package`, org.owner.token)).json().package;
    expect(pkg.available).toBe(true);
    const erased = await call('POST', '/api/v1/audit/subjects/erase', org.owner.token, { subject: email });
    expect(erased.statusCode, erased.body).toBe(200);
    const saved = packageId;
    packageId = pkg.id;
    const before = (await mails(email)).length;
    const sent = await pub('/code', {});
    packageId = saved;
    // The address is sealed under the destroyed key too: nothing to mail, the link is dead.
    expect(sent.statusCode).toBe(404);
    expect((await mails(email)).length).toBe(before);

    await t.db
      .updateTable('privacyAccessPackages')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', packageId)
      .execute();
    const pass = await t.services.privacy.packages.runDue();
    expect(pass.deleted).toBeGreaterThanOrEqual(1);
    const row = await t.db
      .selectFrom('privacyAccessPackages')
      .selectAll()
      .where('id', '=', packageId)
      .executeTakeFirstOrThrow();
    expect(row.fileRefSealed).toBeNull();
    expect(row.deletedAt).not.toBeNull();
    expect((await pub('')).statusCode).toBe(404);
    expect((await t.auditEvents(org.id, 20)).map((e) => e.action)).toContain('privacy_package.deleted');
  });
});
