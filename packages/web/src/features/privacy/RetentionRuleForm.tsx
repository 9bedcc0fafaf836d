import {
  RETENTION_ACTION_INFO,
  RETENTION_ACTIONS,
  RETENTION_TRIGGER_INFO,
  RETENTION_TRIGGERS,
  type RetentionAction,
  type RetentionRuleOut,
  type RetentionTrigger,
} from '@custos/shared';
import { NumberInput, Select, Stack, Switch, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useListPrivacySystemsQuery } from './api';
import { useCreateRetentionRuleMutation, useUpdateRetentionRuleMutation } from './retentionApi';

const TRIGGERS = RETENTION_TRIGGERS.map((t) => ({ value: t, label: RETENTION_TRIGGER_INFO[t].name }));
const ACTIONS = RETENTION_ACTIONS.map((a) => ({ value: a, label: RETENTION_ACTION_INFO[a].name }));

/** A period in days, or why it cannot be one (1 day to 100 years). */
export function periodProblem(value: number | string): string | undefined {
  const n = typeof value === 'number' ? value : Number.NaN;
  if (!Number.isInteger(n)) return 'Give the period in whole days';
  if (n < 1 || n > 36_500) return 'The period must be between 1 and 36,500 days';
  return undefined;
}

/** Adds a rule for a host system's category, or changes one (Custos' own: period and on/off only). */
export function RetentionRuleForm({
  rule,
  onClose,
}: {
  rule: RetentionRuleOut | undefined;
  onClose: () => void;
}) {
  const systems = useListPrivacySystemsQuery();
  const hosts = (systems.data ?? []).filter((s) => s.kind !== 'custos');
  const [systemId, setSystemId] = useState<string | null>(rule?.systemId ?? null);
  const [categoryKey, setCategoryKey] = useState<string | null>(rule?.categoryKey ?? null);
  const [period, setPeriod] = useState<number | string>(rule?.periodDays ?? 365);
  const [trigger, setTrigger] = useState<RetentionTrigger>(rule?.trigger ?? 'since_last_activity');
  const [action, setAction] = useState<RetentionAction>(rule?.action ?? 'delete');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [tried, setTried] = useState(false);
  const [create, creation] = useCreateRetentionRuleMutation();
  const [update, updating] = useUpdateRetentionRuleMutation();
  const mutation = rule ? updating : creation;
  const apiError = hookError(mutation.error);
  const server = formErrors(apiError, ['systemId', 'categoryKey', 'periodDays', 'trigger', 'action']);
  const fixed = rule?.builtIn === true;
  const categories = hosts.find((s) => s.id === systemId)?.categories ?? [];
  const problems = {
    system: !rule && !systemId ? 'Choose the system' : undefined,
    category: !rule && !categoryKey ? 'Choose the category' : undefined,
    period: periodProblem(period),
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (problems.system || problems.category || problems.period) return;
    const periodDays = Number(period);
    const result = rule
      ? await update({
          id: rule.id,
          body: fixed ? { periodDays, enabled } : { periodDays, trigger, action, enabled },
        })
      : await create({
          systemId: systemId ?? '',
          categoryKey: categoryKey ?? '',
          periodDays,
          trigger,
          action,
          enabled,
        });
    if ('data' in result && result.data) {
      notifications.show({ color: 'teal', message: `Retention rule for ${result.data.categoryName} saved` });
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {rule ? (
          <Text size="sm">
            <strong>{rule.systemName}</strong>: {rule.categoryName}
          </Text>
        ) : (
          <>
            <Select
              label="System"
              placeholder={hosts.length ? 'Choose a system' : 'Add a system to the data map first'}
              data={hosts.map((s) => ({ value: s.id, label: s.name }))}
              value={systemId}
              onChange={(v) => {
                setSystemId(v);
                setCategoryKey(null);
              }}
              error={(tried ? problems.system : undefined) ?? server.fields.systemId}
              required
              data-autofocus
            />
            <Select
              label="Category"
              description="Only the categories this system holds in the data map."
              placeholder={systemId ? 'Choose a category' : 'Choose the system first'}
              data={categories.map((c) => ({ value: c.categoryKey, label: c.name }))}
              value={categoryKey}
              onChange={setCategoryKey}
              disabled={!systemId}
              error={(tried ? problems.category : undefined) ?? server.fields.categoryKey}
              required
            />
          </>
        )}
        <NumberInput
          label="Keep for (days)"
          description={
            rule?.defaultPeriodDays
              ? `The default is ${rule.defaultPeriodDays} days.`
              : 'From 1 to 36,500 days.'
          }
          value={period}
          onChange={setPeriod}
          min={1}
          max={36_500}
          allowDecimal={false}
          error={(tried ? problems.period : undefined) ?? server.fields.periodDays}
          required
        />
        <Select
          label="Counted from"
          data={TRIGGERS}
          value={trigger}
          onChange={(v) => v && setTrigger(v as RetentionTrigger)}
          description={fixed ? 'Fixed for Custos’ own data.' : RETENTION_TRIGGER_INFO[trigger].description}
          disabled={fixed}
          allowDeselect={false}
        />
        <Select
          label="Then"
          data={ACTIONS}
          value={action}
          onChange={(v) => v && setAction(v as RetentionAction)}
          description={fixed ? 'Fixed for Custos’ own data.' : RETENTION_ACTION_INFO[action].description}
          disabled={fixed}
          allowDeselect={false}
        />
        <Switch
          label="Rule is on"
          description="A rule that is off is skipped by every run."
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
        />
        <ErrorAlert error={Object.keys(server.fields).length ? undefined : apiError} extra={server.other} />
        <FormActions
          submitLabel={rule ? 'Save rule' : 'Add rule'}
          loading={mutation.isLoading}
          disabled={false}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}
