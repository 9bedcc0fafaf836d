import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestOrg } from '../../../test/harness';
import { createMailer } from '../../platform/mail/mailer';
import { type AlertsTestApp, createAlertsTestApp, eventually, insertSecurityEvent } from './test-support';

interface Mail {
  to: string;
  raw: string;
}

const hexRuns = (text: string) =>
  text.replace(/((?:=[0-9A-F]{2})+)/g, (run) =>
    Buffer.from(
      run
        .split('=')
        .slice(1)
        .map((h) => Number.parseInt(h, 16)),
    ).toString('utf8'),
  );

/** Headers unfolded with RFC 2047 words decoded, and the quoted-printable body decoded. */
function readable(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_m, word: string) => hexRuns(word.replaceAll('_', ' ')));
  const body = hexRuns(raw.slice(split).replace(/=\r?\n/g, ''));
  return `${headers}${body}`;
}

describe.each(backends)('alert e-mail over SMTP (%s)', (backend) => {
  let a: AlertsTestApp;
  let org: TestOrg;
  let smtp: SMTPServer;
  const mails: Mail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => {
          raw += chunk.toString();
        });
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const address = smtp.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `smtp://127.0.0.1:${port}`;
    a = await createAlertsTestApp(backend, {
      config: { CUSTOS_SMTP_URL: url },
      mailer: createMailer({ url, from: 'Custos <custos@example.com>' }),
    });
    org = await a.t.createOrganization('Mail Alerts');
  });
  afterAll(async () => {
    await a.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  async function emailChannel(digestLow = false) {
    const res = await a.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels',
      token: org.owner.token,
      payload: {
        kind: 'email',
        name: 'Security team',
        recipients: ['soc@example.com', 'ciso@example.com'],
        routing: { minSeverity: 'high', types: null, digestLow },
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string };
  }

  const deliveriesOf = async (channelId: string) =>
    (
      await a.inject({ url: `/api/v1/alerts/deliveries?channelId=${channelId}`, token: org.owner.token })
    ).json().deliveries as Array<{ status: string; lastResponseCode: number | null; kind: string }>;

  it('mails a high event: subject, explanation, counts, source, console link; no secrets', async () => {
    const created = await emailChannel();
    const event = await insertSecurityEvent(a.t, org.id, { severity: 'high', label: 'alice', count: 12 });
    a.alerts.sink.notify({ organizationId: org.id, kind: 'security_event', change: 'raised', event });
    const [delivery] = await eventually(a.alerts, async () => {
      const list = await deliveriesOf(created.id);
      return list[0]?.status === 'delivered' ? list : null;
    });
    expect(delivery).toMatchObject({ kind: 'alert', lastResponseCode: null });
    const mail = mails.at(-1);
    expect(mail?.to).toBe('soc@example.com,ciso@example.com');
    const text = readable(mail?.raw ?? '');
    expect(text).toContain('Subject: [Custos] HIGH: Brute force on alice — 12 attempts');
    expect(text).toContain(event.explanation);
    expect(text).toContain('Source IP:  203.0.113.7 (DE)');
    expect(text).toContain('Count:      12');
    expect(text).toContain(`http://custos.test/security/events/${event.id}`);
    expect(text).not.toMatch(/whsec_|custos_[A-Za-z0-9]{8}_|token=/);
  });

  it('keeps a hostile subject label out of the mail headers', async () => {
    const created = await emailChannel();
    const event = await insertSecurityEvent(a.t, org.id, {
      severity: 'critical',
      label: 'bob\r\nBcc: evil@example.com',
    });
    a.alerts.sink.notify({ organizationId: org.id, kind: 'security_event', change: 'raised', event });
    await eventually(a.alerts, async () => (await deliveriesOf(created.id))[0]?.status === 'delivered');
    const mail = mails.at(-1);
    expect(mail?.to).not.toContain('evil@example.com');
    expect(mail?.raw).not.toMatch(/^Bcc:/m);
  });

  it('mails one digest listing every queued low event', async () => {
    const created = await emailChannel(true);
    const events = [
      await insertSecurityEvent(a.t, org.id, { severity: 'low', type: 'new_device', label: 'carol' }),
      await insertSecurityEvent(a.t, org.id, { severity: 'low', type: 'off_hours', label: 'dave' }),
    ];
    for (const event of events) {
      a.alerts.sink.notify({ organizationId: org.id, kind: 'security_event', change: 'raised', event });
    }
    await a.alerts.idle();
    const before = mails.length;
    expect(await a.alerts.flushDigests()).toBeGreaterThanOrEqual(1);
    const [digest] = await eventually(a.alerts, async () => {
      const list = await deliveriesOf(created.id);
      return list[0]?.status === 'delivered' ? list : null;
    });
    expect(digest?.kind).toBe('digest');
    expect(mails.length).toBe(before + 1);
    const text = readable(mails.at(-1)?.raw ?? '');
    expect(text).toContain('Subject: [Custos] Digest: 2 low-severity security events');
    expect(text).toContain('Sign-in from a new device for carol');
    expect(text).toContain('Off-hours activity by dave');
    for (const event of events) expect(text).toContain(`http://custos.test/security/events/${event.id}`);
  });
});
