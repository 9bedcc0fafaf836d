export { presentOrganization, presentUser } from './present';
export { assertRolesGrantable, effectivePermissions } from './roles';
export * as identityStore from './store';
export type { MembershipRow, OrganizationRow, UserRow } from './store';
