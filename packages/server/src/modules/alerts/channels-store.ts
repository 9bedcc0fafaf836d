import type { AlertRouting, DetectorType, Severity } from '@custos/shared';
import type { Selectable, Transaction } from 'kysely';
import type { Executor } from '../../platform/db/executor';
import { parseJson, toJson } from '../../platform/db/json';
import type { AlertChannelsTable, DB } from '../../platform/db/schema';

export type ChannelKind = 'webhook' | 'email';

export interface StoredChannel {
  id: string;
  organizationId: string;
  kind: ChannelKind;
  name: string;
  url: string | null;
  recipients: string[] | null;
  secretSealed: string | null;
  secretHint: string | null;
  routing: AlertRouting;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

function storedChannel(r: Selectable<AlertChannelsTable>): StoredChannel {
  return {
    id: r.id,
    organizationId: r.organizationId,
    kind: r.kind as ChannelKind,
    name: r.name,
    url: r.url,
    recipients: r.recipients === null ? null : parseJson<string[]>(r.recipients),
    secretSealed: r.secretSealed,
    secretHint: r.secretHint,
    routing: {
      minSeverity: r.minSeverity as Severity,
      types: r.types === null ? null : parseJson<DetectorType[]>(r.types),
      digestLow: r.digestLow === 1,
      checkpoints: { enabled: r.sendCheckpoints === 1, minIntervalMinutes: r.checkpointIntervalMinutes },
    },
    enabled: r.enabled === 1,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export async function listChannels(db: Executor, organizationId: string): Promise<StoredChannel[]> {
  const rows = await db
    .selectFrom('alertChannels')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map(storedChannel);
}

export async function enabledChannels(db: Executor, organizationId: string): Promise<StoredChannel[]> {
  const rows = await db
    .selectFrom('alertChannels')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('enabled', '=', 1)
    .execute();
  return rows.map(storedChannel);
}

export async function findChannel(
  db: Executor,
  organizationId: string,
  id: string,
): Promise<StoredChannel | null> {
  const row = await db
    .selectFrom('alertChannels')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? storedChannel(row) : null;
}

/** The organization's enabled channels that take audit checkpoints. */
export async function checkpointChannels(db: Executor, organizationId: string): Promise<StoredChannel[]> {
  const rows = await db
    .selectFrom('alertChannels')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('enabled', '=', 1)
    .where('sendCheckpoints', '=', 1)
    .execute();
  return rows.map(storedChannel);
}

/** A channel by id alone: for the delivery worker, which runs for every organization. */
export async function channelById(db: Executor, id: string): Promise<StoredChannel | null> {
  const row = await db.selectFrom('alertChannels').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? storedChannel(row) : null;
}

export interface ChannelWrite {
  name: string;
  url: string | null;
  recipients: string[] | null;
  routing: AlertRouting;
  enabled: boolean;
}

function columnsOf(write: ChannelWrite) {
  return {
    name: write.name,
    url: write.url,
    recipients: write.recipients === null ? null : toJson(write.recipients),
    minSeverity: write.routing.minSeverity,
    types: write.routing.types === null ? null : toJson(write.routing.types),
    digestLow: write.routing.digestLow ? 1 : 0,
    sendCheckpoints: write.routing.checkpoints.enabled ? 1 : 0,
    checkpointIntervalMinutes: write.routing.checkpoints.minIntervalMinutes,
    enabled: write.enabled ? 1 : 0,
  };
}

export async function insertChannel(
  trx: Transaction<DB>,
  row: ChannelWrite & {
    id: string;
    organizationId: string;
    kind: ChannelKind;
    secretSealed: string | null;
    secretHint: string | null;
    at: string;
  },
): Promise<void> {
  await trx
    .insertInto('alertChannels')
    .values({
      id: row.id,
      organizationId: row.organizationId,
      kind: row.kind,
      ...columnsOf(row),
      secretSealed: row.secretSealed,
      secretHint: row.secretHint,
      createdAt: row.at,
      updatedAt: row.at,
    })
    .execute();
}

export async function updateChannel(
  trx: Transaction<DB>,
  organizationId: string,
  id: string,
  write: ChannelWrite,
  at: string,
): Promise<void> {
  await trx
    .updateTable('alertChannels')
    .set({ ...columnsOf(write), updatedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function replaceSecret(
  trx: Transaction<DB>,
  organizationId: string,
  id: string,
  secretSealed: string,
  secretHint: string,
  at: string,
): Promise<void> {
  await trx
    .updateTable('alertChannels')
    .set({ secretSealed, secretHint, updatedAt: at })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export async function deleteChannel(trx: Transaction<DB>, organizationId: string, id: string): Promise<void> {
  await trx
    .deleteFrom('alertChannels')
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

export interface LastDelivery {
  status: string;
  at: string;
  responseCode: number | null;
}

/** Each channel's newest delivery (for the channel list). */
export async function lastDeliveries(
  db: Executor,
  organizationId: string,
): Promise<Map<string, LastDelivery>> {
  const rows = await db
    .selectFrom('alertDeliveries as d')
    .select(['d.channelId', 'd.status', 'd.createdAt', 'd.deliveredAt', 'd.lastResponseCode', 'd.id'])
    .where('d.organizationId', '=', organizationId)
    .where('d.createdAt', '=', (eb) =>
      eb
        .selectFrom('alertDeliveries as latest')
        .select((e) => e.fn.max('latest.createdAt').as('m'))
        .whereRef('latest.channelId', '=', 'd.channelId'),
    )
    .orderBy('d.id', 'desc')
    .execute();
  const out = new Map<string, LastDelivery>();
  for (const r of rows) {
    if (out.has(r.channelId)) continue;
    out.set(r.channelId, {
      status: r.status,
      at: r.deliveredAt ?? r.createdAt,
      responseCode: r.lastResponseCode,
    });
  }
  return out;
}
