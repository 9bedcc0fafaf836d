export { userCallerFor } from './context';
export { sessionRoutes } from './routes';
export {
  type AuthMethod,
  createSessionsService,
  type OpenedSession,
  type SessionsService,
} from './service';
export { demandStepUp, type RevokeReason, revokeUserSessions } from './store';
