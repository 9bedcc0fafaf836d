export { invitationPorts } from './ports';
export { invitationRoutes } from './routes';
export { createInvitationsService, type InvitationsService } from './service';
