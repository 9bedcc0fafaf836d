export { presentOrganization, presentUser } from './present';
export { assertRolesGrantable, effectivePermissions } from './roles';
export type { MembershipRow, OrganizationRow, UserRow } from './store';
export * as identityStore from './store';
