import { Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconDeviceMobile, IconFingerprint, IconKey, IconLifebuoy } from '@tabler/icons-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import type { ApiError } from '../../app/errors';
import type { StepUpMethod } from '../../app/stepUp';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { CurrentPasswordField } from '../../ui/fields';
import { METHOD_ORDER, type ProofInput } from './proof';

interface ProofFormProps {
  /** The methods the server accepts here, in any order. */
  methods: readonly StepUpMethod[];
  onSubmit: (proof: ProofInput) => void;
  loading: boolean;
  error: ApiError | undefined;
  /** E.g. "Verify" or "Sign in". */
  submitLabel: string;
  /** Called when the user switches method, e.g. to clear the last error. */
  onMethodChange?: () => void;
}

const SWITCH_LABELS: Record<StepUpMethod, { label: string; icon: ReactNode }> = {
  totp: { label: 'Use your authenticator app', icon: <IconDeviceMobile size={14} /> },
  passkey: { label: 'Use a passkey', icon: <IconFingerprint size={14} /> },
  recovery_code: { label: 'Use a recovery code', icon: <IconLifebuoy size={14} /> },
  password: { label: 'Use your password', icon: <IconKey size={14} /> },
};

/** Six digits, with the space some apps show between groups allowed. */
function totpReady(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s+/g, ''));
}

function recoveryReady(code: string): boolean {
  return code.replace(/[\s-]+/g, '').length === 10;
}

/**
 * Asks for one proof of identity: a TOTP code, a passkey, a recovery code or (for step-up without
 * factors) the password, with links to switch between the methods on offer.
 */
export function ProofForm({
  methods,
  onSubmit,
  loading,
  error,
  submitLabel,
  onMethodChange,
}: ProofFormProps) {
  const offered = METHOD_ORDER.filter((m) => methods.includes(m));
  const [method, setMethod] = useState<StepUpMethod | undefined>(offered[0]);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');

  function choose(next: StepUpMethod) {
    setMethod(next);
    setCode('');
    onMethodChange?.();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (method === 'totp' && totpReady(code)) onSubmit({ method, code: code.replace(/\s+/g, '') });
    else if (method === 'recovery_code' && recoveryReady(code)) onSubmit({ method, code: code.trim() });
    else if (method === 'password' && password) onSubmit({ method, password });
    else if (method === 'passkey') onSubmit({ method });
  }

  if (!method) {
    return (
      <Text size="sm" c="dimmed">
        Your account has no way to verify here. Ask an administrator for help.
      </Text>
    );
  }

  const ready =
    method === 'passkey' ||
    (method === 'totp' && totpReady(code)) ||
    (method === 'recovery_code' && recoveryReady(code)) ||
    (method === 'password' && password.length > 0);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {method === 'totp' && (
          <TextInput
            label="Code from your authenticator app"
            description="Open the app and enter the 6-digit code it shows for Custos."
            placeholder="123 456"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(event) => setCode(event.currentTarget.value)}
            maxLength={9}
            autoFocus
            styles={{ input: { letterSpacing: 4, fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
        )}
        {method === 'recovery_code' && (
          <TextInput
            label="Recovery code"
            description="One of the codes you saved when you set up two-step verification. Each works once."
            placeholder="xxxxx-xxxxx"
            autoComplete="off"
            spellCheck={false}
            value={code}
            onChange={(event) => setCode(event.currentTarget.value)}
            maxLength={64}
            autoFocus
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
        )}
        {method === 'password' && (
          <CurrentPasswordField label="Your password" value={password} onChange={setPassword} autoFocus />
        )}
        {method === 'passkey' && (
          <Text size="sm" c="dimmed">
            Your browser will ask for your passkey: a fingerprint, face, screen lock or security key.
          </Text>
        )}
        <ErrorAlert error={error} />
        <Button
          type="submit"
          loading={loading}
          disabled={!ready}
          fullWidth
          leftSection={method === 'passkey' ? <IconFingerprint size={18} /> : undefined}
        >
          {method === 'passkey' ? 'Use a passkey' : submitLabel}
        </Button>
        {offered.length > 1 && (
          <Group gap="md" justify="center">
            {offered
              .filter((m) => m !== method)
              .map((m) => (
                <Anchor key={m} component="button" type="button" size="sm" onClick={() => choose(m)}>
                  <Group gap={4} wrap="nowrap">
                    {SWITCH_LABELS[m].icon}
                    {SWITCH_LABELS[m].label}
                  </Group>
                </Anchor>
              ))}
          </Group>
        )}
      </Stack>
    </form>
  );
}
