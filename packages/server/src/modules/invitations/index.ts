export { invitationRoutes } from './routes';
export { createInvitationsService, type InvitationsService } from './service';
/** Revokes every pending invitation one member sent in an organization; returns their ids. */
export { revokePendingBy as revokeInvitationsBy } from './store';
