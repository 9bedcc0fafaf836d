import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, PASSWORD, type TestApp, type TestOrg } from '../../../test/harness';
import { createMailer } from '../../platform/mail/mailer';

/** The invitation token from a received e-mail (quoted-printable may fold lines and encode "="). */
function tokenFromMail(body: string): string {
  const text = body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  return /invite#token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';
}

function tokenOf(url: string): string {
  return new URL(url).hash.replace('#token=', '');
}

describe.each(backends)('invitations (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Invites Ltd');
    other = await t.createOrganization('Elsewhere');
  });
  afterAll(() => t.close());

  it('invites by e-mail without SMTP: returns the link, keeps it in the outbox, audits', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'New.Person@Example.com', roles: ['member'] },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.inviteUrl).toMatch(/^http:\/\/custos\.test\/invite#token=[A-Za-z0-9_-]{43}$/);
    expect(body.invitation).toMatchObject({
      email: 'new.person@example.com',
      roles: ['member'],
      emailed: false,
      invitedBy: { id: org.owner.id },
    });
    expect(await t.lastAuditEvent(org.id)).toMatchObject({
      action: 'invitation.sent',
      targets: [{ type: 'invitation' }],
      metadata: { email: 'new.person@example.com' },
    });
    const stored = await t.db.selectFrom('invitations').select('tokenHash').execute();
    expect(stored.some((r) => r.tokenHash === tokenOf(body.inviteUrl))).toBe(false);
    const outbox = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'new.person@example.com')
      .executeTakeFirst();
    expect(outbox?.status).toBe('undelivered');
    expect(outbox?.bodyText).toContain(body.inviteUrl);
    const list = await t.inject({ url: '/api/v1/invitations', token: org.owner.token });
    expect(list.json().invitations.map((i: { id: string }) => i.id)).toContain(body.invitation.id);
  });

  it('previews and accepts as a new user, who lands signed in with the invited roles', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'joiner@example.com', roles: ['auditor'] },
    });
    const token = tokenOf(res.json().inviteUrl);
    const preview = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({
      organizationName: 'Invites Ltd',
      email: 'joiner@example.com',
      existingUser: false,
    });
    const weak = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Jo', password: 'password1234' },
    });
    expect(weak.json().error.code).toBe('PASSWORD_TOO_COMMON');
    const noName = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: PASSWORD },
    });
    expect(noName.statusCode).toBe(400);
    const accepted = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Jo Joiner', password: PASSWORD, tokenType: 'bearer' },
    });
    expect(accepted.statusCode).toBe(200);
    const me = await t.inject({ url: '/api/v1/me', token: accepted.json().token });
    expect(me.json()).toMatchObject({
      user: { name: 'Jo Joiner' },
      organization: { id: org.id },
      roles: ['auditor'],
    });
    const actions = (await t.auditEvents(org.id)).slice(0, 3).map((e) => e.action);
    expect(actions).toEqual(['user.signed_in', 'invitation.accepted', 'user.created']);
    const reuse = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Again', password: PASSWORD },
    });
    expect(reuse.json().error.code).toBe('INVITATION_INVALID');
    const previewUsed = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(previewUsed.statusCode).toBe(400);
  });

  it('accounts made through a hand-passed link stay unconfirmed; another hand-passed link cannot take them over', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'handed@example.com', roles: ['member'] },
    });
    await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: tokenOf(res.json().inviteUrl), name: 'Handed', password: PASSWORD },
    });
    const user = await t.db
      .selectFrom('users')
      .select('emailVerifiedAt')
      .where('email', '=', 'handed@example.com')
      .executeTakeFirstOrThrow();
    expect(user.emailVerifiedAt).toBeNull();
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: other.owner.token,
      payload: { email: 'handed@example.com', roles: ['member'] },
    });
    const token = tokenOf(again.json().inviteUrl);
    const preview = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({ existingUser: true, choosePassword: false });
    const takeover = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Mallory', password: 'mallory picks a password' },
    });
    expect(takeover.statusCode).toBe(401);
  });

  it('an existing user accepts with their own password only', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: other.owner.token,
      payload: { email: org.owner.email, roles: ['member'] },
    });
    const token = tokenOf(res.json().inviteUrl);
    const preview = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json().existingUser).toBe(true);
    const wrong = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: 'not my password at all' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, password: PASSWORD, tokenType: 'bearer' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().organization.id).toBe(other.id);
  });

  it('rejects bad input, members, and missing permission; nothing written', async () => {
    const member = await t.addMember(org, ['member']);
    const before = await t.count('invitations');
    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'nope', roles: ['member'] },
    });
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const badRole = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'a@b.co', roles: ['root'] },
    });
    expect(badRole.statusCode).toBe(400);
    const already = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: member.email, roles: ['member'] },
    });
    expect(already.json().error.code).toBe('MEMBER_ALREADY_EXISTS');
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: member.token,
      payload: { email: 'x@example.com', roles: ['member'] },
    });
    expect(denied.statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/invitations', token: member.token })).statusCode).toBe(403);
    const pending = (await t.inject({ url: '/api/v1/invitations', token: org.owner.token })).json()
      .invitations;
    const revokeDenied = await t.inject({
      method: 'DELETE',
      url: `/api/v1/invitations/${pending[0].id}`,
      token: member.token,
    });
    expect(revokeDenied.statusCode).toBe(403);
    const admin = await t.addMember(org, ['admin']);
    const ownerInvite = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: admin.token,
      payload: { email: 'boss@example.com', roles: ['owner'] },
    });
    expect(ownerInvite.json().error.code).toBe('ROLE_NOT_GRANTABLE');
    expect(await t.count('invitations')).toBe(before + 1); // only the admin's own invitation
    expect(
      (
        await t.inject({
          method: 'POST',
          url: '/api/v1/invitations/accept',
          payload: { token: 'forged', password: PASSWORD },
        })
      ).json().error.code,
    ).toBe('INVITATION_INVALID');
  });

  it("revokes, 404s for another tenant's invitation, and replaces a pending one on re-invite", async () => {
    const first = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'twice@example.com', roles: ['member'] },
    });
    const second = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'twice@example.com', roles: ['auditor'] },
    });
    const dead = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token: tokenOf(first.json().inviteUrl) },
    });
    expect(dead.statusCode).toBe(400);
    const id = second.json().invitation.id;
    const foreign = await t.inject({
      method: 'DELETE',
      url: `/api/v1/invitations/${id}`,
      token: other.owner.token,
    });
    expect(foreign.statusCode).toBe(404);
    const revoked = await t.inject({
      method: 'DELETE',
      url: `/api/v1/invitations/${id}`,
      token: org.owner.token,
    });
    expect(revoked.statusCode).toBe(200);
    expect(await t.lastAuditEvent(org.id)).toMatchObject({ action: 'invitation.revoked' });
    const gone = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token: tokenOf(second.json().inviteUrl) },
    });
    expect(gone.statusCode).toBe(400);
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/v1/invitations/${id}`, token: org.owner.token }))
        .statusCode,
    ).toBe(404);
    const otherList = await t.inject({ url: '/api/v1/invitations', token: other.owner.token });
    expect(otherList.json().invitations.some((i: { id: string }) => i.id === id)).toBe(false);
  });
});

describe.each(backends)('invitations over SMTP (%s)', (backend) => {
  let t: TestApp;
  let smtp: SMTPServer;
  const received: Array<{ to: string; body: string }> = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const address = smtp.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `smtp://127.0.0.1:${port}`;
    t = await createTestApp(backend, {
      config: { CUSTOS_SMTP_URL: url },
      mailer: createMailer({ url, from: 'Custos <custos@example.com>' }),
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('e-mails the link and does not return or keep it', async () => {
    const org = await t.createOrganization('Mail Co');
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email: 'mailme@example.com', roles: ['member'] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().inviteUrl).toBeUndefined();
    expect(res.json().invitation.emailed).toBe(true);
    const mail = received.find((m) => m.to === 'mailme@example.com');
    expect(mail?.body).toMatch(/invite#token=/);
    const outbox = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'mailme@example.com')
      .executeTakeFirst();
    expect(outbox).toMatchObject({ status: 'sent', bodyText: null });
    const token = tokenFromMail(mail?.body ?? '');
    const accepted = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Mailed', password: PASSWORD },
    });
    expect(accepted.statusCode).toBe(200);
    const user = await t.db
      .selectFrom('users')
      .select('emailVerifiedAt')
      .where('email', '=', 'mailme@example.com')
      .executeTakeFirstOrThrow();
    expect(user.emailVerifiedAt).not.toBeNull();
  });

  it("lets the mailbox's owner take back an unconfirmed account someone else set up", async () => {
    // As if an admin without SMTP had passed a link on and accepted it with a password of their own:
    const squatted = await t.services.setup.createAdminFromCli({
      email: 'cfo@victim.example',
      name: 'Not The CFO',
      password: 'squatter password 123',
      organizationName: 'Squat Co',
    });
    await t.db
      .updateTable('users')
      .set({ emailVerifiedAt: null, isSuperAdmin: 0 })
      .where('id', '=', squatted.user.id)
      .execute();
    const squatterSession = await t.signIn('cfo@victim.example', 'squatter password 123');

    const victimOrg = await t.createOrganization('Victim Inc');
    await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: victimOrg.owner.token,
      payload: { email: 'cfo@victim.example', roles: ['member'] },
    });
    const token = tokenFromMail(received.filter((m) => m.to === 'cfo@victim.example').at(-1)?.body ?? '');
    const preview = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({ existingUser: true, choosePassword: true });
    const reclaimed = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Real CFO', password: 'the real cfo passphrase', tokenType: 'bearer' },
    });
    expect(reclaimed.statusCode).toBe(200);
    expect(reclaimed.json()).toMatchObject({
      user: { name: 'Real CFO' },
      organization: { id: victimOrg.id },
    });
    expect((await t.inject({ url: '/api/v1/me', token: squatterSession })).statusCode).toBe(401);
    await expect(t.signIn('cfo@victim.example', 'squatter password 123')).rejects.toThrow();
    const events = (await t.auditEvents(victimOrg.id)).map((e) => e.action);
    expect(events.slice(0, 3)).toEqual(['user.signed_in', 'invitation.accepted', 'user.password_changed']);
  });

  it('taking back an account also ends the impersonations it started (as every password change does)', async () => {
    // An unconfirmed super admin account, set up by someone other than the mailbox's owner:
    await t.services.setup.createAdminFromCli({
      email: 'ops@victim.example',
      name: 'Not Ops',
      password: 'squatter password 456',
      organizationName: 'Squat Ops',
    });
    await t.db
      .updateTable('users')
      .set({ emailVerifiedAt: null })
      .where('email', '=', 'ops@victim.example')
      .execute();
    const target = await t.createOrganization('Impersonated Co');
    const squatter = await t.signIn('ops@victim.example', 'squatter password 456');
    const started = await t.inject({
      method: 'POST',
      url: '/api/v1/impersonation',
      token: squatter,
      payload: { userId: target.owner.id, reason: 'Looking into support ticket 4711 for this owner' },
    });
    expect(started.statusCode, started.body).toBe(200);
    const impersonation = started.json().token as string;
    expect((await t.inject({ url: '/api/v1/me', token: impersonation })).statusCode).toBe(200);

    const victimOrg = await t.createOrganization('Victim Ops');
    await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: victimOrg.owner.token,
      payload: { email: 'ops@victim.example', roles: ['member'] },
    });
    const token = tokenFromMail(received.filter((m) => m.to === 'ops@victim.example').at(-1)?.body ?? '');
    const reclaimed = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Real Ops', password: 'the real ops passphrase', tokenType: 'bearer' },
    });
    expect(reclaimed.statusCode, reclaimed.body).toBe(200);
    expect((await t.inject({ url: '/api/v1/me', token: impersonation })).statusCode).toBe(401);
    expect((await t.inject({ url: '/api/v1/me', token: squatter })).statusCode).toBe(401);
  });

  it('a confirmed account still needs its password, even with an e-mailed link', async () => {
    const o = await t.createOrganization('Confirmed');
    const second = await t.createOrganization('Second Mail Org');
    await t.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: second.owner.token,
      payload: { email: o.owner.email, roles: ['member'] },
    });
    const token = tokenFromMail(received.filter((m) => m.to === o.owner.email).at(-1)?.body ?? '');
    const preview = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({ existingUser: true, choosePassword: false });
    const guess = await t.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Someone', password: 'not the right one at all' },
    });
    expect(guess.statusCode).toBe(401);
  });
});
