import { Badge, Checkbox, Group } from '@mantine/core';
import type { Grant } from './matrix';

interface GrantCellProps {
  grant: Grant;
  /** Host-app permissions can be granted on the member's own resources only. */
  ownChoice: boolean;
  disabled: boolean;
  /** E.g. "members:invite for Support": names the controls for screen readers and tests. */
  label: string;
  onChange: (grant: Grant) => void;
}

/**
 * One cell of the matrix: a checkbox (granted or not) and, for host-app permissions, an "own" toggle
 * that narrows the grant to resources the member owns.
 */
export function GrantCell({ grant, ownChoice, disabled, label, onChange }: GrantCellProps) {
  const granted = grant !== 'none';
  return (
    <Group gap={6} justify="center" wrap="nowrap">
      <Checkbox
        checked={granted}
        disabled={disabled}
        onChange={(event) => onChange(event.currentTarget.checked ? 'all' : 'none')}
        aria-label={label}
        color={grant === 'own' ? 'teal' : undefined}
        // A fixed grant stays readable as granted: pale indigo rather than the grey of "not granted".
        styles={
          disabled && granted
            ? {
                input: {
                  cursor: 'not-allowed',
                  backgroundColor: 'var(--mantine-color-indigo-1)',
                  borderColor: 'var(--mantine-color-indigo-2)',
                },
                icon: { color: 'var(--mantine-color-indigo-6)' },
              }
            : { input: { cursor: disabled ? 'not-allowed' : 'pointer' } }
        }
      />
      {ownChoice && (
        <Badge
          component="button"
          type="button"
          size="xs"
          radius="sm"
          tt="none"
          color={grant === 'own' ? 'teal' : 'gray'}
          variant={grant === 'own' ? 'filled' : 'outline'}
          aria-pressed={grant === 'own'}
          aria-label={`Own only: ${label}`}
          title={
            grant === 'own' ? 'Only on their own resources (click for all)' : 'Limit to their own resources'
          }
          disabled={disabled || !granted}
          onClick={() => onChange(grant === 'own' ? 'all' : 'own')}
          style={{
            cursor: disabled || !granted ? 'default' : 'pointer',
            visibility: granted ? 'visible' : 'hidden',
          }}
        >
          own
        </Badge>
      )}
    </Group>
  );
}
