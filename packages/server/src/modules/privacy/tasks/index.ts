import type { Deps } from '../../../deps';
import type { JobRunner } from '../../../platform/jobs';
import { createSubjectData } from '../../audit';
import { createCustosSystem } from '../builtin/custos-system';
import type { DataMapService } from '../datamap-service';
import type { RequestTaskHooks } from '../requests-service';
import type { SubjectSeal } from '../subject-seal';
import { taskRoutes } from './routes';
import { createTasksService } from './service';
import type { SettleHooks } from './transitions';
import { createTaskWorker } from './worker';

export { MAX_RESULT_BYTES } from './results';
export type { TasksService } from './service';

/** How often due webhook and built-in tasks are looked for (a commit that queues some asks at once). */
export const TASK_WORKER_INTERVAL_MS = 5_000;

/**
 * The connectors of data subject requests: fan-out on approval, webhook delivery and Custos' own
 * system by a job on every server (attempts are claimed in the database), the host's task queue.
 */
export function createPrivacyTasks(
  // SettleHooks travel inside deps to the service and the worker, which pass them to settleRequest.
  deps: Deps & { seal: SubjectSeal; dataMap: DataMapService; jobs: JobRunner } & SettleHooks,
) {
  const inFlight = new Set<Promise<unknown>>();
  const builtin = createCustosSystem({ ...deps, subjectData: createSubjectData(deps.keyring) });
  const worker = createTaskWorker({ ...deps, builtin });
  let running: Promise<number> | null = null;

  /** One pass at a time per server; a pass asked for during one runs after it. */
  function runDue(): Promise<number> {
    const pass = (running ?? Promise.resolve(0)).then(() => worker.runDue());
    const tracked = pass.catch((error: unknown) => {
      deps.log.error({ err: error }, 'privacy: task worker pass failed');
      return 0;
    });
    running = tracked;
    inFlight.add(tracked);
    void tracked.finally(() => {
      inFlight.delete(tracked);
      if (running === tracked) running = null;
    });
    return tracked;
  }

  const service = createTasksService({ ...deps, kick: () => void runDue() });
  const job = deps.jobs.add({
    name: 'privacy.tasks',
    everyMs: TASK_WORKER_INTERVAL_MS,
    run: () => (running ? Promise.resolve(0) : runDue()),
  });
  const hooks: RequestTaskHooks = {
    fanOut: (trx, caller, request, at) => service.fanOut(trx, caller, request, at),
    list: (organizationId, requestId) => service.list(organizationId, requestId),
  };
  return {
    service,
    hooks,
    routes: taskRoutes(service),
    /** Sends every due task once now (tests; the job does it every few seconds). */
    runDue,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    start: () => job.start(),
    stop: async () => {
      await job.stop();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
