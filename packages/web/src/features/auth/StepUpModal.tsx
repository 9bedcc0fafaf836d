import { Modal, Stack, Text } from '@mantine/core';
import { IconShieldLock } from '@tabler/icons-react';
import { useEffect, useSyncExternalStore } from 'react';
import { hookError } from '../../app/errors';
import {
  currentStepUp,
  registerStepUpHost,
  type StepUpRequest,
  settleStepUp,
  subscribeStepUp,
} from '../../app/stepUp';
import { SectionLoader } from '../../ui/states';
import { useGetStepUpOptionsQuery, useStepUpMutation } from './api';
import { ProofForm } from './ProofForm';

function StepUpForm({ request }: { request: StepUpRequest }) {
  // Fresh each time: passkey options carry a one-time challenge.
  const options = useGetStepUpOptionsQuery(undefined, { refetchOnMountOrArgChange: true });
  const [stepUp, { isLoading, error, reset }] = useStepUpMutation();
  const methods = options.data?.methods ?? request.methods;

  if (!methods) return <SectionLoader label="Finding how you can verify" />;
  return (
    <ProofForm
      methods={methods}
      submitLabel="Verify"
      loading={isLoading}
      error={hookError(error)}
      onMethodChange={reset}
      onSubmit={async (proof) => {
        const result = await stepUp(proof);
        if ('data' in result) settleStepUp('verified');
      }}
    />
  );
}

/**
 * The one step-up dialog. `callSdk` opens it when a sensitive action is refused with
 * STEP_UP_REQUIRED; verifying re-runs the refused call, closing the dialog gives up on it.
 */
export function StepUpModal() {
  const request = useSyncExternalStore(subscribeStepUp, currentStepUp);
  useEffect(() => registerStepUpHost(), []);

  return (
    <Modal
      opened={request !== null}
      onClose={() => settleStepUp('cancelled')}
      title={
        <Text fw={600} component="span">
          <IconShieldLock size={18} style={{ verticalAlign: -3, marginRight: 6 }} />
          Confirm it's you
        </Text>
      }
    >
      {request && (
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            This is a sensitive action. Verify once and Custos will not ask again for a while; then it carries
            on with what you were doing.
          </Text>
          <StepUpForm request={request} />
        </Stack>
      )}
    </Modal>
  );
}
