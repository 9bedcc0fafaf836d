import { describe, expect, it } from 'vitest';
import { deliveryWording } from './delivery';

const at = '2025-01-02T03:04:05.000Z';

describe('notify_user delivery wording (issue 15)', () => {
  it('says queued, not done or sent, when e-mail is not configured', () => {
    const wording = deliveryWording({ status: 'queued', detail: null, at });
    expect(wording.summary).toBe('Queued — e-mail is not configured');
    expect(wording.inOutbox).toBe(true);
    expect(wording.badge).not.toMatch(/done|sent/i);
  });

  it('says sent only when the mail server took it', () => {
    expect(deliveryWording({ status: 'sent', detail: null, at }).summary).toBe('Sent');
    for (const status of ['queued', 'failed', 'pending', 'unknown'] as const) {
      expect(deliveryWording({ status, detail: null, at: null }).badge).not.toBe('Sent');
    }
  });

  it('gives a failure’s reason, or says none was given', () => {
    expect(deliveryWording({ status: 'failed', detail: '550 mailbox unavailable', at }).summary).toBe(
      'Failed — 550 mailbox unavailable',
    );
    expect(deliveryWording({ status: 'failed', detail: '  ', at }).summary).toBe(
      'Failed — no reason was given',
    );
  });

  it('does not guess for pending or unrecorded ones', () => {
    expect(deliveryWording({ status: 'pending', detail: null, at: null }).summary).toBe('Sending');
    expect(deliveryWording({ status: 'unknown', detail: null, at: null })).toMatchObject({
      badge: 'Not recorded',
      inOutbox: false,
    });
  });
});
