import { nowIso } from '../../platform/clock';
import type { Quarantine } from './quarantine';

/**
 * What the audit trail found wrong with a log's history in the database:
 * - `rewritten`: the tree no longer extends the last checkpoint the signer signed;
 * - `rolled_back`: the log is shorter than a checkpoint the signer signed;
 * - `inserted_row`: an event row sits at the seq the next append needs, written around the append path;
 * - `signer_state_unreadable`: the signer's own memory of the log is not a note signed by its key.
 */
export type IntegrityAlarmKind = 'rewritten' | 'rolled_back' | 'inserted_row' | 'signer_state_unreadable';

export interface IntegrityAlarm {
  logId: string;
  kind: IntegrityAlarmKind;
  /** What was found and what to do next, for the operator and the console. */
  message: string;
  /** The size of the last checkpoint the signer signed, when known. */
  signedSize: number | null;
  /** The size the database's head claims. */
  headSize: number | null;
  /** The seq concerned (the row found in the way of the next append). */
  seq: number | null;
  detectedAt: string;
}

const HISTORY_KINDS = ['signer_state_unreadable', 'rolled_back', 'rewritten'] as const;
const keyOf = (logId: string, kind: IntegrityAlarmKind) => `${logId}\u0000${kind}`;

export type AlarmListener = (alarm: IntegrityAlarm) => void | Promise<void>;

/**
 * The current integrity alarms of this process, one per log and kind. An alarm stays until a check
 * finds the log sound again (e.g. after the database is restored); each new alarm is told to the
 * listeners once (threat detection raises a critical security event from it), not at every check.
 */
export class IntegrityAlarms {
  readonly #alarms = new Map<string, IntegrityAlarm>();
  readonly #listeners: AlarmListener[] = [];

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  listen(listener: AlarmListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  raise(alarm: Omit<IntegrityAlarm, 'detectedAt'>): IntegrityAlarm {
    const key = keyOf(alarm.logId, alarm.kind);
    const previous = this.#alarms.get(key);
    if (previous) {
      // Still the same break (the head may have grown since): refresh the figures, tell no one again.
      const updated = { ...alarm, detectedAt: previous.detectedAt };
      this.#alarms.set(key, updated);
      return updated;
    }
    const raised = { ...alarm, detectedAt: nowIso() };
    this.#alarms.set(key, raised);
    for (const listener of this.#listeners) {
      Promise.resolve()
        .then(() => listener(raised))
        .catch(this.onListenerError);
    }
    return raised;
  }

  /** A check found the log's history sound: a history alarm ends (a row in the way stays until moved). */
  clearHistory(logId: string): void {
    for (const kind of HISTORY_KINDS) this.#alarms.delete(keyOf(logId, kind));
  }

  clear(logId: string, kind: IntegrityAlarmKind): void {
    this.#alarms.delete(keyOf(logId, kind));
  }

  /** The log's alarms, history first (what the signer refuses over), then a row in the way. */
  ofLog(logId: string): IntegrityAlarm[] {
    return [...HISTORY_KINDS, 'inserted_row' as const].flatMap((kind) => {
      const alarm = this.#alarms.get(keyOf(logId, kind));
      return alarm ? [alarm] : [];
    });
  }

  has(logId: string, kind: IntegrityAlarmKind): boolean {
    return this.#alarms.has(keyOf(logId, kind));
  }

  all(): IntegrityAlarm[] {
    return [...this.#alarms.values()];
  }
}

/**
 * Rows past a log's head were found (by an append they blocked, or by the periodic check): moves
 * them aside as evidence and raises the alarm, which threat detection turns into a critical
 * security event. The alarm ends at the next check that finds nothing in the way.
 */
export async function moveAsideAndAlarm(
  quarantine: Quarantine,
  alarms: IntegrityAlarms,
  logId: string,
): Promise<void> {
  const { events, nodes } = await quarantine.moveRowsPastHead(logId);
  if (events.length === 0 && nodes === 0) return;
  const first = events[0] ?? null;
  const rows =
    events.length === 1 ? `an event row at seq ${first}` : `${events.length} event rows (from seq ${first})`;
  alarms.raise({
    logId,
    kind: 'inserted_row',
    message:
      `The audit log held ${events.length > 0 ? rows : `${nodes} tree node(s)`} past its head: written around ` +
      'Custos, not through it. They were moved aside and kept as evidence (exports carry them, custos audit verify ' +
      'names them); the log goes on. Find out who can write to the database.',
    signedSize: null,
    headSize: first === null ? null : first - 1,
    seq: first,
  });
}
