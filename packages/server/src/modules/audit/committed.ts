import type { AuditDraft } from './seal';

/**
 * An audit event as it was committed: the draft before sealing (plaintext IP and metadata, never
 * stored in this form) with its log and position. Given to in-process listeners (threat detection)
 * right after the transaction that wrote it commits, and never for a rolled-back one.
 */
export interface CommittedAuditEvent extends AuditDraft {
  logId: string;
  seq: number;
  /**
   * 'custos': written by Custos itself; 'host': ingested from a host app, whose fields (actor,
   * IP, metadata, time) are whatever the app sent, so detection must not treat it as Custos' word.
   */
  origin?: 'custos' | 'host';
}

export type CommittedListener = (events: readonly CommittedAuditEvent[]) => void;

/** Fans committed events out to listeners; a throwing listener cannot break the append path. */
export class CommittedEvents {
  private readonly listeners: CommittedListener[] = [];
  constructor(private readonly onError: (error: unknown) => void) {}

  subscribe(listener: CommittedListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  publish(events: readonly CommittedAuditEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
