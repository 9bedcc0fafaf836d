import type { MeResult } from '@custos/shared';
import { createContext, useContext } from 'react';

/** The signed-in caller, provided by the shell once `/api/v1/me` has answered. */
export const MeContext = createContext<MeResult | undefined>(undefined);

export function useMe(): MeResult {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe() is used outside the signed-in shell');
  return me;
}

/** Whether the caller holds a permission in the current organization. */
export function useCan(permission: string): boolean {
  return useMe().permissions.includes(permission);
}
