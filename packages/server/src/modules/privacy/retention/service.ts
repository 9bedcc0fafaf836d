import type { RetentionRuleOut, RetentionRunOut } from '@custos/shared';
import type { Deps } from '../../../deps';
import { newId } from '../../../platform/crypto/tokens';
import type { Executor } from '../../../platform/db/executor';
import { authorize, type Caller, type OrganizationCaller } from '../../../platform/http/caller';
import { conflict, notFound } from '../../../platform/http/errors';
import type { DataMapService } from '../datamap-service';
import * as systems from '../systems-store';
import {
  type CreateBody,
  checkNewRule,
  checkUpdate,
  ensureDefaultRules,
  notFoundRule,
  presentRule,
  type UpdateBody,
} from './rules';
import { presentRun, runRetention } from './run';
import * as store from './store';

/** How many runs the console's history shows. */
const RUNS_LISTED = 20;

export interface RetentionServiceDeps extends Pick<Deps, 'db' | 'audit' | 'log'> {
  dataMap: Pick<DataMapService, 'ensureBuiltIn'>;
  kick: () => void;
  now?: () => Date;
}

/**
 * Enforced retention: rules per system and category (Custos' own data kinds come as default
 * rules of the built-in system), dry and real runs by people (`privacy:manage`) and by the daily
 * scheduler. Every change and every run is audited in its transaction.
 */
export type RetentionService = ReturnType<typeof createRetentionService>;

