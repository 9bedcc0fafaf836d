import { describe, expect, it } from 'vitest';
import { deliveryOutcome, presentDelivery } from './response-delivery';

const AT = '2025-01-02T03:04:05.000Z';

describe('response delivery', () => {
  it('reads the mailer without SMTP as queued, never sent', () => {
    expect(deliveryOutcome({ status: 'undelivered' }, AT)).toEqual({
      deliveryStatus: 'queued',
      deliveryDetail: null,
      deliveryAt: AT,
    });
    expect(deliveryOutcome({ status: 'sent' }, AT).deliveryStatus).toBe('sent');
  });

  it('keeps a failure’s reason, bounded, and never an empty one', () => {
    expect(deliveryOutcome({ status: 'failed', error: '421 try later' }, AT)).toEqual({
      deliveryStatus: 'failed',
      deliveryDetail: '421 try later',
      deliveryAt: AT,
    });
    expect(deliveryOutcome({ status: 'failed', error: 'x'.repeat(1000) }, AT).deliveryDetail).toHaveLength(
      300,
    );
    expect(deliveryOutcome({ status: 'failed', error: '' }, AT).deliveryDetail).toBe(
      'the mail server gave no reason',
    );
  });

  it('presents nothing for actions that send nothing, and unknown for what it cannot vouch for', () => {
    expect(presentDelivery({ deliveryStatus: null, deliveryDetail: null, deliveryAt: null })).toBeNull();
    // Rows from before 0010 (backfilled), and a status a newer server wrote.
    expect(presentDelivery({ deliveryStatus: 'unknown', deliveryDetail: null, deliveryAt: null })).toEqual({
      status: 'unknown',
      detail: null,
      at: null,
    });
    expect(presentDelivery({ deliveryStatus: 'bounced', deliveryDetail: 'x', deliveryAt: AT })).toMatchObject(
      { status: 'unknown' },
    );
  });
});
