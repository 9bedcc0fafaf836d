import { describe, expect, it } from 'vitest';
import { deliveryStatusWording, notSentReason } from './deliveryStatus';

const EMAIL_OFF = 'not sent: e-mail is not configured (CUSTOS_SMTP_URL is not set)';

describe('alert delivery status wording (issue 15)', () => {
  it('says "Not sent" for an e-mail that never went out, never delivered or failed', () => {
    expect(deliveryStatusWording('failed', EMAIL_OFF).label).toBe('Not sent');
    expect(notSentReason(EMAIL_OFF)).toBe('e-mail is not configured (CUSTOS_SMTP_URL is not set)');
  });

  it('keeps the receiver’s failures as failed, and other statuses as they are', () => {
    expect(deliveryStatusWording('failed', 'HTTP 500').label).toBe('Failed');
    expect(notSentReason('HTTP 500')).toBeNull();
    expect(deliveryStatusWording('delivered').label).toBe('Delivered');
    expect(deliveryStatusWording('retrying', 'timeout').label).toBe('Retrying');
    expect(deliveryStatusWording('parked').label).toBe('parked');
  });
});