export function createRetentionService(deps: RetentionServiceDeps) {
  const { db, audit } = deps;
  const now = () => (deps.now ?? (() => new Date()))();

  async function ready(organizationId: string) {
    await deps.dataMap.ensureBuiltIn(organizationId);
    await db.transaction().execute((trx) => ensureDefaultRules(trx, organizationId, now().toISOString()));
  }

  async function loadRule(ex: Executor, organizationId: string, id: string): Promise<RetentionRuleOut> {
    const rule = await store.findRule(ex, organizationId, id);
    if (!rule) throw notFoundRule();
    const [system, custom] = await Promise.all([
      systems.findSystem(ex, organizationId, rule.systemId),
      customMap(ex, organizationId),
    ]);
    return presentRule(rule, system, custom);
  }

  async function customMap(ex: Executor, organizationId: string) {
    return new Map((await systems.listCustomCategories(ex, organizationId)).map((r) => [r.key, r]));
  }

  const startedBy = (c: OrganizationCaller) =>
    c.kind === 'apiKey' ? `api_key:${c.apiKeyId}` : `user:${c.userId}`;

  async function runFor(organizationId: string, dryRun: boolean, caller: OrganizationCaller | null) {
    const { id } = await db.transaction().execute((trx) =>
      runRetention({ audit, kick: deps.kick }, trx, organizationId, {
        dryRun,
        caller,
        startedBy: caller ? startedBy(caller) : null,
        at: now(),
      }),
    );
    return id;
  }

  async function loadRun(organizationId: string, id: string): Promise<RetentionRunOut> {
    const row = await store.findRun(db, organizationId, id);
    if (!row)
      throw notFound('PRIVACY_RETENTION_RUN_NOT_FOUND', 'No such retention run in this organization.');
    const tasks = await store.tasksOfRuns(db, organizationId, [row.id]);
    return presentRun(row, new Map(tasks.map((t) => [t.id, t.state])));
  }

  return {
    async list(caller: Caller): Promise<RetentionRuleOut[]> {
      const c = authorize(caller, 'privacy:read');
      await ready(c.organizationId);
      const [rules, systemRows, custom] = await Promise.all([
        store.listRules(db, c.organizationId),
        systems.listSystems(db, c.organizationId),
        customMap(db, c.organizationId),
      ]);
      const byId = new Map(systemRows.map((s) => [s.id, s]));
      return rules.map((r) => presentRule(r, byId.get(r.systemId), custom));
    },

    async create(caller: Caller, body: CreateBody): Promise<RetentionRuleOut> {
      const c = authorize(caller, 'privacy:manage');
      await ready(c.organizationId);
      return db.transaction().execute(async (trx) => {
        const system = await checkNewRule(trx, c.organizationId, body);
        const at = now().toISOString();
        const id = newId();
        await store.insertRule(trx, {
          id,
          organizationId: c.organizationId,
          systemId: system.id,
          categoryKey: body.categoryKey,
          periodDays: body.periodDays,
          trigger: body.trigger,
          action: body.action,
          enabled: body.enabled ? 1 : 0,
          lastRunAt: null,
          createdAt: at,
          updatedAt: at,
        });
        await audit.record(trx, c, {
          action: 'privacy_retention_rule.created',
          targets: [
            { type: 'privacy_retention_rule', id },
            { type: 'privacy_system', id: system.id, name: system.name },
          ],
          metadata: {
            categoryKey: body.categoryKey,
            periodDays: body.periodDays,
            trigger: body.trigger,
            action: body.action,
            enabled: body.enabled,
          },
        });
        return loadRule(trx, c.organizationId, id);
      });
    },

    async update(caller: Caller, id: string, body: UpdateBody): Promise<RetentionRuleOut> {
      const c = authorize(caller, 'privacy:manage');
      return db.transaction().execute(async (trx) => {
        const rule = await store.findRule(trx, c.organizationId, id);
        if (!rule) throw notFoundRule();
        const before = await loadRule(trx, c.organizationId, id);
        checkUpdate(rule, before.builtIn, body);
        const set = {
          ...(body.periodDays !== undefined ? { periodDays: body.periodDays } : {}),
          ...(body.trigger !== undefined ? { trigger: body.trigger } : {}),
          ...(body.action !== undefined ? { action: body.action } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled ? 1 : 0 } : {}),
          updatedAt: now().toISOString(),
        };
        await store.updateRule(trx, c.organizationId, id, set);
        const after = await loadRule(trx, c.organizationId, id);
        await audit.record(trx, c, {
          action: 'privacy_retention_rule.updated',
          targets: [
            { type: 'privacy_retention_rule', id },
            { type: 'privacy_system', id: rule.systemId, name: before.systemName },
          ],
          changes: changesOf(before, after),
          metadata: { categoryKey: rule.categoryKey },
        });
        return after;
      });
    },

    async remove(caller: Caller, id: string): Promise<void> {
      const c = authorize(caller, 'privacy:manage');
      await db.transaction().execute(async (trx) => {
        const rule = await store.findRule(trx, c.organizationId, id);
        if (!rule) throw notFoundRule();
        const out = await loadRule(trx, c.organizationId, id);
        if (out.builtIn) {
          throw conflict(
            'PRIVACY_RETENTION_RULE_BUILT_IN',
            "Custos' own data always has a rule: turn it off or change its period instead.",
          );
        }
        await store.deleteRule(trx, c.organizationId, id);
        await audit.record(trx, c, {
          action: 'privacy_retention_rule.deleted',
          targets: [
            { type: 'privacy_retention_rule', id },
            { type: 'privacy_system', id: rule.systemId, name: out.systemName },
          ],
          metadata: { categoryKey: rule.categoryKey, periodDays: rule.periodDays },
        });
      });
    },

    /** A dry run (counts, nothing changed) or a real one, now; answers its report. */
    async run(caller: Caller, dryRun: boolean): Promise<RetentionRunOut> {
      const c = authorize(caller, 'privacy:manage');
      await ready(c.organizationId);
      return loadRun(c.organizationId, await runFor(c.organizationId, dryRun, c));
    },

    async runs(caller: Caller): Promise<RetentionRunOut[]> {
      const c = authorize(caller, 'privacy:read');
      const rows = await store.listRuns(db, c.organizationId, RUNS_LISTED);
      const tasks = await store.tasksOfRuns(
        db,
        c.organizationId,
        rows.map((r) => r.id),
      );
      const states = new Map(tasks.map((t) => [t.id, t.state]));
      return rows.map((r) => presentRun(r, states));
    },

    async getRun(caller: Caller, id: string): Promise<RetentionRunOut> {
      const c = authorize(caller, 'privacy:read');
      return loadRun(c.organizationId, id);
    },

    /**
     * The daily scheduler: a real run for every organization using the privacy module. One
     * organization's failure is logged and does not stop the others. Answers how many ran.
     */
    async runScheduled(): Promise<number> {
      let ran = 0;
      for (const organizationId of await store.organizationsInUse(db)) {
        try {
          await runFor(organizationId, false, null);
          ran += 1;
        } catch (error) {
          deps.log.error({ err: error, organizationId }, 'privacy: retention run failed');
        }
      }
      return ran;
    },
  };
}

/** Field → [before, after] for the fields a change touched. */
function changesOf(before: RetentionRuleOut, after: RetentionRuleOut): Record<string, [unknown, unknown]> {
  const fields = ['periodDays', 'trigger', 'action', 'enabled'] as const;
  return Object.fromEntries(
    fields.filter((f) => before[f] !== after[f]).map((f) => [f, [before[f], after[f]]]),
  );
}
