import { isCustosRetentionKind, type RetentionRunOut, type RetentionRunRuleOut } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../../deps';
import { newId } from '../../../platform/crypto/tokens';
import { afterCommit } from '../../../platform/db/after-commit';
import { parseJson, toJson } from '../../../platform/db/json';
import type { DB } from '../../../platform/db/schema';
import type { Caller } from '../../../platform/http/caller';
import * as systems from '../systems-store';
import { deliveryOf } from '../tasks/fan-out';
import type { TaskRow } from '../tasks/store';
import * as taskStore from '../tasks/store';
import { recordTaskEvent, SYSTEM } from '../tasks/transitions';
import { CUSTOS_DATA } from './custos-data';
import { ensureDefaultRules } from './rules';
import * as store from './store';

const DAY_MS = 86_400_000;

export interface RunDeps extends Pick<Deps, 'audit'> {
  /** Asks the task worker for a pass after a commit that queued webhook tasks. */
  kick: () => void;
}

type RuleReport = Omit<RetentionRunRuleOut, 'taskState'>;

/**
 * One retention run of one organization at `at`, in the caller's transaction: Custos' own data is
 * counted (dry run) or removed through its owning modules; each host system's rule becomes one
 * `retention` task (request null, this run's id) that the host completes like any other task. The
 * run, its per-rule report and its audit event commit with the changes, or none of them do.
 */
export async function runRetention(
  deps: RunDeps,
  trx: Transaction<DB>,
  organizationId: string,
  options: { dryRun: boolean; caller: Caller | null; startedBy: string | null; at: Date },
): Promise<{ id: string; rules: RuleReport[] }> {
  const { dryRun } = options;
  const at = options.at.toISOString();
  await ensureDefaultRules(trx, organizationId, at);
  const [rules, systemRows, categories, openTasks] = await Promise.all([
    store.listRules(trx, organizationId),
    systems.listSystems(trx, organizationId),
    systems.categoriesOf(trx, organizationId),
    store.openRetentionTasks(trx, organizationId),
  ]);
  const runId = newId();
  // The run row first: its tasks point at it.
  await store.insertRun(trx, {
    id: runId,
    organizationId,
    dryRun: dryRun ? 1 : 0,
    state: 'running',
    summary: toJson({ rules: [] }),
    startedBy: options.startedBy,
    startedAt: at,
    finishedAt: null,
  });
  const stillOpen = new Set(openTasks.map((t) => parseJson<{ ruleId?: string }>(t.payload).ruleId));
  const reports: RuleReport[] = [];
  const tasks: TaskRow[] = [];
  for (const rule of rules.filter((r) => r.enabled === 1)) {
    const system = systemRows.find((s) => s.id === rule.systemId);
    const key = rule.categoryKey ?? '';
    if (!system) continue;
    const cutoff = new Date(options.at.getTime() - rule.periodDays * DAY_MS).toISOString();
    const base: RuleReport = {
      ruleId: rule.id,
      systemId: system.id,
      systemName: system.name,
      categoryKey: key,
      periodDays: rule.periodDays,
      trigger: rule.trigger as RuleReport['trigger'],
      action: rule.action as RuleReport['action'],
      cutoff,
      outcome: 'skipped',
      count: null,
      taskId: null,
      note: null,
    };
    if (system.kind === 'custos') {
      if (!isCustosRetentionKind(key)) {
        reports.push({ ...base, note: 'Not one of the data kinds Custos can remove.' });
        continue;
      }
      const data = CUSTOS_DATA[key];
      const count = dryRun
        ? await data.count(trx, organizationId, cutoff)
        : await data.remove(trx, organizationId, cutoff);
      reports.push({ ...base, outcome: dryRun ? 'would_remove' : 'removed', count, note: null });
      continue;
    }
    const skip = hostSkipReason(system, categories, key, stillOpen.has(rule.id));
    if (skip) {
      reports.push({ ...base, note: skip });
      continue;
    }
    if (dryRun) {
      reports.push({ ...base, outcome: 'would_issue_task' });
      continue;
    }
    const task = retentionTask(organizationId, runId, system, rule, categories, cutoff, at);
    tasks.push(task);
    reports.push({ ...base, outcome: 'task_issued', taskId: task.id });
  }

  await taskStore.insertTasks(trx, tasks);
  for (const task of tasks) await recordTaskEvent(deps, trx, options.caller, task, 'queued', at);
  if (tasks.some((t) => t.nextAttemptAt !== null)) await afterCommit(trx, deps.kick);
  if (!dryRun)
    await store.markRulesRun(
      trx,
      organizationId,
      reports.map((r) => r.ruleId),
      at,
    );
  await store.finishRun(trx, organizationId, runId, {
    state: 'completed',
    summary: toJson({ rules: reports }),
    finishedAt: at,
  });
  const removed = reports.reduce((sum, r) => sum + (r.count ?? 0), 0);
  await deps.audit.record(trx, options.caller ?? SYSTEM, {
    action: dryRun ? 'privacy_retention.dry_run' : 'privacy_retention.ran',
    organizationId,
    targets: [{ type: 'privacy_retention_run', id: runId }],
    metadata: {
      scheduled: options.caller === null,
      [dryRun ? 'wouldRemove' : 'removed']: removed,
      tasks: tasks.length,
      rules: reports.map((r) => ({
        ruleId: r.ruleId,
        categoryKey: r.categoryKey,
        outcome: r.outcome,
        count: r.count,
      })),
    },
  });
  return { id: runId, rules: reports };
}

