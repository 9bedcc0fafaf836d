import * as store from './responses-store';

/**
 * The locks and IP blocks in force, as the rest of Custos enforces them: the sign-in guard refuses
 * attempts they cover, access control's IP check denies blocked addresses. Read only.
 */
export const findSignInBlocks = store.findSignInBlocks;
export const listActiveIpBlocks = store.listActiveIpBlocks;
export const activeAccountLocks = store.activeAccountLocks;
export type { SignInBlock } from './responses-store';
