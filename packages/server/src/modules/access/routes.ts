import {
  AppPermissionList,
  AuthorizeBatchBody,
  AuthorizeBatchResult,
  AuthorizeBody,
  AuthorizeResult,
  CreateRoleBody,
  Ok,
  PermissionKeyParams,
  RegisterAppPermissionsBody,
  RegisterAppPermissionsResult,
  RoleCatalog,
  RoleKeyParams,
  RoleOut,
  UpdateRoleBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { AppPermissionsService } from './app-permissions-service';
import type { AuthorizeService } from './authorize-service';
import type { RolesService } from './roles-service';

const security = AUTHENTICATED;

export function accessRoutes(services: {
  roles: RolesService;
  appPermissions: AppPermissionsService;
  authorize: AuthorizeService;
}) {
  const { roles, appPermissions, authorize } = services;
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['roles'];

    app.get(
      '/api/v1/roles',
      {
        schema: {
          tags,
          security,
          summary:
            "Every role (built-in and custom) with its grants and member count, and every permission (Custos' and the host app's), explained",
          response: { 200: RoleCatalog },
        },
      },
      async (req) => roles.catalog(req.caller),
    );
    app.post(
      '/api/v1/roles',
      {
        schema: {
          tags,
          security,
          summary:
            'Create a custom role (needs access:manage and a recent step-up; only permissions you hold)',
          body: CreateRoleBody,
          response: { 201: RoleOut },
        },
      },
      async (req, reply) => reply.code(201).send(await roles.create(req.caller, req.body)),
    );
    app.patch(
      '/api/v1/roles/:key',
      {
        schema: {
          tags,
          security,
          summary:
            "Change a role's grants (custom roles: also name and description; built-in roles: host-app grants only)",
          params: RoleKeyParams,
          body: UpdateRoleBody,
          response: { 200: RoleOut },
        },
      },
      async (req) => roles.update(req.caller, req.params.key, req.body),
    );
    app.delete(
      '/api/v1/roles/:key',
      {
        schema: {
          tags,
          security,
          summary: 'Delete a custom role nobody holds',
          params: RoleKeyParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await roles.remove(req.caller, req.params.key);
        return { ok: true as const };
      },
    );

    const appTags = ['app permissions'];
    app.get(
      '/api/v1/app-permissions',
      {
        schema: {
          tags: appTags,
          security,
          summary: "The host app's registered permissions",
          response: { 200: AppPermissionList },
        },
      },
      async (req) => ({ permissions: await appPermissions.list(req.caller) }),
    );
    app.put(
      '/api/v1/app-permissions',
      {
        schema: {
          tags: appTags,
          security,
          summary:
            "Declare the host app's permissions (idempotent; `prune` removes undeclared ones and their grants)",
          body: RegisterAppPermissionsBody,
          response: { 200: RegisterAppPermissionsResult },
        },
      },
      async (req) => appPermissions.register(req.caller, req.body),
    );
    app.delete(
      '/api/v1/app-permissions/:key',
      {
        schema: {
          tags: appTags,
          security,
          summary: 'Remove a host-app permission and every grant of it',
          params: PermissionKeyParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await appPermissions.remove(req.caller, req.params.key);
        return { ok: true as const };
      },
    );

    const authTags = ['authorization'];
    app.post(
      '/api/v1/authorize',
      {
        schema: {
          tags: authTags,
          security,
          summary:
            'May this user do this? Allow or deny with the reason (needs access:check; denies are audited)',
          body: AuthorizeBody,
          response: { 200: AuthorizeResult },
        },
      },
      async (req) => authorize.check(req.caller, req.body),
    );
    app.post(
      '/api/v1/authorize/batch',
      {
        schema: {
          tags: authTags,
          security,
          summary: 'Up to 100 checks in one call, answered in order',
          body: AuthorizeBatchBody,
          response: { 200: AuthorizeBatchResult },
        },
      },
      async (req) => ({ results: await authorize.batch(req.caller, req.body.checks) }),
    );
  };
}
