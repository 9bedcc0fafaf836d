import {
  AuditActorsQuery,
  AuditActorsResult,
  AuditBatchInput,
  AuditBatchResult,
  AuditCheckpointList,
  AuditCheckpointOut,
  AuditEventInput,
  AuditEventOut,
  AuditIntegrityOut,
  AuditKeysOut,
  AuditReceiptResult,
  AuditSearchParams,
  AuditSearchResult,
  AuditSettingsBody,
  AuditSettingsOut,
  ConsistencyProofOut,
  ConsistencyProofQuery,
  EraseSubjectBody,
  EraseSubjectResult,
  IdParams,
  InclusionProofOut,
  InclusionProofQuery,
  Ok,
  SavedSearchBody,
  SavedSearchList,
  SavedSearchOut,
} from '@custos/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unauthenticated } from '../../platform/http/errors';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { CheckpointSigner } from './checkpoints';
import type { Ingestion } from './ingest';
import type { AuditManagement } from './manage';
import type { AuditService } from './service';

const tags = ['audit'];
const security = AUTHENTICATED;
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe('Retries with the same key (kept 24 h) never duplicate events'),
});
/** A full batch (1000 events with metadata) is larger than the default 1 MiB. */
const BATCH_BODY_LIMIT = 16 * 1_048_576;

/** Big bodies are parsed only for authenticated callers. */
async function rejectAnonymous(req: FastifyRequest) {
  if (req.caller.kind === 'anonymous') throw unauthenticated();
}

