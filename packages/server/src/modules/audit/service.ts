import type { AuditActorSuggestion, AuditEventOut, AuditSearchQuery } from '@custos/shared';
import type { Kysely } from 'kysely';
import type { AuditWitnessConfig } from '../../config';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller } from '../../platform/http/caller';
import { badRequest, notFound } from '../../platform/http/errors';
import { suggestActors } from './actors';
import type { Checkpoint, Checkpoints } from './checkpoints';
import { leafHashOfCanonical } from './event';
import { verifyInclusion } from './merkle';
import { presentRows, withMemberNames } from './present';
import type { Proofs } from './proofs';
import type { AuditRecorder } from './recorder';
import { resolveSearchFilters } from './search-filters';
import { eventById, searchEvents } from './search-store';

export interface AuditServiceDeps {
  db: Kysely<DB>;
  dialect: Dialect;
  keyring: Keyring;
  audit: AuditRecorder;
  checkpoints: Checkpoints;
  proofs: Proofs;
  witnesses: readonly AuditWitnessConfig[];
}

/** Filters worth recording with a read: what was looked for, never what was found. */
function describeQuery(query: AuditSearchQuery): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}

/** Reading the trail: search, one event with its proof, checkpoints and proofs. Every read is audited. */
export function createAuditService(deps: AuditServiceDeps) {
  const { db, dialect, keyring, audit, checkpoints, proofs, witnesses } = deps;

  const auditRead = (
    c: OrganizationCaller,
    action: 'audit.searched' | 'audit.event_viewed',
    metadata: Record<string, unknown>,
    targets: { type: string; id: string }[] = [],
  ) => audit.recordAlone(c, { action, metadata, targets });

  return {
    async search(
      caller: Caller,
      query: AuditSearchQuery,
      page: { before?: number | undefined; limit: number },
    ): Promise<{ events: AuditEventOut[]; nextCursor: number | null }> {
      const c = authorize(caller, 'audit:read');
      if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
        throw badRequest('AUDIT_FILTER_INVALID', '`from` must be before `to`.');
      }
      const filters = await resolveSearchFilters(db, keyring, c, query);
      const rows = await searchEvents(db, dialect, c.organizationId, filters, {
        beforeSeq: page.before,
        limit: page.limit + 1,
      });
      const more = rows.length > page.limit;
      const pageRows = more ? rows.slice(0, page.limit) : rows;
      await auditRead(c, 'audit.searched', {
        query: describeQuery(query),
        ...(page.before ? { before: page.before } : {}),
        results: pageRows.length,
      });
      const presented = await presentRows(db, keyring, c.organizationId, pageRows);
      const events = await withMemberNames(db, c.organizationId, presented);
      return { events, nextCursor: more ? (pageRows.at(-1)?.seq ?? null) : null };
    },

    /** One event with its inclusion proof against the latest signed checkpoint, checked here. */
    async event(caller: Caller, id: string) {
      const c = authorize(caller, 'audit:read');
      const row = await eventById(db, c.organizationId, id);
      if (!row) throw notFound('AUDIT_EVENT_NOT_FOUND', 'No audit event with that id in this organization.');
      await auditRead(c, 'audit.event_viewed', {}, [{ type: 'audit_event', id }]);
      const [event] = await withMemberNames(
        db,
        c.organizationId,
        await presentRows(db, keyring, c.organizationId, [row]),
      );
      let checkpoint: Checkpoint | null = await checkpoints.latest(c.organizationId);
      if (!checkpoint || checkpoint.treeSize < row.seq)
        checkpoint = await checkpoints.current(c.organizationId);
      // The event exists, so `current` is null only when the signer refuses this log: its tree is
      // missing or no longer extends what was signed. The code stays the one clients already handle.
      if (!checkpoint) {
        throw notFound(
          'AUDIT_EVENT_NOT_FOUND',
          'No signed checkpoint covers this audit event: Custos signs nothing for this log while its integrity is in doubt.',
        );
      }
      const proof = await proofs.inclusion(c.organizationId, row.seq - 1, checkpoint.treeSize, row.leafHash);
      // The body is re-hashed, and the proof must reach the *signed* root, not just the stored nodes.
      // A missing body proves nothing about what the search columns say: never `verified`.
      const bodyMatches = row.body !== null && leafHashOfCanonical(row.body) === row.leafHash;
      const verified =
        bodyMatches &&
        verifyInclusion(
          row.seq - 1,
          checkpoint.treeSize,
          Buffer.from(row.leafHash, 'hex'),
          proof.proof.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(checkpoint.rootHash, 'hex'),
        );
      return {
        event: event as AuditEventOut,
        proof: {
          seq: row.seq,
          leafIndex: row.seq - 1,
          treeSize: checkpoint.treeSize,
          leafHash: row.leafHash,
          proof: proof.proof,
          rootHash: checkpoint.rootHash,
          checkpoint,
          verified,
        },
      };
    },

    /** The actor filter's people picker (actors.ts). */
    async actors(caller: Caller, query: { q: string; limit: number }): Promise<AuditActorSuggestion[]> {
      return suggestActors(db, caller, query);
    },

    async latestCheckpoint(caller: Caller): Promise<Checkpoint> {
      const c = authorize(caller, 'audit:read');
      const checkpoint =
        (await checkpoints.latest(c.organizationId)) ?? (await checkpoints.current(c.organizationId));
      if (!checkpoint) throw notFound('NOT_FOUND', 'This organization has no audit events yet.');
      return checkpoint;
    },

    /** Checks the log against the signer's memory now; the alarms found. Not recorded: the console polls it. */
    async integrity(caller: Caller) {
      const c = authorize(caller, 'audit:read');
      const alarms = await checkpoints.check(c.organizationId);
      return {
        status: alarms.length > 0 ? ('alarm' as const) : ('ok' as const),
        alarms: alarms.map(({ logId: _logId, ...alarm }) => alarm),
        witnesses: witnesses.map((w) => ({
          name: w.verifierKey.split('+')[0] ?? w.verifierKey,
          verifierKey: w.verifierKey,
        })),
      };
    },

    async checkpointList(caller: Caller, afterSize: number, limit: number): Promise<Checkpoint[]> {
      const c = authorize(caller, 'audit:read');
      return checkpoints.list(c.organizationId, afterSize, limit);
    },

    async inclusionProof(caller: Caller, id: string, treeSize: number | undefined) {
      const c = authorize(caller, 'audit:read');
      const row = await eventById(db, c.organizationId, id);
      if (!row) throw notFound('AUDIT_EVENT_NOT_FOUND', 'No audit event with that id in this organization.');
      const checkpoint = treeSize
        ? await checkpoints.atSize(c.organizationId, treeSize)
        : ((await checkpoints.latest(c.organizationId)) ?? null);
      const size = treeSize ?? checkpoint?.treeSize ?? row.seq;
      const result = await proofs.inclusion(c.organizationId, row.seq - 1, size, row.leafHash);
      const verified =
        row.body !== null &&
        leafHashOfCanonical(row.body) === row.leafHash &&
        (checkpoint ? checkpoint.rootHash === result.root && result.verified : result.verified);
      return {
        seq: row.seq,
        leafIndex: row.seq - 1,
        treeSize: size,
        leafHash: row.leafHash,
        proof: result.proof,
        rootHash: result.root,
        checkpoint,
        verified,
      };
    },

    async consistencyProof(caller: Caller, from: number, to: number) {
      const c = authorize(caller, 'audit:read');
      const result = await proofs.consistency(c.organizationId, from, to);
      return { from, to, ...result };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
