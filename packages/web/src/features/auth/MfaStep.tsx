import type { MfaChallenge } from '@custos/shared';
import { Anchor, Button, Stack, Text } from '@mantine/core';
import { hookError } from '../../app/errors';
import { formatTime } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useVerifyMfaMutation } from './api';
import { ProofForm } from './ProofForm';

interface MfaStepProps {
  challenge: MfaChallenge;
  onSignedIn: () => void;
  /** Back to the password step (another account, or a challenge that expired). */
  onRestart: () => void;
}

/** The second step of signing in: a factor for the challenge the password step answered. */
export function MfaStep({ challenge, onSignedIn, onRestart }: MfaStepProps) {
  useDisplayTimeZone();
  const [verify, { isLoading, error, reset }] = useVerifyMfaMutation();
  const apiError = hookError(error);
  const expired = apiError?.code === 'MFA_CHALLENGE_INVALID';

  if (expired) {
    return (
      <Stack gap="md">
        <ErrorAlert error={apiError} title="This sign-in attempt has ended" />
        <Text size="sm" c="dimmed">
          A sign-in attempt must be finished within five minutes and after a few wrong codes it is closed.
          Enter your password again to start over.
        </Text>
        <Button onClick={onRestart} fullWidth>
          Start again
        </Button>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <ProofForm
        methods={challenge.methods}
        submitLabel="Verify and sign in"
        loading={isLoading}
        error={apiError}
        onMethodChange={reset}
        onSubmit={async (proof) => {
          if (proof.method === 'password') return;
          const result = await verify({ challenge: challenge.challenge, proof });
          if ('data' in result) onSignedIn();
        }}
      />
      <Text size="xs" c="dimmed" ta="center">
        Finish before {formatTime(challenge.expiresAt)}.{' '}
        <Anchor component="button" type="button" size="xs" onClick={onRestart}>
          Sign in as someone else
        </Anchor>
      </Text>
    </Stack>
  );
}
