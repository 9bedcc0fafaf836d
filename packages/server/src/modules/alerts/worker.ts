import type { Deps } from '../../deps';
import { isoAfter, nowIso } from '../../platform/clock';
import { recordAlertSent } from '../threats';
import { channelById, type StoredChannel } from './channels-store';
import * as deliveries from './deliveries-store';
import { alertMail } from './email';
import { parsePayload } from './payloads';
import type { ChannelSecrets } from './secrets';
import { webhookHeaders } from './signing';
import { type AttemptOutcome, postWebhook } from './webhook-sender';

const WEBHOOK_TIMEOUT_MS = 10_000;
/**
 * How long a claimed attempt holds its delivery. Longer than any attempt can take (the webhook
 * deadline, an SMTP exchange), so a live attempt is never taken twice; after a crash the delivery
 * comes due again when it runs out.
 */
const LEASE_MS = 5 * 60_000;
const BATCH = 50;
/**
 * Outcomes that are not a failure to deliver but a message never sent start with this (the console
 * labels such a delivery "Not sent", not "Failed"). They are final, and can be replayed by hand.
 */
const NOT_SENT = 'not sent:';
/** A checkpoint that waited for its interval while the channel was switched off or opted out. */
const CHECKPOINTS_OFF = `${NOT_SENT} the channel no longer takes audit checkpoints`;
/**
 * An e-mail channel's message while CUSTOS_SMTP_URL is unset. Alert e-mails are not kept in the
 * outbox (they hold no link anyone must pass on), so the delivery says so; a replay after SMTP is
 * configured sends it.
 */
const EMAIL_NOT_CONFIGURED = `${NOT_SENT} e-mail is not configured (CUSTOS_SMTP_URL is not set)`;
const PARALLEL = 8;

/** Delay before the next attempt, ±10 % so a receiver's recovery is not met by a wave of retries. */
export function jittered(delayMs: number): number {
  return Math.round(delayMs * (0.9 + Math.random() * 0.2));
}

export interface DeliveryWorker {
  /** Sends every due delivery once; answers how many attempts were made. */
  runDue(): Promise<number>;
  /** Claims and sends one delivery now (test sends, replays); false when another worker has it. */
  attemptNow(deliveryId: string): Promise<boolean>;
}

export function createDeliveryWorker(deps: Deps, secrets: ChannelSecrets): DeliveryWorker {
  const { db, config, log } = deps;

  async function send(channel: StoredChannel, delivery: deliveries.DeliveryRow): Promise<AttemptOutcome> {
    if (channel.kind === 'webhook') {
      const secret = channel.secretSealed ? secrets.open(channel.id, channel.secretSealed) : null;
      if (!channel.url || !secret)
        return { ok: false, responseCode: null, error: 'channel has no usable secret' };
      return postWebhook({
        url: channel.url,
        headers: webhookHeaders(secret, delivery.messageId, delivery.payload),
        body: delivery.payload,
        allowPrivateNetworks: config.webhookAllowPrivateNetworks,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
      });
    }
    const payload = parsePayload(delivery.payload);
    const result = await deps.mailer.send(alertMail(payload, channel.recipients ?? [], channel.name));
    if (result.status === 'sent') return { ok: true, responseCode: null, error: null };
    if (result.status === 'undelivered')
      return { ok: false, responseCode: null, error: EMAIL_NOT_CONFIGURED };
    return { ok: false, responseCode: null, error: result.error.slice(0, 200) };
  }

  /** Whether another attempt follows this failed one, and when. */
  function nextAfterFailure(delivery: deliveries.DeliveryRow, attempt: number, outcome: AttemptOutcome) {
    // Without SMTP no retry can succeed; 410 Gone is the receiver asking for no more (Standard
    // Webhooks); a test is a one-off check. Each can still be replayed by hand.
    const final =
      outcome.error === EMAIL_NOT_CONFIGURED ||
      outcome.error === CHECKPOINTS_OFF ||
      outcome.responseCode === 410 ||
      delivery.kind === 'test';
    const delay = config.alertRetryDelaysMs[attempt - 1];
    if (final || delay === undefined) return { status: 'failed' as const, nextAttemptAt: null };
    return { status: 'retrying' as const, nextAttemptAt: isoAfter(jittered(delay)) };
  }

  async function attempt(delivery: deliveries.DeliveryRow, attemptNo: number): Promise<void> {
    const channel = await channelById(db, delivery.channelId);
    if (!channel) return; // deleted: its deliveries went with it
    const started = performance.now();
    const at = nowIso();
    let outcome: AttemptOutcome;
    // Only the first attempt is held back: a replay is someone asking for it to go now.
    const optedOut =
      delivery.kind === 'audit.checkpoint' &&
      attemptNo === 1 &&
      !(channel.enabled && channel.routing.checkpoints.enabled);
    try {
      outcome = optedOut
        ? { ok: false, responseCode: null, error: CHECKPOINTS_OFF }
        : await send(channel, delivery);
    } catch (error) {
      log.warn({ err: error, deliveryId: delivery.id }, 'alert delivery attempt failed');
      outcome = { ok: false, responseCode: null, error: 'internal error while sending' };
    }
    const durationMs = Math.round(performance.now() - started);
    const next = outcome.ok
      ? { status: 'delivered' as const, nextAttemptAt: null, deliveredAt: nowIso() }
      : { ...nextAfterFailure(delivery, attemptNo, outcome), deliveredAt: null };
    try {
      await db.transaction().execute(async (trx) => {
        await deliveries.recordAttempt(
          trx,
          {
            deliveryId: delivery.id,
            attempt: attemptNo,
            at,
            responseCode: outcome.responseCode,
            durationMs,
            error: outcome.error,
          },
          next,
        );
        // The event's timeline says where its alert went, once that is settled.
        const settled = next.status === 'delivered' || next.status === 'failed';
        if (settled && delivery.kind === 'alert' && delivery.securityEventId) {
          await recordAlertSent(trx, delivery.securityEventId, {
            channelId: channel.id,
            channelName: channel.name,
            channelKind: channel.kind,
            // A message never sent (e-mail off) is not a receiver's failure: the timeline says so.
            status: outcome.error?.startsWith(NOT_SENT) ? 'not sent' : next.status,
            responseCode: outcome.responseCode,
          });
        }
      });
    } catch (error) {
      // The channel (and with it the delivery) was deleted while the attempt ran: nothing to record.
      if (await deliveries.deliveryById(db, delivery.id)) throw error;
    }
  }

  async function claimAndSend(due: { id: string; attempts: number; nextAttemptAt: string | null }) {
    const won = await deliveries.claimAttempt(db, due.id, due, isoAfter(LEASE_MS));
    if (!won) return false;
    const delivery = await deliveries.deliveryById(db, due.id);
    if (delivery) await attempt(delivery, due.attempts + 1);
    return true;
  }

  return {
    async runDue() {
      const due = await deliveries.dueDeliveries(db, nowIso(), BATCH);
      let made = 0;
      for (let i = 0; i < due.length; i += PARALLEL) {
        const results = await Promise.all(due.slice(i, i + PARALLEL).map(claimAndSend));
        made += results.filter(Boolean).length;
      }
      return made;
    },
    async attemptNow(deliveryId) {
      const delivery = await deliveries.deliveryById(db, deliveryId);
      if (!delivery || (delivery.status !== 'pending' && delivery.status !== 'retrying')) return false;
      return claimAndSend(delivery);
    },
  };
}
