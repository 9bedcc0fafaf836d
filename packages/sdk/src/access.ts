import type {
  AccessRuleList,
  AccessRuleOut,
  AppPermissionOut,
  AuthorizeCheck,
  AuthorizeResult,
  CreateAccessRuleBody,
  CreateRoleBody,
  RegisterAppPermissionsBody,
  RegisterAppPermissionsResult,
  RoleCatalog,
  RoleOut,
  TestAccessRulesBody,
  TestAccessRulesResult,
  UpdateAccessRuleBody,
  UpdateRoleBody,
} from '@custos/shared';
import type { CustosClient } from './client';

/**
 * Access control in `CustosClient`: roles and their grants, the host app's permissions, the
 * authorization API and access rules (IP, country, time). Routes: docs/access-control.md.
 */

type Ok = { ok: true };
const at = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

export function createRolesApi(client: CustosClient) {
  return {
    /** Every role with its grants and member count, and every permission explained. */
    list: () => client.request<RoleCatalog>('GET', '/api/v1/roles'),
    create: (body: CreateRoleBody) => client.request<RoleOut>('POST', '/api/v1/roles', body),
    update: (key: string, body: UpdateRoleBody) =>
      client.request<RoleOut>('PATCH', at('/api/v1/roles', key), body),
    remove: (key: string) => client.request<Ok>('DELETE', at('/api/v1/roles', key)),
  };
}

export function createAppPermissionsApi(client: CustosClient) {
  return {
    list: () => client.request<{ permissions: AppPermissionOut[] }>('GET', '/api/v1/app-permissions'),
    /** Declares the host app's permissions; idempotent, so call it on every deploy. */
    register: (body: RegisterAppPermissionsBody) =>
      client.request<RegisterAppPermissionsResult>('PUT', '/api/v1/app-permissions', body),
    remove: (key: string) => client.request<Ok>('DELETE', at('/api/v1/app-permissions', key)),
  };
}

export interface AuthorizeApi {
  /** Allow or deny, with the reason (a host-app key with access:check). */
  (check: AuthorizeCheck): Promise<AuthorizeResult>;
  /** Up to 100 checks in one call, answered in order. */
  batch(checks: AuthorizeCheck[]): Promise<AuthorizeResult[]>;
  /** Just the answer: whether it is allowed. */
  can(check: AuthorizeCheck): Promise<boolean>;
}

export function createAuthorizeApi(client: CustosClient): AuthorizeApi {
  const authorize = (check: AuthorizeCheck) =>
    client.request<AuthorizeResult>('POST', '/api/v1/authorize', check);
  return Object.assign(authorize, {
    batch: async (checks: AuthorizeCheck[]) =>
      (await client.request<{ results: AuthorizeResult[] }>('POST', '/api/v1/authorize/batch', { checks }))
        .results,
    can: async (check: AuthorizeCheck) => (await authorize(check)).allowed,
  });
}

export function createAccessRulesApi(client: CustosClient) {
  return {
    list: () => client.request<AccessRuleList>('GET', '/api/v1/access-rules'),
    create: (body: CreateAccessRuleBody) =>
      client.request<AccessRuleOut>('POST', '/api/v1/access-rules', body),
    update: (id: string, body: UpdateAccessRuleBody) =>
      client.request<AccessRuleOut>('PATCH', at('/api/v1/access-rules', id), body),
    remove: (id: string) => client.request<Ok>('DELETE', at('/api/v1/access-rules', id)),
    setTimeZone: (timeZone: string) =>
      client.request<AccessRuleList>('PUT', '/api/v1/access-rules/time-zone', { timeZone }),
    /** Would this IP, at this time, be let in, and by which rule not? */
    test: (body: TestAccessRulesBody) =>
      client.request<TestAccessRulesResult>('POST', '/api/v1/access-rules/test', body),
  };
}
