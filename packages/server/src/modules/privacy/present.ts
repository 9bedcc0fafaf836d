import {
  type CustomCategoryOut,
  dataCategory,
  type PrivacyRequestOut,
  type PrivacySystemOut,
  type SystemCategoryOut,
} from '@custos/shared';
import { parseJson } from '../../platform/db/json';
import { clockOf } from './clock';
import type { RequestEventRow, RequestRow } from './requests-store';
import type { CustomCategoryRow, SystemCategoryRow, SystemRow } from './systems-store';

type Opener = (requestId: string, field: string, value: string | null) => string | null;

export function presentCustomCategory(row: CustomCategoryRow): CustomCategoryOut {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    special: row.special === 1,
    phi: row.phi === 1,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A category's name and flags, from the taxonomy or the organization's own list. */
export function categoryInfo(
  key: string,
  custom: ReadonlyMap<string, CustomCategoryRow>,
): { name: string; special: boolean; phi: boolean } {
  const builtIn = dataCategory(key);
  if (builtIn) return { name: builtIn.name, special: builtIn.special, phi: builtIn.phi };
  const own = custom.get(key);
  if (own) return { name: own.name, special: own.special === 1, phi: own.phi === 1 };
  return { name: key, special: false, phi: false };
}

export function presentSystemCategory(
  row: SystemCategoryRow,
  custom: ReadonlyMap<string, CustomCategoryRow>,
): SystemCategoryOut {
  const retention =
    row.retentionDays !== null && row.retentionTrigger !== null && row.retentionAction !== null
      ? {
          periodDays: row.retentionDays,
          trigger: row.retentionTrigger as NonNullable<SystemCategoryOut['retention']>['trigger'],
          action: row.retentionAction as NonNullable<SystemCategoryOut['retention']>['action'],
        }
      : null;
  return {
    categoryKey: row.categoryKey,
    ...categoryInfo(row.categoryKey, custom),
    purposes: parseJson(row.purposes),
    retention,
    erasureStrategy: row.erasureStrategy as SystemCategoryOut['erasureStrategy'],
  };
}

export function presentSystem(
  row: SystemRow,
  categories: SystemCategoryRow[],
  custom: ReadonlyMap<string, CustomCategoryRow>,
): PrivacySystemOut {
  return {
    id: row.id,
    kind: row.kind === 'custos' ? 'custos' : 'host',
    name: row.name,
    owner: row.owner,
    description: row.description,
    connector: { webhookUrl: row.webhookUrl, secretHint: row.webhookSecretHint, polling: row.polling === 1 },
    enabled: row.enabled === 1,
    subjectTypes: parseJson(row.subjectTypes),
    storageCountry: row.storageCountry,
    recipients: parseJson(row.recipients),
    categories: categories.filter((c) => c.systemId === row.id).map((c) => presentSystemCategory(c, custom)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function presentRequest(row: RequestRow, openField: Opener, now: Date): PrivacyRequestOut {
  const clock = clockOf(row);
  const open = ['received', 'verifying', 'awaiting_approval', 'in_progress'].includes(row.state);
  return {
    id: row.id,
    type: row.type as PrivacyRequestOut['type'],
    regime: row.regime as PrivacyRequestOut['regime'],
    state: row.state as PrivacyRequestOut['state'],
    source: row.source as PrivacyRequestOut['source'],
    subjectRef: row.subjectRef,
    email: openField(row.id, 'email', row.emailSealed),
    subjectName: openField(row.id, 'subjectName', row.subjectNameSealed),
    receivedAt: row.receivedAt,
    verifiedAt: row.verifiedAt,
    approvedAt: row.approvedAt,
    closedAt: row.closedAt,
    clock: {
      startDate: row.startDate,
      acknowledgeBy: row.ackBy,
      dueDate: row.dueDate,
      dueAt: row.dueAt,
      extensionNoticeBy: row.extensionNoticeBy,
      timeZone: row.timeZone,
      waitingForVerification: clock.waitingForVerification,
      overdue: open && !clock.waitingForVerification && row.dueAt < now.toISOString(),
    },
    extensions: row.extensions,
    extensionReason: row.extensionReason,
    duplicateOf: row.duplicateOf,
    denialReason: row.denialReason,
    denialGround: row.denialGround,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function presentTimelineEntry(row: RequestEventRow) {
  return {
    id: row.id,
    kind: row.kind,
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    data: parseJson<Record<string, unknown>>(row.data),
    at: row.at,
  };
}
