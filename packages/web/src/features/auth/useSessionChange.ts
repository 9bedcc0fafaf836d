import { useCallback } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../app/api';
import { useAppDispatch } from '../../app/hooks';

/**
 * After sign-in, sign-out, setup, accepting an invitation or switching organization, everything
 * cached belongs to another identity: drop it all, then go on.
 */
export function useSessionChange(): (to: string) => void {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  return useCallback(
    (to: string) => {
      dispatch(api.util.resetApiState());
      navigate(to, { replace: true });
    },
    [dispatch, navigate],
  );
}
