export { isPrivileged } from './privileged';
export { memberRoutes } from './routes';
export { createMembersService, type MembersService } from './service';
