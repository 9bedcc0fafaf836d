import type { AccessRuleList, TestAccessRulesResult } from '@custos/shared';
import {
  Alert,
  Button,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconFlask } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { formatDateTime, VIEWER_TIME_ZONE } from '../../app/format';
import { Country } from '../../ui/Country';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { RolesSelect } from '../members/RolesSelect';
import { useTestAccessRulesMutation } from './api';
import { KIND_LABELS } from './ruleLabels';
import { isCidr } from './values';

/** A `datetime-local` value for now, in the browser's zone: "2025-11-24T14:05". */
function localNow(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

function Result({ result }: { result: TestAccessRulesResult }) {
  useDisplayTimeZone();
  const rule = result.rule;
  return (
    <Alert
      color={result.allowed ? 'teal' : 'red'}
      variant="light"
      icon={result.allowed ? <IconCircleCheck size={20} /> : <IconCircleX size={20} />}
      title={result.allowed ? 'Allowed' : 'Denied'}
      data-testid="access-test-result"
    >
      <Stack gap="xs">
        <Text size="sm">{result.message}</Text>
        <Table
          withRowBorders={false}
          verticalSpacing={2}
          horizontalSpacing={0}
          highlightOnHover={false}
          w="auto"
        >
          <Table.Tbody>
            <Table.Tr>
              <Table.Th pr="md" fw={500} c="dimmed">
                IP address
              </Table.Th>
              <Table.Td className="custos-mono">{result.ip}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th pr="md" fw={500} c="dimmed">
                Country
              </Table.Th>
              <Table.Td>
                {result.country ? (
                  <Country code={result.country} />
                ) : (
                  'None (a private, local or unknown address)'
                )}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th pr="md" fw={500} c="dimmed">
                Local time
              </Table.Th>
              <Table.Td>
                {result.localTime} in {result.timeZone}{' '}
                <Text span size="xs" c="dimmed">
                  ({formatDateTime(result.at)})
                </Text>
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th pr="md" fw={500} c="dimmed">
                Rule
              </Table.Th>
              <Table.Td>
                {rule
                  ? `${KIND_LABELS[rule.kind].one} (${rule.effect})${rule.description ? `: “${rule.description}”` : ''}`
                  : 'No rule refuses it'}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Stack>
    </Alert>
  );
}

/** Would this address at this time be let in? Runs the saved rules on the server, changes nothing. */
export function RuleTester({ list }: { list: AccessRuleList }) {
  const [ip, setIp] = useState(list.yourRequest.ip ?? '');
  const [at, setAt] = useState(localNow);
  const [as, setAs] = useState<'member' | 'api_key'>('member');
  const [roles, setRoles] = useState<string[]>([]);
  const [ipProblem, setIpProblem] = useState<string>();
  const [test, { data, isLoading, error, reset }] = useTestAccessRulesMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['ip', 'at', 'roles']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const address = ip.trim();
    if (!address || address.includes('/') || !isCidr(address)) {
      setIpProblem('An IPv4 or IPv6 address, e.g. 203.0.113.7');
      return;
    }
    const instant = at ? new Date(at) : new Date();
    await test({
      ip: address,
      at: Number.isNaN(instant.getTime()) ? undefined : instant.toISOString(),
      ...(as === 'api_key' ? { apiKey: true } : roles.length > 0 ? { roles } : {}),
    });
  }

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="access-rule-tester">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Group gap="xs">
            <IconFlask size={20} />
            <Title order={4} id="access-rule-tester">
              Test the rules
            </Title>
          </Group>
          <Text size="sm" c="dimmed">
            Check whether a request from an address at a time would be let in by the saved rules. Nothing is
            changed and nobody is signed out.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="IP address"
              placeholder="203.0.113.7"
              value={ip}
              onChange={(event) => {
                setIp(event.currentTarget.value);
                setIpProblem(undefined);
                reset();
              }}
              error={ipProblem ?? errors.fields.ip}
              classNames={{ input: 'custos-mono' }}
              required
            />
            <TextInput
              type="datetime-local"
              label="Date and time"
              description={`Your browser's time (${VIEWER_TIME_ZONE}); shown in the organization's time zone in the result.`}
              value={at}
              onChange={(event) => {
                setAt(event.currentTarget.value);
                reset();
              }}
              error={errors.fields.at}
            />
          </SimpleGrid>
          <Stack gap={4}>
            <Text size="sm" fw={500} id="access-test-as">
              Test as
            </Text>
            <SegmentedControl
              aria-labelledby="access-test-as"
              value={as}
              onChange={(value) => {
                setAs(value === 'api_key' ? 'api_key' : 'member');
                reset();
              }}
              data={[
                { value: 'member', label: 'A member' },
                { value: 'api_key', label: 'An API key' },
              ]}
              w="fit-content"
            />
          </Stack>
          {as === 'member' && (
            <RolesSelect
              label="With roles"
              description="Rules that apply to a role are checked only for members holding it. Leave empty for a member with no particular role."
              value={roles}
              onChange={(value) => {
                setRoles(value);
                reset();
              }}
              required={false}
              error={errors.fields.roles}
            />
          )}
          <Group>
            <Button type="submit" loading={isLoading} leftSection={<IconFlask size={16} />}>
              Test
            </Button>
            <Button
              variant="subtle"
              onClick={() => {
                setIp(list.yourRequest.ip ?? '');
                setAt(localNow());
                reset();
              }}
            >
              My address, now
            </Button>
          </Group>
          <ErrorAlert
            error={Object.keys(errors.fields).length > 0 ? undefined : apiError}
            extra={errors.other}
          />
          {data && <Result result={data} />}
        </Stack>
      </form>
    </Card>
  );
}
