import type { InclusionProofOut } from '@custos/sdk';
import {
  ActionIcon,
  Badge,
  Code,
  CopyButton,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconShieldCheck, IconShieldX } from '@tabler/icons-react';
import { formatCount, formatTimestamp } from '../../app/format';
import { Field } from './Field';

function Copy({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow position="left">
          <ActionIcon
            variant="subtle"
            color={copied ? 'teal' : 'gray'}
            size="sm"
            onClick={copy}
            aria-label={`Copy ${label}`}
          >
            {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

/** A hex hash in full (wrapped, never cut), with a copy button. */
export function HashValue({ value, label }: { value: string; label: string }) {
  return (
    <Group gap={4} wrap="nowrap" align="flex-start">
      <Text size="sm" className="custos-mono" style={{ wordBreak: 'break-all' }}>
        {value}
      </Text>
      <Copy value={value} label={label} />
    </Group>
  );
}

export function VerificationBadge({ verified }: { verified: boolean }) {
  return verified ? (
    <Badge size="lg" color="teal" variant="light" leftSection={<IconShieldCheck size={16} />} tt="none">
      Verified
    </Badge>
  ) : (
    <Badge size="lg" color="red" variant="filled" leftSection={<IconShieldX size={16} />} tt="none">
      Verification failed
    </Badge>
  );
}

/** The event's inclusion proof against the signed checkpoint, and whether it holds. */
export function ProofSection({ proof }: { proof: InclusionProofOut }) {
  const { checkpoint } = proof;
  return (
    <Stack gap="sm" component="section" aria-labelledby="proof-title">
      <Group justify="space-between" align="center">
        <Title order={5} id="proof-title">
          Integrity proof
        </Title>
        <VerificationBadge verified={proof.verified} />
      </Group>
      <Text size="sm" c={proof.verified ? 'dimmed' : 'red'}>
        {proof.verified
          ? `Custos hashed this event's stored body again and checked that the inclusion proof leads from that leaf to the root hash signed for the first ${formatCount(proof.treeSize)} events of the log. The event has not been changed or removed since it was recorded.`
          : 'The stored body or its proof does not lead to the signed root hash: this event, or the log around it, changed after it was recorded. Keep the proof below and the signed checkpoint, and investigate.'}
      </Text>
      <Paper withBorder radius="md" p="md">
        <Stack gap="sm">
          <Field label="Leaf hash">
            <HashValue value={proof.leafHash} label="leaf hash" />
          </Field>
          <SimpleGrid cols={2} spacing="sm">
            <Field label="Leaf index">
              <Text size="sm" className="custos-mono">
                {proof.leafIndex}
              </Text>
            </Field>
            <Field label="Tree size">
              <Text size="sm" className="custos-mono">
                {proof.treeSize}
              </Text>
            </Field>
          </SimpleGrid>
          <Field label="Root hash">
            <HashValue value={proof.rootHash} label="root hash" />
          </Field>
          <Field label={`Proof hashes (${proof.proof.length}, leaf to root)`}>
            {proof.proof.length === 0 ? (
              <Text size="sm" c="dimmed">
                None: the leaf is the whole tree.
              </Text>
            ) : (
              <Stack gap={2} component="ol" m={0} pl="lg">
                {proof.proof.map((hash) => (
                  // Sibling hashes on one path are distinct, so each is its own key.
                  <li key={hash}>
                    <Text size="xs" className="custos-mono" style={{ wordBreak: 'break-all' }}>
                      {hash}
                    </Text>
                  </li>
                ))}
              </Stack>
            )}
          </Field>
        </Stack>
      </Paper>
      {checkpoint ? (
        <Stack gap={6}>
          <Group justify="space-between">
            <Text size="sm" fw={500}>
              Signed checkpoint
            </Text>
            <Text size="xs" c="dimmed">
              {checkpoint.origin} · signed {formatTimestamp(checkpoint.createdAt)}
            </Text>
          </Group>
          <div style={{ position: 'relative' }}>
            <Code
              block
              data-testid="checkpoint-note"
              style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
            >
              {checkpoint.note}
            </Code>
            <div style={{ position: 'absolute', top: 6, right: 6 }}>
              <Copy value={checkpoint.note} label="signed checkpoint" />
            </div>
          </div>
          <Text size="xs" c="dimmed">
            A C2SP signed note. Check it with the public key at /.well-known/custos/audit-keys.
          </Text>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          No signed checkpoint covers this event yet; one is signed within seconds.
        </Text>
      )}
    </Stack>
  );
}
