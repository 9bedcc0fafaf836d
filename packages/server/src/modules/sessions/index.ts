export { userCallerFor } from './context';
export { sessionPorts } from './ports';
export { sessionRoutes } from './routes';
export {
  type AuthMethod,
  createSessionsService,
  type OpenedSession,
  type SessionsService,
} from './service';
export type { RevokeReason } from './store';
