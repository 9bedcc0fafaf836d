export { userRoutes } from './routes';
export { createUsersService, type UsersService } from './service';
