export { organizationRoutes } from './routes';
export { createOrganizationsService, type OrganizationsService } from './service';
