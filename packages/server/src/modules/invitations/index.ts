export { revokeInvitationsBy } from './revoke';
export { invitationRoutes } from './routes';
export { createInvitationsService, type InvitationsService } from './service';
