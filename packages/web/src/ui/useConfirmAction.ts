import { useState } from 'react';
import { type ApiError, hookError } from '../app/errors';

/** The state of an RTK Query mutation that `useConfirmAction` needs. */
interface MutationState {
  isLoading: boolean;
  error?: unknown;
  reset: () => void;
}

interface ConfirmAction<T> {
  /** The item the action is asked about; the modal is open while set. */
  target: T | undefined;
  ask: (target: T) => void;
  /** Spread onto `ConfirmModal`. */
  modal: {
    opened: boolean;
    loading: boolean;
    error: ApiError | undefined;
    onConfirm: () => void;
    onClose: () => void;
  };
}

/**
 * A destructive action on one item of a list, run after `ConfirmModal` asks: `run` calls the
 * mutation, `onDone` reports success; the modal closes on success and stays open with the error
 * otherwise.
 */
export function useConfirmAction<T>(
  run: (target: T) => PromiseLike<object>,
  mutation: MutationState,
  onDone: (target: T) => void,
): ConfirmAction<T> {
  const [target, setTarget] = useState<T>();

  function close() {
    setTarget(undefined);
    mutation.reset();
  }

  async function confirm() {
    if (!target) return;
    const result = await run(target);
    if ('data' in result) {
      onDone(target);
      close();
    }
  }

  return {
    target,
    ask: (item) => setTarget(item),
    modal: {
      opened: target !== undefined,
      loading: mutation.isLoading,
      error: hookError(mutation.error),
      onConfirm: confirm,
      onClose: close,
    },
  };
}
