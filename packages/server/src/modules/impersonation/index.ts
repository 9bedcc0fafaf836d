export { impersonationRoutes } from './routes';
export { createImpersonationService, type ImpersonationService } from './service';
export { revokeImpersonationsBy } from './store';
