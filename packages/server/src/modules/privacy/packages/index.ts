import type { Deps } from '../../../deps';
import type { JobRunner } from '../../../platform/jobs';
import type { OutboxService } from '../../outbox';
import type { SubjectSeal } from '../subject-seal';
import { buildRequestPackage, deleteExpiredPackages } from './build';
import { certificateOf } from './certificate';
import { certificatePdf } from './pdf';
import { packageRoutes } from './routes';
import { createPackagesService } from './service';
import type { DigestSigner } from './signing';
import * as store from './store';

export { deleteExpiredPackages, MAX_PACKAGE_BYTES, PACKAGE_TTL_MS } from './build';
export type { DigestSigner } from './signing';

/** How often missing packages are made (a completion asks at once) and expired ones deleted. */
export const PACKAGE_JOB_INTERVAL_MS = 10 * 60_000;

/**
 * Access and portability packages and completion certificates (issue 18 items 6 and 7). A request
 * completing asks for its package after commit; the job makes any that were missed (a crash, a
 * manual completion) and deletes expired ones.
 */
export function createAccessPackages(
  deps: Deps & { seal: SubjectSeal; outbox: OutboxService; signer: DigestSigner | null; jobs: JobRunner },
) {
  const now = () => new Date();
  const service = createPackagesService({ ...deps, now });
  const buildDeps = { ...deps, now, sendLink: service.sendLink };
  const inFlight = new Set<Promise<unknown>>();

  const track = <T>(work: Promise<T>) => {
    const tracked = work.catch((error: unknown) =>
      deps.log.error({ err: error }, 'privacy: package work failed'),
    );
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return tracked;
  };

  /** One pass: make missing packages, wipe expired ones. */
  async function runDue(at = new Date()) {
    let made = 0;
    for (const r of await store.requestsWithoutPackage(deps.db, 50)) {
      if (await buildRequestPackage(buildDeps, r.organizationId, r.id)) made++;
    }
    const deleted = await deleteExpiredPackages(deps, at);
    return { made, deleted: deleted.length };
  }

  // One server is enough; the unique index makes a second builder harmless anyway.
  const job = deps.jobs.add({
    name: 'privacy.packages',
    everyMs: PACKAGE_JOB_INTERVAL_MS,
    leaderOnly: true,
    run: () => runDue(),
  });
  return {
    service,
    /** For settleRequest: called after a request's completion commits. */
    onRequestCompleted: (organizationId: string, requestId: string) => {
      void track(buildRequestPackage(buildDeps, organizationId, requestId));
    },
    runDue,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    routes: packageRoutes({
      packages: service,
      certificate: (caller, requestId) => certificateOf(deps.db, deps.signer, caller, requestId),
      certificatePdf,
    }),
    start: () => job.start(),
    stop: async () => {
      await job.stop();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

export type AccessPackages = ReturnType<typeof createAccessPackages>;
