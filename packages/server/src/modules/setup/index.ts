export { setupRoutes } from './routes';
export { createSetupService, type SetupService } from './service';
