import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

// Issue 17, item 2: resend a pending invitation with a new link.
describe.each(backends)('invitations: resend (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Resenders');
    other = await t.createOrganization('Other Resenders');
  });
  afterAll(() => t.close());

  const invite = async (o: TestOrg, roles = ['member']) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: o.owner.token,
      payload: { email: t.uniqueEmail('invitee'), roles },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { invitation: { id: string; email: string }; inviteUrl: string };
  };
  const tokenOf = (url: string) => new URL(url).hash.slice('#token='.length);
  const preview = (url: string) =>
    t.inject({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token: tokenOf(url) } });
  const resend = (id: string, token: string, payload: unknown = {}) =>
    t.inject({ method: 'POST', url: `/api/v1/invitations/${id}/resend`, token, payload });

  it('rotates the token, sends it through the outbox, answers the new link once, audited', async () => {
    const created = await invite(org);
    const outboxBefore = await t.count('outbox');
    const res = await resend(created.invitation.id, org.owner.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.invitation).toMatchObject({ id: created.invitation.id, emailed: false });
    // No SMTP here: the e-mail stays undelivered in the outbox, so the link is answered.
    expect(body.inviteUrl).toMatch(/\/invite#token=/);
    expect(body.inviteUrl).not.toBe(created.inviteUrl);
    expect(await t.count('outbox')).toBe(outboxBefore + 1);
    expect((await preview(created.inviteUrl)).statusCode).toBe(400);
    expect((await preview(body.inviteUrl)).statusCode).toBe(200);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'invitation.resent',
      actor: { id: org.owner.id },
      targets: [{ type: 'invitation', id: created.invitation.id }],
      metadata: { delivery: 'email' },
    });
  });

  it('answers a link to copy without e-mailing when asked', async () => {
    const created = await invite(org);
    const outboxBefore = await t.count('outbox');
    const res = await resend(created.invitation.id, org.owner.token, { copyLink: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().inviteUrl).toMatch(/\/invite#token=/);
    expect(await t.count('outbox')).toBe(outboxBefore);
    expect((await t.lastAuditEvent(org.id))?.metadata).toMatchObject({ delivery: 'link' });
  });

  it('needs members:invite and the right to grant its roles', async () => {
    const created = await invite(org, ['owner']);
    const auditor = await t.addMember(org, ['auditor']);
    const denied = await resend(created.invitation.id, auditor.token);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'members:invite' },
    });
    const admin = await t.addMember(org, ['admin']);
    const notGrantable = await resend(created.invitation.id, admin.token, { copyLink: true });
    expect(notGrantable.statusCode).toBe(403);
    expect(notGrantable.json().error.code).toBe('ROLE_NOT_GRANTABLE');
    expect((await preview(created.inviteUrl)).statusCode).toBe(200);
  });

  it("answers 404 for another organization's, a revoked or an unknown invitation, 400 for bad input", async () => {
    const foreign = await invite(other);
    const revoked = await invite(org);
    await t.inject({
      method: 'DELETE',
      url: `/api/v1/invitations/${revoked.invitation.id}`,
      token: org.owner.token,
    });
    const before = await t.count('auditEvents');
    for (const id of [foreign.invitation.id, revoked.invitation.id, '7f1e9c1e-0000-4000-8000-000000000000']) {
      const res = await resend(id, org.owner.token);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('INVITATION_NOT_FOUND');
    }
    expect((await resend('nope', org.owner.token)).statusCode).toBe(400);
    const badBody = await resend(foreign.invitation.id, org.owner.token, { copyLink: 'yes' });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.code).toBe('VALIDATION_FAILED');
    expect(await t.count('auditEvents')).toBe(before);
    expect((await preview(foreign.inviteUrl)).statusCode).toBe(200);
  });
});
