import type { CustosRetentionKind } from '@custos/shared';
import type { Executor } from '../../../platform/db/executor';
import { alertRetention } from '../../alerts';
import { outboxRetention } from '../../outbox';
import { sessionPorts } from '../../sessions/ports';
import * as store from './store';

type Count = (db: Executor, organizationId: string, cutoff: string) => Promise<number>;

/**
 * Custos' own data kinds and how each is counted (dry run) and removed (real run), through the
 * owning module's functions. Count and removal share one condition, so a dry run at the same
 * cutoff names exactly what the real run takes.
 */
export const CUSTOS_DATA: Record<CustosRetentionKind, { count: Count; remove: Count }> = {
  'custos.ended_sessions': {
    count: sessionPorts.countEndedSessionsBefore,
    remove: sessionPorts.deleteEndedSessionsBefore,
  },
  'custos.outbox_mail': {
    count: outboxRetention.countFinishedMailBefore,
    remove: outboxRetention.deleteFinishedMailBefore,
  },
  'custos.alert_deliveries': {
    count: alertRetention.countFinishedDeliveriesBefore,
    remove: alertRetention.deleteFinishedDeliveriesBefore,
  },
  'custos.task_results': {
    count: store.countExpiredResults,
    remove: store.deleteExpiredResults,
  },
};
