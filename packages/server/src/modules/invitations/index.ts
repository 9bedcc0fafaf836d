export { invitationRoutes } from './routes';
export { createInvitationsService, type InvitationsService } from './service';
