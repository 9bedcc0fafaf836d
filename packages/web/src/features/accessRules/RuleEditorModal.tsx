import type { AccessRuleKind, AccessRuleList, AccessRuleOut, AccessRuleTarget } from '@custos/shared';
import {
  Button,
  Modal,
  MultiSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import { type FormEvent, useMemo, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useGetRolesQuery } from '../members/api';
import { useCreateAccessRuleMutation, useUpdateAccessRuleMutation } from './api';
import { LockoutAlert } from './LockoutAlert';
import {
  createBody,
  draftOf,
  hasProblems,
  invalidEntry,
  newDraft,
  type RuleDraft,
  updateBody,
  validateRuleDraft,
} from './ruleDraft';
import { KIND_LABELS, TARGET_LABELS } from './ruleLabels';
import { TimeWindowsEditor } from './TimeWindowsEditor';
import { countryName, countryOptions, hostCidr, splitCidrs } from './values';

const EFFECT_LABELS: Record<
  AccessRuleKind,
  { allow: string; deny: string; allowHelp: string; denyHelp: string }
> = {
  ip: {
    allow: 'Allow only these',
    deny: 'Block these',
    allowHelp: 'Requests from any other address are refused.',
    denyHelp: 'Requests from these addresses are refused.',
  },
  country: {
    allow: 'Allow only these',
    deny: 'Block these',
    allowHelp: 'Requests from any other country are refused. The country is looked up from the IP address.',
    denyHelp: 'Requests from these countries are refused. The country is looked up from the IP address.',
  },
  time: {
    allow: 'Allow only during',
    deny: 'Block during',
    allowHelp: 'Requests outside these windows are refused.',
    denyHelp: 'Requests inside these windows are refused.',
  },
};

const TARGETS: AccessRuleTarget[] = ['everyone', 'members', 'role', 'api_keys'];

interface RuleFormProps {
  rule: AccessRuleOut | undefined;
  kind: AccessRuleKind;
  list: AccessRuleList;
  onClose: () => void;
}

function RuleForm({ rule, kind, list, onClose }: RuleFormProps) {
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftOf(rule) : newDraft(kind)));
  const [tried, setTried] = useState(false);
  const [create, creation] = useCreateAccessRuleMutation();
  const [update, updating] = useUpdateAccessRuleMutation();
  const mutation = rule ? updating : creation;
  const { data: catalog } = useGetRolesQuery();
  const countries = useMemo(countryOptions, []);
  const apiError = hookError(mutation.error);
  const invalid = invalidEntry(apiError);
  const lockout = apiError?.code === 'ACCESS_RULE_LOCKOUT';
  const errors = formErrors(apiError, ['cidrs', 'countries', 'windows', 'role', 'description']);
  const problems = validateRuleDraft(draft);
  const shown = tried ? problems : {};
  const effect = EFFECT_LABELS[draft.kind];
  const myIp = list.yourRequest.ip;
  const myCountry = list.yourRequest.country;

  /** The server's word on a field: ACCESS_RULE_INVALID names the entry, validation errors the path. */
  function serverError(field: string): string | undefined {
    if (invalid?.field === field) {
      const entry =
        invalid.index !== null
          ? ` (entry ${invalid.index + 1}${invalid.value ? `: “${invalid.value}”` : ''})`
          : '';
      return `${invalid.message}${entry}`;
    }
    return errors.fields[field];
  }

  function set(change: Partial<RuleDraft>) {
    setDraft((current) => ({ ...current, ...change }));
    if (mutation.error) mutation.reset();
  }

  function addMyAddress() {
    if (!myIp) return;
    const entries = splitCidrs(draft.cidrs);
    set({ cidrs: [...entries, hostCidr(myIp)].join('\n') });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (hasProblems(problems)) return;
    const result = rule
      ? await update({ id: rule.id, body: updateBody(draft) })
      : await create(createBody(draft));
    if ('data' in result && result.data) {
      notifications.show({
        color: 'teal',
        message: rule ? `${KIND_LABELS[draft.kind].one} saved` : `${KIND_LABELS[draft.kind].one} added`,
      });
      onClose();
    }
  }

  const fieldShown =
    invalid !== undefined || Object.keys(errors.fields).length > 0 || lockout ? undefined : apiError;
  const myIpListed = myIp ? splitCidrs(draft.cidrs).some((c) => c === myIp || c === hostCidr(myIp)) : true;

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Stack gap={4}>
          <SegmentedControl
            aria-label="Effect"
            value={draft.effect}
            onChange={(value) => set({ effect: value === 'deny' ? 'deny' : 'allow' })}
            data={[
              { value: 'allow', label: effect.allow },
              { value: 'deny', label: effect.deny },
            ]}
            color={draft.effect === 'deny' ? 'red' : 'teal'}
            w="fit-content"
          />
          <Text size="xs" c="dimmed">
            {draft.effect === 'allow' ? effect.allowHelp : effect.denyHelp}
          </Text>
        </Stack>

        {draft.kind === 'ip' && (
          <Stack gap={4}>
            <Textarea
              label="Addresses and ranges"
              description="One a line: an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24 or 2001:db8::/32."
              placeholder={'203.0.113.0/24\n2001:db8::/32'}
              value={draft.cidrs}
              onChange={(event) => set({ cidrs: event.currentTarget.value })}
              error={shown.cidrs ?? serverError('cidrs')}
              autosize
              minRows={3}
              maxRows={12}
              classNames={{ input: 'custos-mono' }}
              required
              data-autofocus
            />
            {myIp && !myIpListed && draft.effect === 'allow' && (
              <Button
                variant="subtle"
                size="compact-xs"
                leftSection={<IconPlus size={12} />}
                onClick={addMyAddress}
                w="fit-content"
              >
                Add my address ({myIp})
              </Button>
            )}
          </Stack>
        )}

        {draft.kind === 'country' && (
          <Stack gap={4}>
            <MultiSelect
              label="Countries"
              placeholder={draft.countries.length === 0 ? 'Search countries' : undefined}
              data={countries}
              value={draft.countries}
              onChange={(value) => set({ countries: value })}
              error={shown.countries ?? serverError('countries')}
              searchable
              hidePickedOptions
              maxDropdownHeight={260}
              comboboxProps={{ withinPortal: true }}
              nothingFoundMessage="No such country"
              required
              data-autofocus
            />
            {myCountry && !draft.countries.includes(myCountry) && draft.effect === 'allow' && (
              <Button
                variant="subtle"
                size="compact-xs"
                leftSection={<IconPlus size={12} />}
                onClick={() => set({ countries: [...draft.countries, myCountry] })}
                w="fit-content"
              >
                Add my country ({countryName(myCountry)})
              </Button>
            )}
          </Stack>
        )}

        {draft.kind === 'time' && (
          <TimeWindowsEditor
            windows={draft.windows}
            onChange={(windows) => set({ windows })}
            timeZone={list.timeZone}
            problems={shown.window}
            error={shown.windows ?? serverError('windows')}
            errorIndex={invalid?.field === 'windows' ? invalid.index : null}
          />
        )}

        <SimpleGrid cols={{ base: 1, sm: draft.target === 'role' ? 2 : 1 }}>
          <Select
            label="Applies to"
            data={TARGETS.map((value) => ({ value, label: TARGET_LABELS[value] }))}
            value={draft.target}
            onChange={(value) => value && set({ target: value as AccessRuleTarget })}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          {draft.target === 'role' && (
            <Select
              label="Role"
              placeholder="Pick a role"
              data={(catalog?.roles ?? []).map((r) => ({ value: r.key, label: r.name }))}
              value={draft.role}
              onChange={(value) => set({ role: value })}
              error={shown.role ?? serverError('role')}
              searchable
              comboboxProps={{ withinPortal: true }}
              required
            />
          )}
        </SimpleGrid>
        <TextInput
          label="Description"
          description="Why the rule exists; shown when it refuses someone."
          placeholder={draft.kind === 'ip' ? 'Office and VPN only' : undefined}
          value={draft.description}
          onChange={(event) => set({ description: event.currentTarget.value })}
          error={serverError('description')}
          maxLength={300}
        />
        <Switch
          label="Enabled"
          description="A disabled rule is kept but not applied."
          checked={draft.enabled}
          onChange={(event) => set({ enabled: event.currentTarget.checked })}
        />
        <LockoutAlert
          error={apiError}
          yourRequest={list.yourRequest}
          onAddMyAddress={draft.kind === 'ip' && !myIpListed ? addMyAddress : undefined}
        />
        <ErrorAlert error={fieldShown} extra={errors.other} />
        <FormActions
          submitLabel={rule ? 'Save rule' : 'Add rule'}
          loading={mutation.isLoading}
          disabled={tried && hasProblems(problems)}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

interface RuleEditorModalProps {
  /** What is being edited: an existing rule, or a new rule of a kind. */
  editing: { rule: AccessRuleOut } | { kind: AccessRuleKind } | undefined;
  list: AccessRuleList;
  onClose: () => void;
}

export function RuleEditorModal({ editing, list, onClose }: RuleEditorModalProps) {
  const rule = editing && 'rule' in editing ? editing.rule : undefined;
  const kind = rule?.kind ?? (editing && 'kind' in editing ? editing.kind : 'ip');
  const title = `${rule ? 'Edit' : 'Add'} ${KIND_LABELS[kind].noun}`;
  return (
    <Modal opened={editing !== undefined} onClose={onClose} title={<Text fw={600}>{title}</Text>} size="lg">
      {editing && <RuleForm key={rule?.id ?? kind} rule={rule} kind={kind} list={list} onClose={onClose} />}
    </Modal>
  );
}
