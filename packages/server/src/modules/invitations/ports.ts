import * as store from './store';

/**
 * What other modules may ask of or do to invitations inside their transactions: access control asks
 * which roles pending invitations would grant (a role in use cannot be deleted), removing a member
 * revokes the invitations they sent.
 */
export const invitationPorts = {
  pendingInvitationRoles: store.pendingInvitationRoles,
  revokeInvitationsBy: store.revokePendingBy,
};
