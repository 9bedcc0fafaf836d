export { memberRoutes } from './routes';
export { createMembersService, type MembersService } from './service';
