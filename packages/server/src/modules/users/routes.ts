import { AdminUserList, AdminUserOut, AdminUserQuery, DisableUserBody } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { UsersService } from './service';

const tags = ['platform'];
const security = AUTHENTICATED;
const UserIdParams = z.object({ id: z.string().uuid() });

export function userRoutes(users: UsersService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/admin/users',
      {
        schema: {
          tags,
          security,
          summary: 'Users of the platform (super admins)',
          querystring: AdminUserQuery,
          response: { 200: AdminUserList },
        },
      },
      async (req) => ({ users: await users.list(req.caller, req.query) }),
    );

    app.post(
      '/api/v1/admin/users/:id/disable',
      {
        schema: {
          tags,
          security,
          summary: 'Disable an account and end its sessions (super admins, step-up)',
          params: UserIdParams,
          body: DisableUserBody,
          response: { 200: AdminUserOut },
        },
      },
      async (req) => users.disable(req.caller, req.params.id, req.body.reason),
    );

    app.post(
      '/api/v1/admin/users/:id/enable',
      {
        schema: {
          tags,
          security,
          summary: 'Enable a disabled account (super admins)',
          params: UserIdParams,
          response: { 200: AdminUserOut },
        },
      },
      async (req) => users.enable(req.caller, req.params.id),
    );
  };
}
