import type { AuditEventOut, SecurityEventDetail, SecurityEventOut } from '@custos/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp, type TestOrg } from '../../../test/harness';

/**
 * The `ids` filter of the audit search (issue 15): the console opens the audit log on exactly a
 * security event's evidence. It must return exactly those events, refuse malformed input in the
 * standard error shape, and never reach another organization's events with guessed ids.
 */
describe.each(backends)('audit search by ids (%s)', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let other: TestOrg;
  let ours: AuditEventOut[];
  let theirs: AuditEventOut[];

  beforeAll(async () => {
    t = await createTestApp(backend);
    org = await t.createOrganization('Ids Co');
    other = await t.createOrganization('Other Ids Co');
    // Each invitation is an audit event of its organization.
    for (const [o, n] of [
      [org, 3],
      [other, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const res = await t.inject({
          method: 'POST',
          url: '/api/v1/invitations',
          token: o.owner.token,
          payload: { email: t.uniqueEmail('invitee'), roles: ['member'] },
        });
        expect(res.statusCode).toBe(201);
      }
    }
    ours = await t.auditEvents(org.id);
    theirs = await t.auditEvents(other.id);
    expect(ours.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => {
    await t.close();
  });

  const search = (token: string, ids: string, extra = '') =>
    t.inject({ url: `/api/v1/audit/events?ids=${encodeURIComponent(ids)}${extra}`, token });

  const idsOf = (events: { id: string }[]) => events.map((e) => e.id).sort();

  it('answers exactly the events asked for, each once, whatever their case or repetition', async () => {
    const picked = ours.slice(0, 3);
    const [a, b, c] = picked.map((e) => e.id);
    const res = await search(org.owner.token, `${a},${b?.toUpperCase()},${c},${a}`);
    expect(res.statusCode).toBe(200);
    expect(idsOf(res.json().events)).toEqual(idsOf(picked));
    // Combined with other filters, they narrow each other.
    const picky = await search(
      org.owner.token,
      `${a},${b},${c}`,
      `&action=${encodeURIComponent(picked[0]?.action ?? '')}`,
    );
    expect(picky.json().events.every((e: AuditEventOut) => e.action === picked[0]?.action)).toBe(true);
  });

  it('never returns another organization’s events, even with their exact ids', async () => {
    const guessed = theirs.slice(0, 2).map((e) => e.id);
    const alone = await search(org.owner.token, guessed.join(','));
    expect(alone.statusCode).toBe(200);
    expect(alone.json().events).toEqual([]);
    const mine = ours[0]?.id ?? '';
    const mixed = await search(org.owner.token, [...guessed, mine].join(','));
    expect(idsOf(mixed.json().events)).toEqual([mine]);
  });

  it('refuses malformed ids with 400 in the standard error shape', async () => {
    const valid = ours[0]?.id ?? '';
    const tooMany = Array.from(
      { length: 201 },
      (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    for (const bad of [
      'nope',
      '',
      `${valid},,${valid}`,
      `${valid}; drop table audit_events`,
      tooMany.join(','),
    ]) {
      const res = await search(org.owner.token, bad);
      expect(res.statusCode, bad.slice(0, 60)).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'ids' })]));
    }
  });

  it('needs audit:read (403), and records what was looked for', async () => {
    const member = await t.addMember(org, ['member']);
    const denied = await search(member.token, ours[0]?.id ?? '');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'audit:read' } });
    expect((await t.inject({ url: `/api/v1/audit/events?ids=${ours[0]?.id}` })).statusCode).toBe(401);

    const asked = ours
      .slice(0, 2)
      .map((e) => e.id)
      .join(',');
    expect((await search(org.owner.token, asked)).statusCode).toBe(200);
    const recorded = (await t.auditEvents(org.id)).find(
      (e) =>
        e.action === 'audit.searched' && (e.metadata?.query as { ids?: string } | undefined)?.ids === asked,
    );
    expect(recorded).toMatchObject({ actor: { type: 'user', id: org.owner.id } });
  });

  it('opens a security event’s evidence in place: the evidence ids find exactly those attempts', async () => {
    const target = await t.addMember(org, ['member']);
    for (let i = 0; i < 12; i++) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: target.email, password: `not the password ${i}`, tokenType: 'bearer' },
        remoteAddress: '198.51.100.201',
      });
      expect([401, 403, 429]).toContain(res.statusCode);
    }
    await t.services.threats.pipeline.flush();
    const list = await t.inject({
      url: `/api/v1/security/events?type=brute_force_account&subjectId=${target.id}`,
      token: org.owner.token,
    });
    const [event] = list.json().events as SecurityEventOut[];
    expect(event).toMatchObject({ sourceIp: '198.51.100.201' });
    const detail: SecurityEventDetail = (
      await t.inject({ url: `/api/v1/security/events/${event?.id}`, token: org.owner.token })
    ).json();
    // One count: every attempt is evidence, and the explanation says the same number.
    expect(detail.evidence).toHaveLength(detail.count);
    expect(detail.explanation).toContain(`In all, ${detail.count} attempts, all from 198.51.100.201`);
    // Refusals counted in a summary have no event of their own (seq 0): the console leaves them out.
    const inLog = detail.evidence.filter((e) => e.seq > 0);
    const summarized = detail.evidence.filter((e) => e.seq === 0);
    expect(inLog.length).toBeGreaterThanOrEqual(1);
    for (const e of inLog) expect(e).toMatchObject({ outcome: 'failed', reason: 'bad_password' });
    for (const e of summarized) expect(e.outcome).toBe('refused');
    const res = await search(org.owner.token, inLog.map((e) => e.auditEventId).join(','), '&limit=500');
    expect(res.statusCode).toBe(200);
    const found: AuditEventOut[] = res.json().events;
    expect(idsOf(found)).toEqual(idsOf(inLog.map((e) => ({ id: e.auditEventId }))));
    for (const e of found) {
      expect(e.action).toBe('user.sign_in_failed');
      expect(e.actor.ip).toBe('198.51.100.201');
    }
  });
});
