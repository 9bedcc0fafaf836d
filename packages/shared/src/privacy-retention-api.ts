import { z } from 'zod';
import { Id, Timestamp } from './api';
import { RetentionActionSchema, RetentionTriggerSchema } from './privacy-api';

/**
 * Contracts of enforced retention: rules per system and category (period, trigger, action) and
 * runs — a dry run that only counts, or a real one that removes Custos' own expired data and
 * sends each host system one `retention` task per rule.
 */

const CategoryKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'must be a category key such as contact.email')
  .max(100);
const PeriodDays = z.number().int().min(1).max(36_500);

export const RetentionRuleOut = z.object({
  id: Id,
  systemId: Id,
  systemName: z.string(),
  /** The rule of one of Custos' own data kinds: its trigger and action are fixed, its period is not. */
  builtIn: z.boolean(),
  categoryKey: z.string(),
  categoryName: z.string(),
  periodDays: z.number().int(),
  /** Custos' own data kinds: the documented default period. */
  defaultPeriodDays: z.number().int().nullable(),
  trigger: RetentionTriggerSchema,
  action: RetentionActionSchema,
  enabled: z.boolean(),
  lastRunAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RetentionRuleOut = z.infer<typeof RetentionRuleOut>;
export const RetentionRuleList = z.object({ rules: z.array(RetentionRuleOut) });
export type RetentionRuleList = z.infer<typeof RetentionRuleList>;

export const CreateRetentionRuleBody = z.object({
  systemId: Id,
  categoryKey: CategoryKey,
  periodDays: PeriodDays,
  trigger: RetentionTriggerSchema,
  action: RetentionActionSchema,
  enabled: z.boolean().default(true),
});
export type CreateRetentionRuleBody = z.input<typeof CreateRetentionRuleBody>;

export const UpdateRetentionRuleBody = z
  .object({
    periodDays: PeriodDays,
    trigger: RetentionTriggerSchema,
    action: RetentionActionSchema,
    enabled: z.boolean(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');
export type UpdateRetentionRuleBody = z.input<typeof UpdateRetentionRuleBody>;

export const RunRetentionBody = z.object({
  /** True: count what would go and change nothing. */
  dryRun: z.boolean(),
});
export type RunRetentionBody = z.input<typeof RunRetentionBody>;

export const RETENTION_RULE_OUTCOMES = [
  'removed',
  'would_remove',
  'task_issued',
  'would_issue_task',
  'skipped',
] as const;

/** What a run did (or would do) for one rule. */
export const RetentionRunRuleOut = z.object({
  ruleId: Id,
  systemId: Id,
  systemName: z.string(),
  categoryKey: z.string(),
  periodDays: z.number().int(),
  trigger: RetentionTriggerSchema,
  action: RetentionActionSchema,
  /** Records last touched (or created, or ended) before this moment are past the period. */
  cutoff: Timestamp,
  outcome: z.enum(RETENTION_RULE_OUTCOMES),
  /** Custos' own data: how many records went (or would go). Host systems: null (the host counts). */
  count: z.number().int().nullable(),
  /** Host systems: the retention task sent, and its state now. */
  taskId: Id.nullable(),
  taskState: z.string().nullable(),
  note: z.string().nullable(),
});
export type RetentionRunRuleOut = z.infer<typeof RetentionRunRuleOut>;

export const RetentionRunOut = z.object({
  id: Id,
  dryRun: z.boolean(),
  state: z.enum(['running', 'completed', 'failed']),
  /** 'user:<id>', 'api_key:<id>' or null for the daily scheduler. */
  startedBy: z.string().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  rules: z.array(RetentionRunRuleOut),
  totals: z.object({ removed: z.number().int(), tasks: z.number().int() }),
});
export type RetentionRunOut = z.infer<typeof RetentionRunOut>;
export const RetentionRunList = z.object({ runs: z.array(RetentionRunOut) });
export type RetentionRunList = z.infer<typeof RetentionRunList>;
