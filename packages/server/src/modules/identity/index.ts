export { presentOrganization, presentUser } from './present';
export type { MembershipRow, OrganizationRow, UserRow } from './store';
export * as identityStore from './store';
