import type { SecurityStreamMessage } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { afterCommit } from '../../platform/db/after-commit';
import { createJobRunner, type JobRunner } from '../../platform/jobs';
import type { AlertSink, SecurityChange } from '../threats';
import { createChannelsService } from './channels-service';
import { createCheckpointRouter } from './checkpoints';
import { createDeliveriesService } from './deliveries-service';
import * as deliveriesStore from './deliveries-store';
import { flushDigests } from './digest';
import type { SignedCheckpoint } from './payloads';
import { createAlertRouter } from './router';
import { alertRoutes } from './routes';
import { createChannelSecrets } from './secrets';
import { streamRoutes } from './stream';
import { createStreamHub } from './stream-hub';
import { createDeliveryWorker } from './worker';

export type { SignedCheckpoint } from './payloads';
export { AlertChannelList } from './routes';
export { signWebhook, webhookHeaders } from './signing';
export { isPublicAddress } from './url-guard';

/** What privacy retention may do to finished delivery logs, inside its own transaction. */
export const alertRetention = {
  countFinishedDeliveriesBefore: deliveriesStore.countFinishedDeliveriesBefore,
  deleteFinishedDeliveriesBefore: deliveriesStore.deleteFinishedDeliveriesBefore,
};

/** How often the worker looks for due deliveries (retries; other processes' work). */
const WORKER_INTERVAL_MS = 1_000;

export interface AlertsModule {
  /** Hand this to the threats module: console stream at once, webhooks and e-mail by routing. */
  sink: AlertSink;
  /** Channels, deliveries and the security stream routes. */
  routes: (app: FastifyInstance) => Promise<void>;
  /** Starts the delivery worker, the digest timer and (with Redis) the cross-process stream. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * A new signed checkpoint of an organization's audit log: queued for the channels that take
   * checkpoints (each at most once per its interval). Returns at once; failures are logged.
   */
  checkpointSigned(organizationId: string, checkpoint: SignedCheckpoint, verifierKeys: string[]): void;
  /** Sends every channel's queued low-severity events as one digest each now; answers how many. */
  flushDigests(): Promise<number>;
  /** Attempts every due delivery once; answers how many attempts were made. */
  runDueDeliveries(): Promise<number>;
  /** Resolves once the routing and sending started so far are done (tests). */
  idle(): Promise<void>;
  /** Open security streams in this process. */
  openStreams(): number;
}

function messageOf(change: SecurityChange): SecurityStreamMessage {
  return change.kind === 'security_event'
    ? { kind: 'security_event', change: change.change, event: change.event, response: null, at: nowIso() }
    : { kind: 'response', change: change.change, event: null, response: change.response, at: nowIso() };
}

/**
 * Alerts: the live security stream, alert channels, routing, digests and delivery with retries.
 * Its background jobs run on `jobs` (the server's runner); a module made alone gets its own.
 */
export function createAlerts(deps: Deps, jobs: JobRunner = createJobRunner({ log: deps.log })): AlertsModule {
  const secrets = createChannelSecrets(deps.keyring);
  const hub = createStreamHub(deps.config.redisUrl, deps.log);
  const worker = createDeliveryWorker(deps, secrets);
  const router = createAlertRouter(deps);
  const checkpoints = createCheckpointRouter(deps);
  /** Per organization, the checkpoint routing running now: the next one waits for it (in order). */
  const checkpointQueues = new Map<string, Promise<unknown>>();
  const channels = createChannelsService(deps, secrets, worker);
  const deliveries = createDeliveriesService(deps, worker);
  const inFlight = new Set<Promise<unknown>>();
  let running = false;
  let workerBusy: Promise<number> | null = null;

  /** Keeps a promise for idle(), and hands it back as it is (a job's failure is the runner's to record). */
  function keep<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    return work;
  }

  /** Keeps a promise for idle(); failures are logged, never thrown at the notifier. */
  function track<T>(work: Promise<T>, what: string): Promise<T | undefined> {
    return keep(
      work.catch((error: unknown) => {
        deps.log.error({ err: error }, `alerts: ${what} failed`);
        return undefined;
      }),
    );
  }

  /** One worker pass at a time per process; a pass asked for while one runs follows it. */
  function runDueDeliveries(): Promise<number> {
    const previous = workerBusy ?? Promise.resolve(0);
    const pass = previous.catch(() => 0).then(() => worker.runDue());
    const settled = pass.finally(() => {
      if (workerBusy === settled) workerBusy = null;
    });
    workerBusy = settled;
    return settled;
  }

  const kick = () => void track(runDueDeliveries(), 'delivery');

  const sink: AlertSink = {
    notify(change) {
      hub.publish(change.organizationId, messageOf(change));
      if (change.kind !== 'security_event' || change.change === 'updated') return;
      // Queued with the event (queueRaised): the worker is already asked to send them.
      if (change.queued) return;
      const routed = router.route(change.organizationId, change.change, change.event);
      void track(
        routed.then((created) => {
          if (created > 0) kick();
        }),
        'routing',
      );
    },
    async queueRaised(trx, organizationId, event) {
      const created = await router.queueRaised(trx, organizationId, event);
      if (created > 0) await afterCommit(trx, kick);
    },
  };

  const flush = async () => {
    const made = await flushDigests(deps);
    if (made > 0) kick();
    return made;
  };

  // Deliveries and digests are claimed in the database (a lease per attempt, items taken in a
  // transaction), so every server runs these jobs: no job lease is needed.
  const deliveryJob = jobs.add({
    name: 'alerts.deliveries',
    everyMs: WORKER_INTERVAL_MS,
    // A pass asked for in between (kick, a test) counts as this tick's.
    run: () => (workerBusy ? Promise.resolve(0) : keep(runDueDeliveries())),
  });
  const digestJob = jobs.add({
    name: 'alerts.digests',
    everyMs: deps.config.alertDigestIntervalMs,
    run: () => keep(flush()),
  });

  function checkpointSigned(organizationId: string, checkpoint: SignedCheckpoint, verifierKeys: string[]) {
    const previous = checkpointQueues.get(organizationId) ?? Promise.resolve();
    const routed = track(
      previous
        .then(() => checkpoints.route(organizationId, checkpoint, verifierKeys))
        .then((dueNow) => {
          if (dueNow > 0) kick();
        }),
      'checkpoint routing',
    );
    checkpointQueues.set(organizationId, routed);
    void routed.finally(() => {
      if (checkpointQueues.get(organizationId) === routed) checkpointQueues.delete(organizationId);
    });
  }

  return {
    sink,
    checkpointSigned,
    routes: async (app) => {
      await app.register(alertRoutes(channels, deliveries));
      await app.register(streamRoutes({ db: deps.db, hub }));
    },
    async start() {
      if (running) return;
      running = true;
      await hub.start();
      deliveryJob.start();
      digestJob.start();
    },
    async stop() {
      running = false;
      await Promise.all([deliveryJob.stop(), digestJob.stop()]);
      await idle();
      await hub.stop();
    },
    flushDigests: () => track(flush(), 'digest').then((n) => n ?? 0),
    runDueDeliveries,
    idle,
    openStreams: () => hub.openStreams(),
  };

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }
}
