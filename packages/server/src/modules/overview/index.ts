export { overviewRoutes } from './routes';
export { createOverviewService, type OverviewService } from './service';
