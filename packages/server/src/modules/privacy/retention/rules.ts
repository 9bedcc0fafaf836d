import {
  type CreateRetentionRuleBody,
  CUSTOS_RETENTION_KIND_INFO,
  CUSTOS_RETENTION_KINDS,
  isCustosRetentionKind,
  type RetentionRuleOut,
  type UpdateRetentionRuleBody,
} from '@custos/shared';
import type { z } from 'zod';
import { newId } from '../../../platform/crypto/tokens';
import type { Executor } from '../../../platform/db/executor';
import { badRequest, conflict, notFound } from '../../../platform/http/errors';
import { categoryInfo } from '../present';
import * as systems from '../systems-store';
import type { RuleRow } from './store';
import * as store from './store';

export type CreateBody = z.output<typeof CreateRetentionRuleBody>;
export type UpdateBody = z.output<typeof UpdateRetentionRuleBody>;

export const notFoundRule = () =>
  notFound('PRIVACY_RETENTION_RULE_NOT_FOUND', 'No such retention rule in this organization.');

/**
 * The built-in Custos system's rules, one per data kind of Custos, with the documented default
 * periods. Added when the rules are first read or run (a default, like the built-in system itself,
 * so not an audited change); the unique index keeps one per kind when two first reads race.
 */
export async function ensureDefaultRules(db: Executor, organizationId: string, at: string): Promise<void> {
  const builtIn = (await systems.listSystems(db, organizationId)).find((s) => s.kind === 'custos');
  if (!builtIn) return;
  const have = new Set(
    (await store.listRules(db, organizationId))
      .filter((r) => r.systemId === builtIn.id)
      .map((r) => r.categoryKey),
  );
  const missing = CUSTOS_RETENTION_KINDS.filter((kind) => !have.has(kind));
  await store.insertDefaultRules(
    db,
    missing.map((kind) => {
      const info = CUSTOS_RETENTION_KIND_INFO[kind];
      return {
        id: newId(),
        organizationId,
        systemId: builtIn.id,
        categoryKey: kind,
        periodDays: info.defaultPeriodDays,
        trigger: info.trigger,
        action: info.action,
        enabled: 1,
        lastRunAt: null,
        createdAt: at,
        updatedAt: at,
      };
    }),
  );
}

/** Refuses a rule whose category the system does not hold (or, for Custos, is not one of its data kinds). */
export async function checkNewRule(db: Executor, organizationId: string, body: CreateBody) {
  const system = await systems.findSystem(db, organizationId, body.systemId);
  if (!system) throw notFound('PRIVACY_SYSTEM_NOT_FOUND', 'No such system in this organization.');
  if (system.kind === 'custos') {
    if (!isCustosRetentionKind(body.categoryKey)) {
      throw badRequest(
        'PRIVACY_RETENTION_CATEGORY_INVALID',
        `Custos' own rules cover only its data kinds (${CUSTOS_RETENTION_KINDS.join(', ')}); the audit trail's retention is set in Audit settings.`,
      );
    }
  } else {
    const held = (await systems.categoriesOf(db, organizationId)).some(
      (c) => c.systemId === system.id && c.categoryKey === body.categoryKey,
    );
    if (!held) {
      throw badRequest(
        'PRIVACY_RETENTION_CATEGORY_INVALID',
        `${system.name} does not hold ${body.categoryKey} in the data map: add the category to the system first.`,
      );
    }
  }
  if (await store.findRuleFor(db, organizationId, system.id, body.categoryKey)) {
    throw conflict(
      'PRIVACY_RETENTION_RULE_EXISTS',
      'This system already has a rule for that category: change its period instead.',
    );
  }
  return system;
}

/** A built-in rule's trigger and action follow from what the data is; only period and on/off change. */
export function checkUpdate(rule: RuleRow, builtIn: boolean, body: UpdateBody): void {
  if (!builtIn) return;
  const changes =
    (body.trigger !== undefined && body.trigger !== rule.trigger) ||
    (body.action !== undefined && body.action !== rule.action);
  if (changes) {
    throw conflict(
      'PRIVACY_RETENTION_RULE_BUILT_IN',
      "The trigger and action of Custos' own data are fixed; change the period or turn the rule off.",
    );
  }
}

export function presentRule(
  rule: RuleRow,
  system: systems.SystemRow | undefined,
  custom: ReadonlyMap<string, systems.CustomCategoryRow>,
): RetentionRuleOut {
  const kind = isCustosRetentionKind(rule.categoryKey ?? '') && system?.kind === 'custos';
  const key = rule.categoryKey ?? '';
  const info = kind && isCustosRetentionKind(key) ? CUSTOS_RETENTION_KIND_INFO[key] : null;
  return {
    id: rule.id,
    systemId: rule.systemId,
    systemName: system?.name ?? '',
    builtIn: info !== null,
    categoryKey: key,
    categoryName: info?.name ?? categoryInfo(key, custom).name,
    periodDays: rule.periodDays,
    defaultPeriodDays: info?.defaultPeriodDays ?? null,
    trigger: rule.trigger as RetentionRuleOut['trigger'],
    action: rule.action as RetentionRuleOut['action'],
    enabled: rule.enabled === 1,
    lastRunAt: rule.lastRunAt,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
  };
}