function sendReceipts<T>(reply: FastifyReply, replayed: boolean, body: T) {
  if (replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(replayed ? 200 : 201).send(body);
}

export interface AuditRouteDeps {
  ingestion: Ingestion;
  service: AuditService;
  management: AuditManagement;
  signer: CheckpointSigner;
}

export function auditRoutes({ ingestion, service, management, signer }: AuditRouteDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/api/v1/audit/events',
      {
        schema: {
          tags,
          security,
          summary: 'Record one audit event (API key with audit:write); answers with its receipt',
          headers: IdempotencyHeaders,
          body: AuditEventInput,
          response: { 200: AuditReceiptResult, 201: AuditReceiptResult },
        },
      },
      async (req, reply) => {
        const result = await ingestion.ingest(req.caller, [req.body], req.headers['idempotency-key']);
        return sendReceipts(reply, result.replayed, { receipt: result.receipts[0] });
      },
    );
    app.post(
      '/api/v1/audit/events/batch',
      {
        bodyLimit: BATCH_BODY_LIMIT,
        preParsing: rejectAnonymous,
        schema: {
          tags,
          security,
          summary: 'Record up to 1000 audit events atomically: one bad event and none are written',
          headers: IdempotencyHeaders,
          body: AuditBatchInput,
          response: { 200: AuditBatchResult, 201: AuditBatchResult },
        },
      },
      async (req, reply) => {
        const result = await ingestion.ingest(req.caller, req.body.events, req.headers['idempotency-key']);
        return sendReceipts(reply, result.replayed, { receipts: result.receipts });
      },
    );
    app.get(
      '/api/v1/audit/events',
      {
        schema: {
          tags,
          security,
          summary: 'Search the audit trail, newest first (keyset pagination with `before`)',
          querystring: AuditSearchParams,
          response: { 200: AuditSearchResult },
        },
      },
      async (req) => {
        const { before, limit, ...query } = req.query;
        return service.search(req.caller, query, { before, limit });
      },
    );
    app.get(
      '/api/v1/audit/actors',
      {
        schema: {
          tags,
          security,
          summary:
            "Actors to filter by: the organization's members, API keys and host-app actors whose name, e-mail or id starts with `q`",
          querystring: AuditActorsQuery,
          response: { 200: AuditActorsResult },
        },
      },
      async (req) => ({ actors: await service.actors(req.caller, req.query) }),
    );
    app.get(
      '/api/v1/audit/events/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One audit event with its inclusion proof against the latest signed checkpoint',
          params: IdParams,
          response: { 200: z.object({ event: AuditEventOut, proof: InclusionProofOut }) },
        },
      },
      async (req) => service.event(req.caller, req.params.id),
    );
    app.get(
      '/api/v1/audit/events/:id/proof',
      {
        schema: {
          tags,
          security,
          summary: 'Inclusion proof of an event in the tree of a given size (default: latest checkpoint)',
          params: IdParams,
          querystring: InclusionProofQuery,
          response: { 200: InclusionProofOut },
        },
      },
      async (req) => service.inclusionProof(req.caller, req.params.id, req.query.treeSize),
    );
    app.get(
      '/api/v1/audit/checkpoint',
      {
        schema: {
          tags,
          security,
          summary: 'The latest signed checkpoint (C2SP signed note) of the organization’s log',
          response: { 200: AuditCheckpointOut },
        },
      },
      async (req) => service.latestCheckpoint(req.caller),
    );
    app.get(
      '/api/v1/audit/integrity',
      {
        schema: {
          tags,
          security,
          summary:
            'Whether the log still extends every checkpoint the signer signed (checked now), and the witnesses co-signing it',
          response: { 200: AuditIntegrityOut },
        },
      },
      async (req) => service.integrity(req.caller),
    );
    app.get(
      '/api/v1/audit/checkpoints',
      {
        schema: {
          tags,
          security,
          summary: 'Signed checkpoints in order of tree size',
          querystring: z.strictObject({
            after: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: AuditCheckpointList },
        },
      },
      async (req) => ({
        checkpoints: await service.checkpointList(req.caller, req.query.after, req.query.limit),
      }),
    );
    app.get(
      '/api/v1/audit/proofs/consistency',
      {
        schema: {
          tags,
          security,
          summary: 'RFC 6962 consistency proof between two tree sizes',
          querystring: ConsistencyProofQuery,
          response: { 200: ConsistencyProofOut },
        },
      },
      async (req) => service.consistencyProof(req.caller, req.query.from, req.query.to),
    );
    app.get(
      '/api/v1/audit/saved-searches',
      {
        schema: { tags, security, summary: 'My saved searches', response: { 200: SavedSearchList } },
      },
      async (req) => ({ savedSearches: await management.listSavedSearches(req.caller) }),
    );
    app.post(
      '/api/v1/audit/saved-searches',
      {
        schema: {
          tags,
          security,
          summary: 'Save a search',
          body: SavedSearchBody,
          response: { 201: SavedSearchOut },
        },
      },
      async (req, reply) => reply.status(201).send(await management.saveSearch(req.caller, req.body)),
    );
    app.delete(
      '/api/v1/audit/saved-searches/:id',
      {
        schema: { tags, security, summary: 'Delete a saved search', params: IdParams, response: { 200: Ok } },
      },
      async (req) => {
        await management.deleteSavedSearch(req.caller, req.params.id);
        return { ok: true as const };
      },
    );
    app.get(
      '/api/v1/audit/settings',
      {
        schema: { tags, security, summary: 'Retention and legal hold', response: { 200: AuditSettingsOut } },
      },
      async (req) => management.settings(req.caller),
    );
    app.put(
      '/api/v1/audit/settings',
      {
        schema: {
          tags,
          security,
          summary: 'Set retention (days, or null to keep forever) and legal hold',
          body: AuditSettingsBody,
          response: { 200: AuditSettingsOut },
        },
      },
      async (req) => management.updateSettings(req.caller, req.body),
    );
    app.post(
      '/api/v1/audit/subjects/erase',
      {
        schema: {
          tags,
          security,
          summary: "Crypto-shred a data subject's personal data in the audit trail (proofs stay valid)",
          body: EraseSubjectBody,
          response: { 200: EraseSubjectResult },
        },
      },
      async (req) => management.eraseSubject(req.caller, req.body.subject),
    );
    app.get(
      '/.well-known/custos/audit-keys',
      {
        schema: {
          tags,
          summary: 'Public keys that sign audit checkpoints (signed-note verifier keys)',
          response: { 200: AuditKeysOut },
        },
      },
      async () => ({
        keys: [
          {
            name: signer.keyName,
            keyId: signer.keyId,
            algorithm: 'ed25519' as const,
            verifierKey: signer.verifierKey,
          },
        ],
      }),
    );
  };
}
