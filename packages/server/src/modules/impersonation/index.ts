export { impersonationRoutes } from './routes';
export { createImpersonationService, type ImpersonationService } from './service';