/** Why a host system's rule sends no task this time (null when it does). */
function hostSkipReason(
  system: systems.SystemRow,
  categories: systems.SystemCategoryRow[],
  key: string,
  previousOpen: boolean,
): string | null {
  if (system.enabled !== 1) return 'The system is disabled in the data map.';
  if (!categories.some((c) => c.systemId === system.id && c.categoryKey === key)) {
    return 'The system no longer holds this category in the data map.';
  }
  const how = deliveryOf(system);
  if ('refused' in how) return how.refused;
  if (previousOpen) return 'The task of an earlier run is still open; the host has not finished it.';
  return null;
}

function retentionTask(
  organizationId: string,
  runId: string,
  system: systems.SystemRow,
  rule: store.RuleRow,
  categories: systems.SystemCategoryRow[],
  cutoff: string,
  at: string,
): TaskRow {
  const how = deliveryOf(system);
  const delivery = 'delivery' in how ? how.delivery : 'polling';
  const category = categories.find((c) => c.systemId === system.id && c.categoryKey === rule.categoryKey);
  return {
    id: newId(),
    organizationId,
    requestId: null,
    retentionRunId: runId,
    systemId: system.id,
    kind: 'retention',
    state: 'queued',
    delivery,
    // What the host removes: records of the category whose clock (trigger) started before cutoff.
    payload: toJson({
      ruleId: rule.id,
      categoryKey: rule.categoryKey,
      categories: [{ categoryKey: rule.categoryKey, erasureStrategy: category?.erasureStrategy ?? 'delete' }],
      periodDays: rule.periodDays,
      trigger: rule.trigger,
      action: rule.action,
      cutoff,
    }),
    attempts: 0,
    nextAttemptAt: delivery === 'polling' ? null : at,
    leaseUntil: null,
    claimedBy: null,
    lastError: null,
    resultRef: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
  };
}

/** A stored run as the console shows it, with each host task's state now. */
export function presentRun(row: store.RunRow, taskStates: ReadonlyMap<string, string>): RetentionRunOut {
  const rules = parseJson<{ rules: RuleReport[] }>(row.summary).rules ?? [];
  return {
    id: row.id,
    dryRun: row.dryRun === 1,
    state: row.state as RetentionRunOut['state'],
    startedBy: row.startedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    rules: rules.map((r) => ({ ...r, taskState: r.taskId ? (taskStates.get(r.taskId) ?? null) : null })),
    totals: {
      removed: rules.reduce((sum, r) => sum + (r.count ?? 0), 0),
      tasks: rules.filter((r) => r.taskId !== null).length,
    },
  };
}
