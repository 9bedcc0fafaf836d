import { Group, Text } from '@mantine/core';
import { IconUsersGroup } from '@tabler/icons-react';
import { Copy } from './ProofSection';
import { useAuditIntegrity } from './useAuditIntegrity';

/**
 * Who co-signs the log's checkpoints besides Custos: witnesses keep their own record of every
 * checkpoint, so the server cannot show one history to them and another to a verifier.
 */
export function CheckpointWitnesses() {
  const { data } = useAuditIntegrity();
  if (!data) return null;
  const { witnesses } = data;
  return (
    <Group gap={6} wrap="nowrap" align="flex-start" data-testid="checkpoint-witnesses">
      <IconUsersGroup size={16} color="var(--mantine-color-gray-7)" aria-hidden style={{ flexShrink: 0 }} />
      {witnesses.length === 0 ? (
        <Text size="xs" c="gray.7">
          No independent service keeps its own signed copy of this log’s checkpoints. Download checkpoints and
          keep them yourself, or ask whoever runs Custos to add a witness (CUSTOS_AUDIT_WITNESSES).
        </Text>
      ) : (
        <Text size="xs" c="gray.7">
          Every checkpoint is also sent to{' '}
          {witnesses.length === 1 ? 'the witness' : `${witnesses.length} witnesses`}{' '}
          {witnesses.map((witness, i) => (
            <span key={witness.verifierKey}>
              {i > 0 && ', '}
              <Text span size="xs" fw={600} className="custos-mono" style={{ overflowWrap: 'anywhere' }}>
                {witness.name}
              </Text>
              <Copy value={witness.verifierKey} label={`verifier key of ${witness.name}`} inline />
            </span>
          ))}{' '}
          to co-sign: each witness signs each checkpoint too, so the log cannot be rewritten without them
          noticing. Check their signatures with custos audit verify --witness and the copied key.
        </Text>
      )}
    </Group>
  );
}
