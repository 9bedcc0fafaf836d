import type { ThreatResponseOut } from '@custos/shared';
import { notifications } from '@mantine/notifications';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useLiftThreatResponseMutation } from './api';
import { RESPONSE_LABELS } from './labels';
import { responseTargetPhrase } from './responseParts';

/** Lifting a response after a confirmation: `ask(response)` opens it, `modal` renders it. */
export function useLiftResponse() {
  const [lift, lifting] = useLiftThreatResponseMutation();
  const action = useConfirmAction(
    (response: ThreatResponseOut) => lift(response.id),
    lifting,
    (response) => notifications.show({ color: 'teal', message: `${RESPONSE_LABELS[response.kind]}: lifted` }),
  );
  const target = action.target;
  const modal = (
    <ConfirmModal title="Lift this response?" confirmLabel="Lift" {...action.modal}>
      {target
        ? `Lifting ends ${responseTargetPhrase(target)} now${target.kind === 'lock_account' ? ': the user can sign in again' : ''}${target.kind === 'block_ip' ? ': requests from this address are accepted again' : ''}. The detectors keep watching and may respond again.`
        : null}
    </ConfirmModal>
  );
  return { ask: action.ask, modal };
}
