import type { InclusionProofOut } from '@custos/sdk';
import type { AuditEventOut } from '@custos/shared';
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
import { IconArchive, IconCheck, IconCopy, IconShieldCheck, IconShieldX } from '@tabler/icons-react';
import { formatCount, formatTimestamp } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Field } from './Field';

/** A copy button for a value; `inline` sits in a line of small text. */
export function Copy({ value, label, inline = false }: { value: string; label: string; inline?: boolean }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow position="left">
          <ActionIcon
            variant="subtle"
            color={copied ? 'teal' : 'gray'}
            size={inline ? 'xs' : 'sm'}
            display={inline ? 'inline-flex' : undefined}
            style={inline ? { verticalAlign: 'middle' } : undefined}
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

type Integrity = AuditEventOut['integrity'];
type Verdict = 'verified' | 'failed' | 'altered' | 'purged';

/** "Verified" only for an intact body whose proof reaches the signed root; never for an altered or purged one. */
export function proofVerdict(verified: boolean, integrity: Integrity): Verdict {
  if (integrity === 'modified') return 'altered';
  if (integrity === 'purged') return 'purged';
  return verified ? 'verified' : 'failed';
}

const VERDICT_BADGES: Record<
  Verdict,
  { label: string; color: string; variant: string; icon: typeof IconShieldX }
> = {
  verified: { label: 'Verified', color: 'teal', variant: 'light', icon: IconShieldCheck },
  failed: { label: 'Verification failed', color: 'red', variant: 'filled', icon: IconShieldX },
  altered: { label: 'Not verified: altered', color: 'red.9', variant: 'filled', icon: IconShieldX },
  purged: { label: 'Cannot be verified: purged', color: 'gray.7', variant: 'outline', icon: IconArchive },
};

export function VerificationBadge({ verdict }: { verdict: Verdict }) {
  const { label, color, variant, icon: Icon } = VERDICT_BADGES[verdict];
  return (
    <Badge size="lg" color={color} variant={variant} leftSection={<Icon size={16} />} tt="none">
      {label}
    </Badge>
  );
}

function verdictText(verdict: Verdict, treeSize: number): string {
  switch (verdict) {
    case 'verified':
      return `Custos hashed this event's stored body again and checked that the inclusion proof leads from that leaf to the root hash signed for the first ${formatCount(treeSize)} events of the log. The event has not been changed or removed since it was recorded.`;
    case 'altered':
      return "The stored body no longer hashes to this event's leaf: it was changed in the database after it was recorded. The leaf hash below is what was recorded; the contents shown above are not. Keep the proof below and the signed checkpoint, and investigate.";
    case 'purged':
      return "This event's body is gone, so there is nothing to hash: nothing shown about it can be verified. Only its leaf hash below keeps its place in the log.";
    case 'failed':
      return 'The stored body or its proof does not lead to the signed root hash: this event, or the log around it, changed after it was recorded. Keep the proof below and the signed checkpoint, and investigate.';
  }
}

/** The event's inclusion proof against the signed checkpoint, and whether it holds. */
export function ProofSection({ proof, integrity }: { proof: InclusionProofOut; integrity: Integrity }) {
  useDisplayTimeZone();
  const { checkpoint } = proof;
  const verdict = proofVerdict(proof.verified, integrity);
  return (
    <Stack gap="sm" component="section" aria-labelledby="proof-title">
      <Group justify="space-between" align="center">
        <Title order={5} id="proof-title">
          Integrity proof
        </Title>
        <VerificationBadge verdict={verdict} />
      </Group>
      <Text size="sm" c={verdict === 'verified' || verdict === 'purged' ? 'gray.7' : 'red.8'}>
        {verdictText(verdict, proof.treeSize)}
      </Text>
      <Paper withBorder radius="md" p="md">
        <Stack gap="sm">
          <Field label="Event fingerprint (leaf hash)">
            <HashValue value={proof.leafHash} label="leaf hash" />
          </Field>
          <SimpleGrid cols={2} spacing="sm">
            <Field label="Position in the log (counted from 0)">
              <Text size="sm" className="custos-mono">
                {formatCount(proof.leafIndex)}
              </Text>
            </Field>
            <Field label="Events the checkpoint covers">
              <Text size="sm" className="custos-mono">
                {formatCount(proof.treeSize)}
              </Text>
            </Field>
          </SimpleGrid>
          <Field label="Root hash">
            <HashValue value={proof.rootHash} label="root hash" />
          </Field>
          <Field
            label={`Proof steps (${proof.proof.length}): the hashes linking this event to the root hash, the checkpoint’s fingerprint of the whole log`}
          >
            {proof.proof.length === 0 ? (
              <Text size="sm" c="dimmed">
                None: this is the only event the checkpoint covers.
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
            The checkpoint as Custos signed it, in a standard format (a C2SP signed note). Anyone can check
            the signature with Custos’s public audit key, published at /.well-known/custos/audit-keys.
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
